/// PostgreSQL's stderr log with the default `log_line_prefix` `%m [%p] ` (and variants that add `%q%u@%d `):
/// `2025-11-21 10:15:03.123 UTC [1234] LOG:  duration: 5123.456 ms  statement: SELECT …`.
/// The zone abbreviation `UTC`/`GMT` is honoured; other abbreviations are left to the source's zone. The level is
/// the first `LOG:`/`ERROR:`/`FATAL:`/`PANIC:`/`WARNING:`/… (LOG → info, FATAL/PANIC → critical;
/// `DETAIL:`/`HINT:`/`STATEMENT:`/`CONTEXT:` lines belong to the entry before under the `timestamped` rule only
/// when they lack the prefix). `duration: N ms` becomes `request_time` in seconds.
enum PostgresLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        guard let m = TimestampParser.dateTime(in: p, at: 0, dateSeparator: ASCII.hyphen, allowsT: true) else {
            return
        }
        f.timestamp = m.nanos
        f.timestampHasZone = m.hasZone
        var i = m.end
        if !m.hasZone, p.byte(at: i) == ASCII.space {
            // An abbreviation such as `CET`: skip it; the source's zone applies.
            let e = p.tokenEnd(from: i + 1)
            if e - i - 1 <= 5, e > i + 1, p.byte(at: i + 1) != ASCII.leftBracket { i = e }
        }
        // The severity is the first `WORD:` (upper-case letters and digits) within the prefix.
        var tokens = 0
        while tokens < 6, i < p.count {
            i = p.skipBlanks(from: i)
            let e = p.tokenEnd(from: i)
            if e - i >= 4, p[e - 1] == ASCII.colon, isUpperWord(p, i..<(e - 1)) {
                f.level = Level.parse(p, i..<(e - 1))
                if let d = p.find("duration: ", from: e, to: e + 16) {
                    let s = d + 10
                    let de = p.tokenEnd(from: s)
                    if p.isDecimal(s..<de), p.matches(" ms", at: de) { f.durationMillis = s..<de }
                }
                return
            }
            i = e
            tokens += 1
        }
    }

    static func isUpperWord(_ p: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        for k in r where !(p[k] &- UInt8(ascii: "A") < 26 || p[k] &- ASCII.zero < 10) { return false }
        return true
    }
}

/// Redis: `1234:M 21 Nov 2025 10:15:03.123 # WARNING …` — pid, role (`M` master, `S` replica, `C` child,
/// `X` sentinel), local time without zone (the source's zone), and the level mark: `.` debug, `-` verbose
/// (debug), `*` notice (info), `#` warning (warn).
enum RedisLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        var i = 0
        while p.digit(at: i) != nil { i += 1 }
        guard i > 0, p.byte(at: i) == ASCII.colon, p.byte(at: i + 2) == ASCII.space else { return }
        i += 3
        guard let day = p.digits(at: i, count: 2), p.byte(at: i + 2) == ASCII.space,
              let month = TimestampParser.monthNumber(p.byte(at: i + 3), p.byte(at: i + 4), p.byte(at: i + 5)),
              p.byte(at: i + 6) == ASCII.space, let year = p.digits(at: i + 7, count: 4),
              p.byte(at: i + 11) == ASCII.space, let hour = p.digits(at: i + 12, count: 2),
              p.byte(at: i + 14) == ASCII.colon, let minute = p.digits(at: i + 15, count: 2),
              p.byte(at: i + 17) == ASCII.colon, let second = p.digits(at: i + 18, count: 2)
        else { return }
        var k = i + 20
        var nanos = 0
        if p.byte(at: k) == ASCII.dot {
            k += 1
            var scale = 100_000_000
            while let d = p.digit(at: k), scale > 0 {
                nanos += d * scale
                scale /= 10
                k += 1
            }
        }
        f.timestamp = CivilTime.unixNanos(year: year, month: month, day: day, hour: hour, minute: minute,
                                          second: second, nanosecond: nanos)
        f.timestampHasZone = false
        switch p.byte(at: k + 1) {
        case ASCII.dot, ASCII.hyphen: f.level = .debug
        case ASCII.star: f.level = .info
        case ASCII.hash: f.level = .warn
        default: break
        }
    }
}
