/// A 128-bit trace id, as OTLP and W3C trace context define it (16 bytes, printed as 32 lowercase hex digits).
public struct TraceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian (so that numeric order is byte order).
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From 16 raw bytes (or 8, Zipkin's 64-bit ids, zero-extended on the left).
    public init?(bytes b: UnsafeRawBufferPointer) {
        guard b.count == 16 || b.count == 8 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        if b.count == 16 {
            for i in 0..<8 { h = h << 8 | UInt64(b[i]) }
            for i in 8..<16 { l = l << 8 | UInt64(b[i]) }
        } else {
            for i in 0..<8 { l = l << 8 | UInt64(b[i]) }
        }
        high = h
        low = l
    }

    /// From hex text of up to 32 digits (shorter ids are zero-extended on the left, as Tempo does).
    public init?(hex: some StringProtocol) {
        let u = Array(hex.utf8)
        guard !u.isEmpty, u.count <= 32 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for c in u {
            guard let d = hexDigit(c) else { return nil }
            h = h << 4 | l >> 60
            l = l << 4 | UInt64(d)
        }
        high = h
        low = l
    }

    public static func < (a: TraceID, b: TraceID) -> Bool { (a.high, a.low) < (b.high, b.low) }

    public var isZero: Bool { high == 0 && low == 0 }

    /// 32 lowercase hex digits.
    public var description: String { hex64(high) + hex64(low) }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }
}

/// A 64-bit span id; zero means "none" (a root span's parent).
public struct SpanID: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }

    public init?(bytes b: UnsafeRawBufferPointer) {
        if b.count == 0 {
            value = 0
            return
        }
        guard b.count == 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[i]) }
        value = v
    }

    public init?(hex: some StringProtocol) {
        let u = Array(hex.utf8)
        guard u.count <= 16 else { return nil }
        var v: UInt64 = 0
        for c in u {
            guard let d = hexDigit(c) else { return nil }
            v = v << 4 | UInt64(d)
        }
        value = v
    }

    public var isZero: Bool { value == 0 }
    public var description: String { hex64(value) }

    public var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) } }
}

@inline(__always) func hexDigit(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x61...0x66: c - 0x61 + 10
    case 0x41...0x46: c - 0x41 + 10
    default: nil
    }
}

func hex64(_ v: UInt64) -> String {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var out = [UInt8](repeating: 0, count: 16)
    for i in 0..<16 { out[i] = digits[Int((v >> (60 - 4 * UInt64(i))) & 0xF)] }
    return String(decoding: out, as: UTF8.self)
}

/// OTLP's `Span.SpanKind`.
public enum SpanKind: UInt8, Sendable, CaseIterable {
    case unspecified = 0, `internal` = 1, server = 2, client = 3, producer = 4, consumer = 5

    /// TraceQL's name (`kind = server`).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        }
    }

    /// OTLP/JSON's enum name (`SPAN_KIND_SERVER`).
    public var otlpName: String { "SPAN_KIND_" + name.uppercased() }
}

/// OTLP's `Status.StatusCode`.
public enum StatusCode: UInt8, Sendable, CaseIterable {
    case unset = 0, ok = 1, error = 2

    public var name: String {
        switch self {
        case .unset: "unset"
        case .ok: "ok"
        case .error: "error"
        }
    }

    public var otlpName: String { "STATUS_CODE_" + name.uppercased() }
}

/// An OTLP `AnyValue`.
public indirect enum AttributeValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case bytes([UInt8])
    case array([AttributeValue])
    case map([Attribute])

    /// The value as text, for tag values, logfmt search and display.
    public var text: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): b ? "true" : "false"
        case .bytes(let b): base64(b)
        case .array(let a): "[" + a.map(\.text).joined(separator: ",") + "]"
        case .map(let m): "{" + m.map { $0.key + "=" + $0.value.text }.joined(separator: ",") + "}"
        }
    }

    /// Tempo's type names for `/api/v2/search/tag/<name>/values`.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .double: "float"
        case .bool: "bool"
        case .bytes, .array, .map: "string"
        }
    }

    /// Bytes of text the value holds (for the attribute-length limit and trace size).
    public var byteSize: Int {
        switch self {
        case .string(let s): s.utf8.count
        case .int, .double: 8
        case .bool: 1
        case .bytes(let b): b.count
        case .array(let a): a.reduce(0) { $0 + $1.byteSize }
        case .map(let m): m.reduce(0) { $0 + $1.key.utf8.count + $1.value.byteSize }
        }
    }
}

