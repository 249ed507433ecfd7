import Storage

/// A timestamp found in a byte buffer: its value and the offset just past it.
struct DateTimeMatch {
    var nanos: Int64
    var end: Int
    /// Whether the text carried a zone (`Z`, `±hh:mm`); without one the time was read as UTC and a source's
    /// configured zone may still apply.
    var hasZone: Bool = true
}

extension TimestampParser {
    /// Parses `YYYY<sep>MM<sep>DD<T or space>hh:mm:ss[(.|,)fraction][zone]` starting at `start`: the core of the
    /// `iso8601`, `python` and `slash` forms.
    ///
    /// The fraction is 1–9 digits after `.` or `,` (ISO 8601 allows either; Python logging writes `,`). The zone is
    /// `Z`, `±hh:mm`, `±hhmm` or `±hh`; without one the time is UTC. A `.` or `,` not followed by a digit, or a `+`/`-`
    /// not followed by two digits, ends the timestamp (`2016-09-28 04:30:30, Info`). Returns nil if the layout
    /// does not match, a field is out of range, or a digit follows the timestamp.
    static func dateTime(in p: UnsafeRawBufferPointer, at start: Int, dateSeparator: UInt8, allowsT: Bool)
        -> DateTimeMatch?
    {
        var i = start
        guard let year = p.digits(at: i, count: 4), p.byte(at: i + 4) == dateSeparator,
              let month = p.digits(at: i + 5, count: 2), p.byte(at: i + 7) == dateSeparator,
              let day = p.digits(at: i + 8, count: 2)
        else { return nil }
        i += 10
        let separator = p.byte(at: i)
        guard separator == ASCII.space || (allowsT && (separator == ASCII.upperT || separator == ASCII.lowerT)),
              let hour = p.digits(at: i + 1, count: 2), p.byte(at: i + 3) == ASCII.colon,
              let minute = p.digits(at: i + 4, count: 2), p.byte(at: i + 6) == ASCII.colon,
              let second = p.digits(at: i + 7, count: 2)
        else { return nil }
        i += 9

        var nanosecond = 0
        let mark = p.byte(at: i)
        if (mark == ASCII.dot || mark == ASCII.comma), p.digit(at: i + 1) != nil {
            i += 1
            var scale = 100_000_000
            while scale > 0, let d = p.digit(at: i) {  // a 10th digit is left to fail the trailing-digit check
                nanosecond += d * scale
                scale /= 10
                i += 1
            }
        }

        var offsetSeconds = 0
        var hasZone = true
        let zone = p.byte(at: i)
        if zone == ASCII.upperZ || zone == ASCII.lowerZ {
            i += 1
        } else if p.matches(" UTC", at: i) || p.matches(" GMT", at: i) {
            // PostgreSQL's `log_timezone` abbreviation; only the unambiguous UTC names are taken as zones.
            i += 4
        } else if zone == ASCII.plus || zone == ASCII.hyphen, let hours = p.digits(at: i + 1, count: 2) {
            guard let (minutes, length) = zoneMinutes(p, at: i + 3), hours <= 23 else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (zone == ASCII.hyphen ? -1 : 1)
            i += 3 + length
        } else {
            hasZone = false
        }

        guard p.digit(at: i) == nil,
              let nanos = CivilTime.unixNanos(year: year, month: month, day: day, hour: hour, minute: minute,
                                              second: second, nanosecond: nanosecond, offsetSeconds: offsetSeconds)
        else { return nil }
        return DateTimeMatch(nanos: nanos, end: i, hasZone: hasZone)
    }

    /// The minutes of a zone offset after its hours: `:mm`, `mm` or nothing, and how many bytes they took; nil if
    /// a `:` is not followed by two digits or the minutes exceed 59.
    private static func zoneMinutes(_ p: UnsafeRawBufferPointer, at i: Int) -> (Int, Int)? {
        if p.byte(at: i) == ASCII.colon {
            guard let m = p.digits(at: i + 1, count: 2), m <= 59 else { return nil }
            return (m, 3)
        }
        if let m = p.digits(at: i, count: 2) {
            return m <= 59 ? (m, 2) : nil
        }
        return (0, 0)
    }
}
