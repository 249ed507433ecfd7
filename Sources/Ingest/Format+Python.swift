/// Python `logging` and uvicorn lines.
///
/// - `2025-11-21 10:15:03,123 ERROR app.main: …`, `2025-11-21 10:15:03,123 - app - ERROR - …`,
///   `[2025-11-21 10:15:03,123] ERROR …` (and Kafka/log4j's identical layout): an ISO/`asctime` timestamp at the
///   start (no zone: the source's zone applies), then the first level word among the next few tokens.
/// - uvicorn: `INFO:     10.0.2.1:51234 - "GET /health HTTP/1.1" 200 OK` — level, client, method, path,
///   status; no timestamp (the runner gives it the previous line's time).
enum PythonLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        var i = 0
        let bracketed = p.byte(at: 0) == ASCII.leftBracket
        if let m = TimestampParser.dateTime(in: p, at: bracketed ? 1 : 0, dateSeparator: ASCII.hyphen, allowsT: true) {
            f.timestamp = m.nanos
            f.timestampHasZone = m.hasZone
            i = m.end
            if bracketed, p.byte(at: i) == ASCII.rightBracket { i += 1 }
        }
        // The level: one of the next four tokens, bare or as `LEVEL:`, `[LEVEL]`, `<LEVEL>`.
        var tokens = 0
        while tokens < 4 {
            i = p.skipBlanks(from: i)
            guard i < p.count else { return }
            let e = p.tokenEnd(from: i)
            var s = i, t = e
            while s < t, p[s] == ASCII.leftBracket || p[s] == ASCII.lessThan || p[s] == ASCII.leftParen { s += 1 }
            while t > s, p[t - 1] == ASCII.colon || p[t - 1] == ASCII.rightBracket || p[t - 1] == ASCII.greaterThan
                || p[t - 1] == ASCII.rightParen || p[t - 1] == ASCII.comma { t -= 1 }
            if t - s >= 4, let level = Level.parse(p, s..<t) {
                f.level = level
                if p.byte(at: e - 1) == ASCII.colon { uvicornAccess(p, from: e, &f) }
                break
            }
            i = e
            tokens += 1
        }
    }

    /// After `INFO:`: `   10.0.2.1:51234 - "GET /health HTTP/1.1" 200 OK`.
    static func uvicornAccess(_ p: UnsafeRawBufferPointer, from i: Int, _ f: inout ParsedFields) {
        let a = p.skipBlanks(from: i)
        let ae = p.tokenEnd(from: a)
        guard p.matches(" - \"", at: ae) else { return }
        // `host:port`, or `[v6]:port`; the port is not part of the client address.
        var hostEnd = ae
        if let colon = lastIndex(of: ASCII.colon, in: p, a..<ae), p.digits(at: colon + 1, count: 1) != nil,
           p.byte(at: a) != ASCII.leftBracket || p.byte(at: colon - 1) == ASCII.rightBracket {
            hostEnd = colon
        }
        var hostStart = a
        if p.byte(at: a) == ASCII.leftBracket, hostEnd > a + 1, p[hostEnd - 1] == ASCII.rightBracket {
            hostStart += 1
            hostEnd -= 1
        }
        f.clientIP = hostStart..<hostEnd
        let rs = ae + 4
        guard let re = NginxAccess.closingQuote(p, from: rs) else { return }
        let m = p.tokenEnd(from: rs)
        if m < re {
            f.method = rs..<m
            var pe = m + 1
            while pe < re, p[pe] != ASCII.space { pe += 1 }
            if pe > m + 1 { f.path = (m + 1)..<pe }
        }
        let s = p.skipBlanks(from: re + 1)
        if p.digits(at: s, count: 3) != nil, p.tokenEnd(from: s) == s + 3 { f.status = s..<(s + 3) }
    }

    static func lastIndex(of b: UInt8, in p: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int? {
        var k = r.upperBound - 1
        while k >= r.lowerBound {
            if p[k] == b { return k }
            k -= 1
        }
        return nil
    }
}
