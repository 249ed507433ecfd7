import Storage

/// Timestamp parsers' uses of `CivilTime` (the calendar core lives in Storage).
extension CivilTime {
    /// Unix nanoseconds of a wall-clock time at `offsetSeconds` east of UTC, or nil if a field is out of range
    /// (month 13, 31 April, hour 24, second 60) or the instant does not fit in `Int64` nanoseconds.
    static func unixNanos(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                          nanosecond: Int = 0, offsetSeconds: Int = 0) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0...999_999_999).contains(nanosecond)
        else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        // Before the epoch with a fraction, count back from the next whole second: the first representable instant,
        // 1677-09-21T00:12:43.145224192Z, lies in a whole second whose start is below Int64.min nanoseconds.
        let borrow = seconds < 0 && nanosecond > 0
        let (whole, overflow) = (borrow ? seconds + 1 : seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let fraction = borrow ? Int64(nanosecond) - 1_000_000_000 : Int64(nanosecond)
        let (nanos, overflow2) = whole.addingReportingOverflow(fraction)
        return overflow || overflow2 ? nil : nanos
    }

    /// The UTC year of a Unix-nanosecond instant.
    static func year(ofUnixNanos t: Int64) -> Int {
        civilFromDays(Int(floorDiv(t, 86_400_000_000_000))).year
    }

    /// `t` moved by whole years on the calendar (29 February becomes 28 February), or nil out of range.
    static func shiftYears(_ t: Int64, by years: Int) -> Int64? {
        let secs = floorDiv(t, 1_000_000_000)
        let nanos = Int(t - secs * 1_000_000_000)
        let days = Int(floorDiv(secs, 86_400))
        let rest = Int(secs) - days * 86_400
        let (y, m, d) = civilFromDays(days)
        let day = min(d, daysInMonth(m, year: y + years))
        return unixNanos(year: y + years, month: m, day: day, hour: rest / 3600, minute: rest % 3600 / 60,
                         second: rest % 60, nanosecond: nanos)
    }
}
