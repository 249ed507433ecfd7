import LogStore

/// Decodes Loki's JSON push body on bytes:
/// `{"streams":[{"stream":{"job":"x"},"values":[["<unix ns as string>","line",{"trace_id":"…"}]]}]}`.
///
/// Timestamps must be strings of integer nanoseconds, as Loki requires; a number is rejected. Unknown keys are skipped.
/// Each line is unescaped into one reused buffer and copied into its stream's batch: no allocation per line
/// unless it carries structured metadata.
public enum PushJSONDecoder {
    public static func decode(_ body: UnsafeRawBufferPointer, limits: Limits = Limits()) throws -> PushRequest {
        var request = PushRequest()
        var r = JSONBytes(body)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(4096)
        guard r.peek() == UInt8(ascii: "{") else { throw r.error("expected a JSON object") }
        try r.object { r, key in
            guard key == "streams" else { return try r.skipValue() }
            try r.array { r in try decodeStream(&r, into: &request, scratch: &scratch, limits: limits) }
        }
        try r.end()
        return request
    }

    private static func decodeStream(_ r: inout JSONBytes, into request: inout PushRequest, scratch: inout [UInt8],
                                     limits: Limits) throws {
        // "stream" normally precedes "values"; if not, remember where values start and come back.
        var index: Int?
        var valuesAt: Int?
        try r.object { r, key in
            switch key {
            case "stream":
                var labels: [Label] = []
                try r.object { r, name in labels.append(Label(name, try r.string())) }
                do { index = request.batchIndex(for: try LabelSet(labels, limits: limits)) } catch {
                    throw PushDecodeError("invalid stream labels: \(error)")
                }
            case "values":
                if let index {
                    try decodeValues(&r, into: &request, at: index, scratch: &scratch)
                } else {
                    valuesAt = r.pos
                    try r.skipValue()
                }
            default:
                try r.skipValue()
            }
        }
        if let valuesAt {
            guard let index else { throw PushDecodeError("stream without \"stream\" labels") }
            let resume = r.pos
            r.pos = valuesAt
            try decodeValues(&r, into: &request, at: index, scratch: &scratch)
            r.pos = resume
        } else if index == nil {
            throw PushDecodeError("stream without \"stream\" labels")
        }
    }

    private static func decodeValues(_ r: inout JSONBytes, into request: inout PushRequest, at index: Int,
                                     scratch: inout [UInt8]) throws {
        try r.array { r in
            var field = 0
            var ts: Int64 = 0
            var metadata: [Label] = []
            try r.array { r in
                switch field {
                case 0:
                    guard r.peek() == UInt8(ascii: "\"") else {
                        throw PushDecodeError("timestamp at byte \(r.pos) must be a string of unix nanoseconds, not a number")
                    }
                    ts = try r.int64String()
                case 1:
                    try r.stringBytes(into: &scratch)
                case 2:
                    try r.object { r, name in metadata.append(Label(name, try r.string())) }
                default:
                    throw PushDecodeError("entry at byte \(r.pos) has more than 3 elements")
                }
                field += 1
            }
            guard field >= 2 else { throw PushDecodeError("entry at byte \(r.pos) needs a timestamp and a line") }
            scratch.withUnsafeBytes { request.append(to: index, timestamp: ts, line: $0, metadata: metadata) }
        }
    }
}

/// A minimal JSON reader over bytes for the push shapes: objects, arrays, strings, and skipping anything else.
struct JSONBytes {
    let b: UnsafeRawBufferPointer
    var pos = 0

    init(_ b: UnsafeRawBufferPointer) { self.b = b }

    func error(_ what: String) -> PushDecodeError { PushDecodeError("invalid JSON at byte \(pos): \(what)") }

    mutating func skipSpace() {
        while pos < b.count {
            switch b[pos] {
            case 0x20, 0x09, 0x0a, 0x0d: pos += 1
            default: return
            }
        }
    }

    mutating func peek() -> UInt8 {
        skipSpace()
        return pos < b.count ? b[pos] : 0
    }