/// An OTLP `KeyValue`.
public struct Attribute: Sendable, Equatable {
    public var key: String
    public var value: AttributeValue
    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension [Attribute] {
    /// The value of the first attribute named `key`.
    public subscript(key key: String) -> AttributeValue? { first { $0.key == key }?.value }
}

/// A timed event of a span (a log in Jaeger's words; an exception record).
public struct SpanEvent: Sendable, Equatable {
    public var time: Int64
    public var name: String
    public var attributes: [Attribute]
    public init(time: Int64, name: String, attributes: [Attribute] = []) {
        self.time = time
        self.name = name
        self.attributes = attributes
    }
}

/// A link from a span to another span, possibly of another trace.
public struct SpanLink: Sendable, Equatable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var attributes: [Attribute]
    public init(traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: [Attribute] = []) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
    }
}

/// One span, as OTLP defines it. Its resource and instrumentation scope live in the enclosing `ResourceSpans`.
public struct Span: Sendable, Equatable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var parentSpanID: SpanID
    public var traceState: String = ""
    public var name: String
    public var kind: SpanKind = .unspecified
    /// Unix nanoseconds.
    public var start: Int64
    public var end: Int64
    public var attributes: [Attribute] = []
    public var events: [SpanEvent] = []
    public var links: [SpanLink] = []
    public var status: StatusCode = .unset
    public var statusMessage: String = ""
    public var flags: UInt32 = 0

    public init(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID = SpanID(0), name: String, start: Int64,
                end: Int64) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.start = start
        self.end = end
    }

    /// `end - start`, never negative.
    public var duration: Int64 { max(0, end &- start) }
}

/// An OTLP `InstrumentationScope`.
public struct InstrumentationScope: Sendable, Equatable {
    public var name: String
    public var version: String
    public var attributes: [Attribute]
    public init(name: String = "", version: String = "", attributes: [Attribute] = []) {
        self.name = name
        self.version = version
        self.attributes = attributes
    }
}

/// Spans of one instrumentation scope.
public struct ScopeSpans: Sendable, Equatable {
    public var scope: InstrumentationScope
    public var spans: [Span]
    public init(scope: InstrumentationScope = InstrumentationScope(), spans: [Span]) {
        self.scope = scope
        self.spans = spans
    }
}

/// Spans of one resource (a service instance): OTLP's `ResourceSpans`, Tempo's "batch".
public struct ResourceSpans: Sendable, Equatable {
    public var resource: [Attribute]
    public var scopes: [ScopeSpans]
    public init(resource: [Attribute], scopes: [ScopeSpans]) {
        self.resource = resource
        self.scopes = scopes
    }

    /// `service.name` of the resource; OTLP's default for a missing one.
    public var serviceName: String {
        if case .string(let s)? = resource[key: "service.name"] { return s }
        return "unknown_service"
    }

    public var spanCount: Int { scopes.reduce(0) { $0 + $1.spans.count } }
}

/// A trace: every stored batch of its spans.
public struct Trace: Sendable, Equatable {
    public var id: TraceID
    public var batches: [ResourceSpans]
    public init(id: TraceID, batches: [ResourceSpans]) {
        self.id = id
        self.batches = batches
    }

    public var spanCount: Int { batches.reduce(0) { $0 + $1.spanCount } }

    /// Every span with its batch's service name.
    public var spans: [(service: String, span: Span)] {
        batches.flatMap { b in b.scopes.flatMap { s in s.spans.map { (b.serviceName, $0) } } }
    }
}

let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// Standard base64 with padding (protobuf JSON's encoding of `bytes`).
public func base64(_ b: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((b.count + 2) / 3 * 4)
    var i = 0
    while i + 3 <= b.count {
        let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
        for s in [18, 12, 6, 0] { out.append(base64Alphabet[Int((n >> UInt32(s)) & 63)]) }
        i += 3
    }
    let rest = b.count - i
    if rest > 0 {
        var n = UInt32(b[i]) << 16
        if rest == 2 { n |= UInt32(b[i + 1]) << 8 }
        out.append(base64Alphabet[Int((n >> 18) & 63)])
        out.append(base64Alphabet[Int((n >> 12) & 63)])
        out.append(rest == 2 ? base64Alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
        out.append(UInt8(ascii: "="))
    }
    return String(decoding: out, as: UTF8.self)
}

/// Decodes standard or URL-safe base64 (padding optional); nil when malformed.
public func base64Decode(_ s: String) -> [UInt8]? {
    var out: [UInt8] = []
    var acc: UInt32 = 0, bits = 0
    for c in s.utf8 {
        let v: UInt32
        switch c {
        case 0x41...0x5A: v = UInt32(c - 0x41)
        case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
        case 0x30...0x39: v = UInt32(c - 0x30 + 52)
        case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
        case UInt8(ascii: "="): continue
        default: return nil
        }
        acc = acc << 6 | v
        bits += 6
        if bits >= 8 {
            bits -= 8
            out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
        }
    }
    return out
}
