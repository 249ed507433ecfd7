import Foundation

/// One line of `logcli query --output jsonl`:
/// `{"labels":{"job":"nginx"},"line":"…","timestamp":"2024-05-01T10:00:00.123456789Z"}`.
///
/// logcli writes the timestamp as Go's RFC 3339 with nanoseconds in the zone chosen by `--timezone` (local by
/// default), and leaves `labels` out under `--no-labels`. Decoding also takes a timestamp given as a string of Unix
/// nanosecond digits, and an optional `structuredMetadata` / `structured_metadata` object. Other keys are ignored.
public struct LogcliRecord: Sendable {
    /// The stream's labels, sorted by name; empty if the line had no `labels` (logcli `--no-labels`).
    public var labels: [(name: String, value: String)]
    /// Structured metadata, sorted by name; empty if the line had none.
    public var metadata: [(name: String, value: String)]
    /// Unix nanoseconds, UTC.
    public var timestamp: Int64
    /// The log line itself.
    public var line: String

    /// A record from its parts, as decoded.
    public init(labels: [(name: String, value: String)], metadata: [(name: String, value: String)] = [],
                timestamp: Int64, line: String) {
        self.labels = labels
        self.metadata = metadata
        self.timestamp = timestamp
        self.line = line
    }

    /// Decodes one JSONL line (a trailing newline is fine). Throws `ImportFormatError` naming the field that is
    /// missing or malformed.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> LogcliRecord {
        guard let base = bytes.baseAddress, bytes.contains(where: { !isJSONWhitespace($0) }) else {
            throw ImportFormatError("empty line")
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes: base, count: bytes.count))
        } catch {
            throw ImportFormatError("invalid JSON: \(error.localizedDescription)")
        }
        guard let object = parsed as? [String: Any] else {
            throw ImportFormatError("expected a JSON object with \"timestamp\" and \"line\"")
        }

        guard let rawLine = object["line"] else { throw ImportFormatError("missing \"line\"") }
        guard let line = rawLine as? String else { throw ImportFormatError("\"line\" is not a string") }
        guard let rawTimestamp = object["timestamp"] else { throw ImportFormatError("missing \"timestamp\"") }
        guard let timestampText = rawTimestamp as? String else {
            throw ImportFormatError("\"timestamp\" is not a string (want RFC 3339 or Unix ns digits in quotes)")
        }
        guard let timestamp = parseTimestamp(timestampText) else {
            throw ImportFormatError("\"timestamp\" \"\(timestampText)\" is neither RFC 3339 nor Unix ns")
        }

        let labels = try stringPairs(object["labels"], field: "labels")
        let camel = object["structuredMetadata"], snake = object["structured_metadata"]
        if camel != nil, snake != nil {
            throw ImportFormatError("both \"structuredMetadata\" and \"structured_metadata\" are present")
        }
        let metadata = try camel.map { try stringPairs($0, field: "structuredMetadata") }
            ?? stringPairs(snake, field: "structured_metadata")
        return LogcliRecord(labels: labels, metadata: metadata, timestamp: timestamp, line: line)
    }

    /// Unix ns from the whole of `text`: RFC 3339 (`T` or space between date and time) or 1–19 decimal digits.
    static func parseTimestamp(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { utf8 -> Int64? in
            let bytes = UnsafeRawBufferPointer(utf8)
            guard !bytes.isEmpty else { return nil }
            if bytes.allSatisfy({ $0 &- ASCII.zero < 10 }) {
                return bytes.count <= 19 ? Int64(String(decoding: bytes, as: UTF8.self)) : nil
            }
            guard let match = TimestampParser.dateTime(in: bytes, at: 0, dateSeparator: ASCII.hyphen, allowsT: true),
                  match.end == bytes.count
            else { return nil }
            return match.nanos
        }
    }

    /// The members of a JSON object of strings, sorted by name; empty if `value` is absent.
    private static func stringPairs(_ value: Any?, field: String) throws -> [(name: String, value: String)] {
        guard let value, !(value is NSNull) else { return [] }
        guard let object = value as? [String: Any] else { throw ImportFormatError("\"\(field)\" is not an object") }
        var pairs: [(name: String, value: String)] = []
        pairs.reserveCapacity(object.count)
        for (name, raw) in object {
            guard let string = raw as? String else {
                throw ImportFormatError("\"\(field)\".\"\(name)\" is not a string")
            }
            pairs.append((name, string))
        }
        pairs.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return pairs
    }

    private static func isJSONWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }
}
