/// Any text line: a leading timestamp in a form `TimestampParser(.auto)` knows (ISO 8601, Python `asctime`,
/// `2025/11/21 10:15:03`, a bracketed nginx time near the start, also `[2025-11-21 10:15:03,123]` as log4j
/// writes it), and the first level word of four or more letters among the first eight tokens (`ERROR`,
/// `[warn]`, `WARNING:`, `FATAL`, `Info`…). Shorter words (`E`, `LOG`) are too ambiguous in free text.
enum PlainLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        var i = 0
        let bracketed = p.byte(at: 0) == ASCII.leftBracket
        if let m = TimestampParser.dateTime(in: p, at: bracketed ? 1 : 0, dateSeparator: ASCII.hyphen, allowsT: true)
            ?? TimestampParser.dateTime(in: p, at: 0, dateSeparator: ASCII.slash, allowsT: false) {
            f.timestamp = m.nanos
            f.timestampHasZone = m.hasZone
            i = m.end
        } else if let t = TimestampParser.bracketedCommonLog(p, searchingFirst: TimestampParser.autoSearchWindow) {
            f.timestamp = t
        }
        var tokens = 0
        while tokens < 8, i < p.count {
            i = p.skipBlanks(from: i)
            let e = p.tokenEnd(from: i)
            var s = i, t = e
            while s < t, p[s] == ASCII.leftBracket || p[s] == ASCII.lessThan || p[s] == ASCII.leftParen { s += 1 }
            while t > s, p[t - 1] == ASCII.colon || p[t - 1] == ASCII.rightBracket || p[t - 1] == ASCII.greaterThan
                || p[t - 1] == ASCII.rightParen || p[t - 1] == ASCII.comma { t -= 1 }
            if t - s >= 4, let level = Level.parse(p, s..<t) {
                f.level = level
                return
            }
            i = e
            tokens += 1
        }
    }
}