    mutating func expect(_ c: UInt8) throws {
        guard peek() == c else { throw error("expected '\(Character(Unicode.Scalar(c)))'") }
        pos += 1
    }

    mutating func end() throws {
        skipSpace()
        guard pos == b.count else { throw error("unexpected data after the end") }
    }

    /// Calls `body` for each member with the key; `body` must consume the value.
    mutating func object(_ body: (inout JSONBytes, String) throws -> Void) throws {
        if peek() == UInt8(ascii: "n") { return try literal("null") }
        try expect(UInt8(ascii: "{"))
        if peek() == UInt8(ascii: "}") {
            pos += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            let c = peek()
            pos += 1
            if c == UInt8(ascii: "}") { return }
            guard c == UInt8(ascii: ",") else {
                pos -= 1
                throw error("expected ',' or '}'")
            }
        }
    }

    /// Calls `body` for each element; `body` must consume it.
    mutating func array(_ body: (inout JSONBytes) throws -> Void) throws {
        if peek() == UInt8(ascii: "n") { return try literal("null") }
        try expect(UInt8(ascii: "["))
        if peek() == UInt8(ascii: "]") {
            pos += 1
            return
        }
        while true {
            try body(&self)
            let c = peek()
            pos += 1
            if c == UInt8(ascii: "]") { return }
            guard c == UInt8(ascii: ",") else {
                pos -= 1
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func string() throws -> String {
        var buf: [UInt8] = []
        try stringBytes(into: &buf)
        return String(decoding: buf, as: UTF8.self)
    }

    /// Reads a string value into `out` (replacing its contents), decoding escapes.
    mutating func stringBytes(into out: inout [UInt8]) throws {
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        pos += 1
        out.removeAll(keepingCapacity: true)
        var runStart = pos
        while pos < b.count {
            let c = b[pos]
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[runStart..<pos]))
                pos += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[runStart..<pos]))
                pos += 1
                guard pos < b.count else { break }
                let e = b[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00, pos + 1 < b.count, b[pos] == UInt8(ascii: "\\"),
                        b[pos + 1] == UInt8(ascii: "u")
                    {
                        pos += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    pos -= 1
                    throw error("invalid escape")
                }
                runStart = pos
                continue
            }
            if c < 0x20 { throw error("control character in string") }
            pos += 1
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard pos + 4 <= b.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[pos]
            pos += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    /// A string holding a (possibly negative) decimal integer.
    mutating func int64String() throws -> Int64 {
        let start = pos
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        pos += 1
        var negative = false
        if pos < b.count, b[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        var v: Int64 = 0
        var digits = 0
        while pos < b.count, b[pos] >= 0x30, b[pos] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b[pos] - 0x30))
            guard !o1, !o2 else { throw PushDecodeError("timestamp at byte \(start) is out of range") }
            v = s
            pos += 1
            digits += 1
        }
        guard digits > 0, pos < b.count, b[pos] == UInt8(ascii: "\"") else {
            pos = start
            throw PushDecodeError("timestamp at byte \(start) is not an integer of unix nanoseconds")
        }
        pos += 1
        return negative ? -v : v
    }

    private mutating func literal(_ word: String) throws {
        for c in word.utf8 {
            guard pos < b.count, b[pos] == c else { throw error("expected \(word)") }
            pos += 1
        }
    }

    mutating func skipValue() throws {
        switch peek() {
        case UInt8(ascii: "{"): try object { r, _ in try r.skipValue() }
        case UInt8(ascii: "["): try array { r in try r.skipValue() }
        case UInt8(ascii: "\""):
            var scratch: [UInt8] = []
            try stringBytes(into: &scratch)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            let start = pos
            while pos < b.count, b[pos] == UInt8(ascii: "-") || b[pos] == UInt8(ascii: "+") || b[pos] == UInt8(ascii: ".")
                || b[pos] == UInt8(ascii: "e") || b[pos] == UInt8(ascii: "E") || (b[pos] >= 0x30 && b[pos] <= 0x39)
            {
                pos += 1
            }
            guard pos > start else { throw error("unexpected character") }
        }
    }
}
