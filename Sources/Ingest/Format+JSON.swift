/// The keys JSON and logfmt lines name their well-known fields with (matched exactly, top level only).
enum StructuredKeys {
    /// Which field a key names, or nil. Keys are compared as bytes: no String per key.
    static func field(_ p: UnsafeRawBufferPointer, _ key: Range<Int>) -> Field? {
        let k = UnsafeRawBufferPointer(rebasing: p[key])
        for (name, field) in table where name.utf8CodeUnitCount == k.count {
            if k.matches(name, at: 0) { return field }
        }
        return nil
    }

    enum Field { case time, level, traceID, status, method, path, clientIP, requestTime }

    static let table: [(StaticString, Field)] = [
        ("ts", .time), ("time", .time), ("timestamp", .time), ("@timestamp", .time), ("t", .time),
        ("asctime", .time), ("datetime", .time),
        ("level", .level), ("lvl", .level), ("severity", .level), ("levelname", .level), ("log.level", .level),
        ("loglevel", .level), ("severity_text", .level),
        ("trace_id", .traceID), ("traceId", .traceID), ("traceID", .traceID), ("trace.id", .traceID),
        ("otelTraceID", .traceID),
        ("status", .status), ("status_code", .status), ("http.status_code", .status), ("statusCode", .status),
        ("method", .method), ("http.method", .method), ("request_method", .method),
        ("path", .path), ("url", .path), ("uri", .path), ("request_uri", .path), ("http.target", .path),
        ("client_ip", .clientIP), ("remote_addr", .clientIP), ("client", .clientIP), ("ip", .clientIP),
        ("clientip", .clientIP),
        ("request_time", .requestTime), ("duration", .requestTime), ("latency", .requestTime),
        ("elapsed", .requestTime), ("response_time", .requestTime),
    ]

    /// Stores `value` as `field` in `f`; times are RFC 3339 text or Unix seconds/ms/µs/ns by magnitude.
    static func assign(_ field: Field, _ p: UnsafeRawBufferPointer, _ value: Range<Int>, _ f: inout ParsedFields) {
        guard !value.isEmpty else { return }
        switch field {
        case .time:
            guard f.timestamp == nil else { return }
            let v = UnsafeRawBufferPointer(rebasing: p[value])
            if let m = TimestampParser.dateTime(in: v, at: 0, dateSeparator: ASCII.hyphen, allowsT: true) {
                f.timestamp = m.nanos
                f.timestampHasZone = m.hasZone
            } else {
                f.timestamp = unixNumber(v)
            }
        case .level: if f.level == nil { f.level = Level.parse(p, value) }
        case .traceID: if f.traceID == nil { f.traceID = value }
        case .status: if f.status == nil { f.status = value }
        case .method: if f.method == nil { f.method = value }
        case .path: if f.path == nil { f.path = value }
        case .clientIP: if f.clientIP == nil { f.clientIP = value }
        case .requestTime: if f.requestTime == nil, p.isDecimal(value) { f.requestTime = value }
        }
    }

    /// A Unix time given as a number: seconds (≤ 11 integer digits, with an optional fraction), else
    /// milliseconds (≤ 14), microseconds (≤ 17) or nanoseconds.
    static func unixNumber(_ v: UnsafeRawBufferPointer) -> Int64? {
        var whole: Int64 = 0, digits = 0, i = 0
        while let d = v.digit(at: i), digits < 19 {
            whole = whole * 10 + Int64(d)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var fraction: Int64 = 0
        if v.byte(at: i) == ASCII.dot {
            i += 1
            var scale: Int64 = 100_000_000
            while let d = v.digit(at: i) {
                fraction += Int64(d) * scale
                scale /= 10
                i += 1
            }
        }
        guard i == v.count else { return nil }
        switch digits {
        case ...11: return whole * 1_000_000_000 + fraction
        case ...14: return whole * 1_000_000
        case ...17: return whole * 1_000
        default: return whole
        }
    }
}

/// One JSON object per line. The top-level keys of `StructuredKeys` give the timestamp, level and metadata
/// fields; nested values are skipped. A line that is not an object yields nothing (it is still stored).
enum JSONLog {
    static func parse(_ p: UnsafeRawBufferPointer, _ f: inout ParsedFields) {
        var i = p.skipWhitespace(from: 0)
        guard p.byte(at: i) == UInt8(ascii: "{") else { return }
        i += 1
        while true {
            i = p.skipWhitespace(from: i)
            guard p.byte(at: i) == ASCII.quote, let keyEnd = stringEnd(p, from: i + 1) else { return }
            let key = (i + 1)..<keyEnd
            i = p.skipWhitespace(from: keyEnd + 1)
            guard p.byte(at: i) == ASCII.colon else { return }
            i = p.skipWhitespace(from: i + 1)
            let valueStart = i
            guard let valueEnd = skipValue(p, from: i) else { return }
            if let field = StructuredKeys.field(p, key) {
                let isString = p.byte(at: valueStart) == ASCII.quote
                let v = isString ? (valueStart + 1)..<(valueEnd - 1) : valueStart..<valueEnd
                StructuredKeys.assign(field, p, v, &f)
            }
            i = p.skipWhitespace(from: valueEnd)
            guard p.byte(at: i) == ASCII.comma else { return }
            i += 1
        }
    }

    /// The index of the closing quote of a string whose content starts at `i`.
    static func stringEnd(_ p: UnsafeRawBufferPointer, from i: Int) -> Int? {
        var k = i
        while k < p.count {
            let b = p[k]
            if b == ASCII.backslash { k += 2; continue }
            if b == ASCII.quote { return k }
            k += 1
        }
        return nil
    }

    /// The index just past the JSON value at `i` (string, number, literal, or nested object/array).
    static func skipValue(_ p: UnsafeRawBufferPointer, from i: Int) -> Int? {
        let b = p.byte(at: i)
        if b == ASCII.quote { return stringEnd(p, from: i + 1).map { $0 + 1 } }
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
            var depth = 0, k = i
            while k < p.count {
                let c = p[k]
                if c == ASCII.quote {
                    guard let e = stringEnd(p, from: k + 1) else { return nil }
                    k = e + 1
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return k + 1 }
                }
                k += 1
            }
            return nil
        }
        var k = i
        while k < p.count, p[k] != ASCII.comma, p[k] != UInt8(ascii: "}"), p[k] != ASCII.space,
              p[k] != ASCII.tab { k += 1 }
        return k > i ? k : nil
    }
}

extension UnsafeRawBufferPointer {
    /// The index of the first byte at or after `i` that is not JSON whitespace.
    func skipWhitespace(from i: Int) -> Int {
        var j = i
        while j < count, self[j] == ASCII.space || self[j] == ASCII.tab || self[j] == 10 || self[j] == 13 { j += 1 }
        return j
    }
}
