import Storage

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
