import Storage

/// Syslog lines.
/// - RFC 3164: `[<PRI>]Nov 21 10:15:03 host app[pid]: message`: no year (the reference year) and no zone (the
///   source's zone); level from `<PRI>` when present.
/// - RFC 5424: `<PRI>1 2025-11-21T10:15:03.123Z host app pid msgid [sd] message`.
/// - rsyslog's high-precision form: `2025-11-21T10:15:03.123456+01:00 host app: message`.
enum SyslogLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields, year: Int) {
        var i = 0
        if p.byte(at: 0) == ASCII.lessThan, let pri = KernelLog.leadingInt(p, 1),
           p.byte(at: pri.end) == ASCII.greaterThan {
            f.level = Level.syslog(pri.value)
            i = pri.end + 1
            if p.byte(at: i) == UInt8(ascii: "1"), p.byte(at: i + 1) == ASCII.space { i += 2 }
        }
        if let m = TimestampParser.dateTime(in: p, at: i, dateSeparator: ASCII.hyphen, allowsT: true) {
            f.timestamp = m.nanos
            f.timestampHasZone = m.hasZone
            return
        }
        // `Mmm dd hh:mm:ss` (day space-padded: `Nov  1`).
        guard let month = TimestampParser.monthNumber(p.byte(at: i), p.byte(at: i + 1), p.byte(at: i + 2)),
              p.byte(at: i + 3) == ASCII.space else { return }
        var d = i + 4
        if p.byte(at: d) == ASCII.space { d += 1 }
        var day = 0
        while let x = p.digit(at: d), day < 10 { day = day * 10 + x; d += 1 }
        guard p.byte(at: d) == ASCII.space, let hour = p.digits(at: d + 1, count: 2), p.byte(at: d + 3) == ASCII.colon,
              let minute = p.digits(at: d + 4, count: 2), p.byte(at: d + 6) == ASCII.colon,
              let second = p.digits(at: d + 7, count: 2), p.digit(at: d + 9) == nil
        else { return }
        f.timestamp = CivilTime.unixNanos(year: year, month: month, day: day, hour: hour, minute: minute,
                                          second: second)
        f.timestampHasZone = false
        f.timestampLacksYear = true
    }
}
