import Storage

extension TimestampParser {
    /// The first `[dd/Mon/yyyy:hh:mm:ss ±hhmm]` (Common/Combined Log Format's `%t`, nginx's `$time_local`) whose
    /// `[` lies in the first `limit` bytes, converted to UTC; brackets that do not hold such a time are skipped.
    static func bracketedCommonLog(_ line: UnsafeRawBufferPointer, searchingFirst limit: Int) -> Int64? {
        let end = min(limit, line.count)
        var i = 0
        while i < end {
            if line[i] == ASCII.leftBracket, let nanos = commonLogTime(line, at: i + 1) {
                return nanos
            }
            i += 1
        }
        return nil
    }

    /// `dd/Mon/yyyy:hh:mm:ss ±hhmm]` at `i` (just after the `[`). Month names match in any letter case.
    static func commonLogTime(_ p: UnsafeRawBufferPointer, at i: Int) -> Int64? {
        let sign = p.byte(at: i + 21)
        guard let day = p.digits(at: i, count: 2), p.byte(at: i + 2) == ASCII.slash,
              let month = monthNumber(p.byte(at: i + 3), p.byte(at: i + 4), p.byte(at: i + 5)),
              p.byte(at: i + 6) == ASCII.slash, let year = p.digits(at: i + 7, count: 4),
              p.byte(at: i + 11) == ASCII.colon, let hour = p.digits(at: i + 12, count: 2),
              p.byte(at: i + 14) == ASCII.colon, let minute = p.digits(at: i + 15, count: 2),
              p.byte(at: i + 17) == ASCII.colon, let second = p.digits(at: i + 18, count: 2),
              p.byte(at: i + 20) == ASCII.space, sign == ASCII.plus || sign == ASCII.hyphen,
              let offsetHours = p.digits(at: i + 22, count: 2), offsetHours <= 23,
              let offsetMinutes = p.digits(at: i + 24, count: 2), offsetMinutes <= 59,
              p.byte(at: i + 26) == ASCII.rightBracket
        else { return nil }
        let offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == ASCII.hyphen ? -1 : 1)
        return CivilTime.unixNanos(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                   offsetSeconds: offset)
    }

    /// 1–12 for an English three-letter month abbreviation in any case, else nil.
    static func monthNumber(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        // Setting bit 5 lower-cases ASCII letters and maps no other byte onto a lower-case letter.
        let key = UInt32(a | 0x20) << 16 | UInt32(b | 0x20) << 8 | UInt32(c | 0x20)
        switch key {
        case 0x6a_616e: return 1  // jan
        case 0x66_6562: return 2  // feb
        case 0x6d_6172: return 3  // mar
        case 0x61_7072: return 4  // apr
        case 0x6d_6179: return 5  // may
        case 0x6a_756e: return 6  // jun
        case 0x6a_756c: return 7  // jul
        case 0x61_7567: return 8  // aug
        case 0x73_6570: return 9  // sep
        case 0x6f_6374: return 10  // oct
        case 0x6e_6f76: return 11  // nov
        case 0x64_6563: return 12  // dec
        default: return nil
        }
    }
}
