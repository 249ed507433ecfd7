import Storage

/// vLLM: `INFO 11-21 10:15:03 [engine.py:123] message`, with an optional process prefix
/// `(EngineCore_DP0 pid=1234) ` or `(APIServer pid=1) `. The date has no year (the parser's reference year) and
/// no zone (the source's zone). vLLM's own uvicorn lines (`(APIServer pid=1) INFO:     127.0.0.1:5 - "POST …`)
/// are read as uvicorn lines.
enum VLLMLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields, year: Int) {
        let start = headerStart(p)
        let le = p.tokenEnd(from: start)
        guard le > start else { return }
        var levelEnd = le
        if p[le - 1] == ASCII.colon {
            levelEnd -= 1
        }
        f.level = Level.parse(p, start..<levelEnd)
        if levelEnd != le {
            PythonLog.uvicornAccess(p, from: le, &f)
            return
        }
        let d = le + 1
        guard let month = p.digits(at: d, count: 2), p.byte(at: d + 2) == ASCII.hyphen,
              let day = p.digits(at: d + 3, count: 2), p.byte(at: d + 5) == ASCII.space,
              let hour = p.digits(at: d + 6, count: 2), p.byte(at: d + 8) == ASCII.colon,
              let minute = p.digits(at: d + 9, count: 2), p.byte(at: d + 11) == ASCII.colon,
              let second = p.digits(at: d + 12, count: 2), p.digit(at: d + 14) == nil
        else { return }
        f.timestamp = CivilTime.unixNanos(year: year, month: month, day: day, hour: hour, minute: minute,
                                          second: second)
        f.timestampHasZone = false
        f.timestampLacksYear = true
    }

    /// Where the level word starts: after a `(Name pid=N) ` prefix if there is one.
    static func headerStart(_ p: UnsafeRawBufferPointer) -> Int {
        if p.byte(at: 0) == ASCII.leftParen, let close = p.index(of: ASCII.rightParen, from: 1, to: 80),
           p.byte(at: close + 1) == ASCII.space {
            return close + 2
        }
        return 0
    }

    /// Where the message starts after the whole vLLM header (`… [file.py:12] `), or 0 if the line has none.
    static func messageStart(_ p: UnsafeRawBufferPointer) -> Int {
        let s = headerStart(p)
        let le = p.tokenEnd(from: s)
        guard le > s, le + 16 < p.count, p[le + 3] == ASCII.hyphen, p[le + 9] == ASCII.colon,
              p[le + 15] == ASCII.space, p[le + 16] == ASCII.leftBracket,
              let close = p.index(of: ASCII.rightBracket, from: le + 16, to: le + 120)
        else { return s == 0 ? 0 : s }
        return min(close + 2, p.count)
    }
}
