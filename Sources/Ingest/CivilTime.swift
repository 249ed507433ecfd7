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
