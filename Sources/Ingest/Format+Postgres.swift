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
