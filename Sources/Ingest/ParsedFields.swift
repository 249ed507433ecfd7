/// What a format parser found in one entry: its timestamp, level and the byte ranges of the fields that go to
/// structured metadata. Ranges index the entry's bytes, so parsing allocates nothing; one value is reset and
/// reused for every line.
public struct ParsedFields: Sendable {
    /// Unix nanoseconds, UTC, or nil when the entry has no timestamp of its own.
    public var timestamp: Int64?
    /// Whether the timestamp carried its zone; if not it was read as UTC and the source's zone applies.
    public var timestampHasZone = true
    /// Whether the timestamp lacked a year (syslog, vLLM) and the parser's reference year was used.
    public var timestampLacksYear = false
    public var level: Level?
    public var traceID: Range<Int>?
    public var status: Range<Int>?
    public var method: Range<Int>?
    public var path: Range<Int>?
    public var clientIP: Range<Int>?
    public var requestTime: Range<Int>?
    /// A request duration in milliseconds that the runner reports as `request_time` in seconds (PostgreSQL's
    /// `duration: 5123.456 ms`).
    public var durationMillis: Range<Int>?

    public init() {}

    /// Clears every field for the next line.
    @inline(__always)
    public mutating func reset() { self = ParsedFields() }
}

/// The structured-metadata fields parsers extract. They are high-cardinality and never become stream labels.
public enum MetadataField: String, CaseIterable, Sendable {
    case traceID = "trace_id"
    case status, method, path
    case clientIP = "client_ip"
    case requestTime = "request_time"

    /// This field's bit in a source's metadata mask.
    var bit: UInt8 { UInt8(1) << UInt8(MetadataField.allCases.firstIndex(of: self)!) }
}
