/// nginx (and apache) combined access log:
/// `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
/// with anything after it; the common variant appends `$request_time $upstream_response_time`.
///
/// - `client_ip` is the first address of the line: behind proxies the line often starts with an
///   `X-Forwarded-For` list (`10.0.0.2, 10.0.0.1, 127.0.0.1 - -`, or quoted), whose first entry is the original
///   client. IPv6 addresses are taken as they are.
/// - `method`/`path` come from the request; an empty request `""` (a client that sent nothing) has neither.
/// - `request_time` is the first unquoted decimal after the status and size (`0.123`), or `rt=`/`request_time=`.
/// - `level` follows the status: 5xx error, 4xx warn, else info.
enum NginxAccess {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        // Client address: first token, without a leading quote or a trailing comma. A `vhost_combined` line
        // starts with `host:port ` (a name with letters no IP address has): the client is the token after it.
        var i = 0
        if isVirtualHost(p, p.tokenEnd(from: 0)) { i = p.skipBlanks(from: p.tokenEnd(from: 0)) }
        if p.byte(at: i) == ASCII.quote { i += 1 }
        var e = i
        while e < p.count, p[e] != ASCII.space, p[e] != ASCII.comma, p[e] != ASCII.quote { e += 1 }
        if e > i { f.clientIP = i..<e }

        // The time: the first `[` that opens a `dd/Mon/yyyy:hh:mm:ss ±hhmm]`.
        var j = e
        var timeEnd = -1
        while let b = p.index(of: ASCII.leftBracket, from: j, to: TimestampParser.autoSearchWindow + 64) {
            if let t = TimestampParser.commonLogTime(p, at: b + 1) {
                f.timestamp = t
                timeEnd = b + 27
                break
            }
            j = b + 1
        }
        guard timeEnd > 0 else { return }

        // The request: `"METHOD path PROTOCOL"`.
        var k = p.skipBlanks(from: timeEnd + 1)
        guard p.byte(at: k) == ASCII.quote else { return }
        let requestStart = k + 1
        guard let requestEnd = closingQuote(p, from: requestStart) else { return }
        if requestEnd > requestStart {
            let m = p.tokenEnd(from: requestStart)
            if m < requestEnd {
                f.method = requestStart..<m
                let pathStart = m + 1
                var pathEnd = pathStart
                while pathEnd < requestEnd, p[pathEnd] != ASCII.space { pathEnd += 1 }
                if pathEnd > pathStart { f.path = pathStart..<pathEnd }
            }
        }

        // Status and size.
        k = p.skipBlanks(from: requestEnd + 1)
        let statusEnd = p.tokenEnd(from: k)
        if statusEnd - k == 3, let s = p.digits(at: k, count: 3) {
            f.status = k..<statusEnd
            f.level = s >= 500 ? .error : s >= 400 ? .warn : .info
        }
        k = p.skipBlanks(from: p.tokenEnd(from: p.skipBlanks(from: statusEnd)))

        // Quoted fields (referer, user agent, X-Forwarded-For …), then the first bare decimal.
        while k < p.count {
            if p[k] == ASCII.quote {
                guard let q = closingQuote(p, from: k + 1) else { return }
                k = p.skipBlanks(from: q + 1)
                continue
            }
            let t = p.tokenEnd(from: k)
            if p.isDecimal(k..<t) {
                f.requestTime = k..<t
                return
            }
            if let v = value(p, k..<t, after: "rt=") ?? value(p, k..<t, after: "request_time=") {
                f.requestTime = v
                return
            }
            k = p.skipBlanks(from: t)
        }
    }

    /// Whether the first token (ending at `end`) is `name:port` with a letter beyond hex digits in the name.
    static func isVirtualHost(_ p: UnsafeRawBufferPointer, _ end: Int) -> Bool {
        guard end > 2, let colon = PythonLog.lastIndex(of: ASCII.colon, in: p, 0..<end), colon + 1 < end,
              p.isDecimal((colon + 1)..<end) else { return false }
        for k in 0..<colon {
            let b = p[k] | 0x20
            if b > UInt8(ascii: "f") && b <= UInt8(ascii: "z") { return true }
        }
        return false
    }

    /// The value of a `key=value` token if the token starts with `key=`.
    static func value(_ p: UnsafeRawBufferPointer, _ token: Range<Int>, after key: StaticString) -> Range<Int>? {
        let n = key.utf8CodeUnitCount
        guard token.count > n, p.matches(key, at: token.lowerBound) else { return nil }
        let r = (token.lowerBound + n)..<token.upperBound
        return p.isDecimal(r) ? r : nil
    }

    /// The index of the `"` closing a quoted field whose content starts at `i`; `\"` does not close it
    /// (nginx writes `"` inside values as `\x22`, apache as `\"`).
    static func closingQuote(_ p: UnsafeRawBufferPointer, from i: Int) -> Int? {
        var k = i
        while let q = p.index(of: ASCII.quote, from: k) {
            if q > i, p[q - 1] == ASCII.backslash {
                k = q + 1
                continue
            }
            return q
        }
        return nil
    }
}

/// nginx error log: `2025/11/21 10:15:03 [error] 1234#0: *5678 message, client: 10.0.0.1, server: x,
/// request: "GET /p HTTP/1.1", upstream: "…", host: "…"`. The time has no zone (the server's local time; the
/// source's `timestamp.timezone` applies). Levels `emerg`/`alert`/`crit` → critical, `notice` → info.
enum NginxError {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        guard let m = TimestampParser.dateTime(in: p, at: 0, dateSeparator: ASCII.slash, allowsT: false) else {
            return
        }
        f.timestamp = m.nanos
        f.timestampHasZone = m.hasZone
        var i = p.skipBlanks(from: m.end)
        if p.byte(at: i) == ASCII.leftBracket, let close = p.index(of: ASCII.rightBracket, from: i, to: i + 10) {
            f.level = Level.parse(p, (i + 1)..<close)
            i = close + 1
        }
        if let c = p.find(", client: ", from: i) {
            let s = c + 10
            var e = s
            while e < p.count, p[e] != ASCII.comma, p[e] != ASCII.space { e += 1 }
            if e > s { f.clientIP = s..<e }
        }
        if let r = p.find(", request: \"", from: i) {
            let s = r + 12
            if let end = NginxAccess.closingQuote(p, from: s) {
                let m = p.tokenEnd(from: s)
                if m < end {
                    f.method = s..<m
                    var pe = m + 1
                    while pe < end, p[pe] != ASCII.space { pe += 1 }
                    if pe > m + 1 { f.path = (m + 1)..<pe }
                }
            }
        }
    }
}
