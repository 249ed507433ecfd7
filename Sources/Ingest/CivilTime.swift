/// Calendar arithmetic on the proleptic Gregorian calendar, without Foundation.
enum CivilTime {
    /// Whether `year` has a 29 February.
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in `month` (1–12) of `year`.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given date (negative before it). Howard Hinnant's `days_from_civil`: counts in
    /// 400-year eras of 146 097 days, with years starting in March so the leap day falls at the end.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400                                          // 0...399
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146096
        return era * 146_097 + dayOfEra - 719_468
    }

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
}

extension CivilTime {
    /// The civil date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The UTC year of a Unix-nanosecond instant.
    static func year(ofUnixNanos t: Int64) -> Int {
        civilFromDays(Int(floorDiv(t, 86_400_000_000_000))).year
    }

    /// Division rounding towards negative infinity.
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
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
