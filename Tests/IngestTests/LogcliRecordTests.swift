import Foundation
import Testing

@testable import Ingest

/// A JSONL line and the record it must decode to. Labels and metadata are written `name=value,…` in the order the
/// decoder must return them (sorted by name). Timestamps were computed with `date -u -d <time> +%s%N`.
struct LogcliValidRow: Sendable, CustomTestStringConvertible {
    let json: String
    let labels: String
    let metadata: String
    let timestamp: Int64
    let line: String

    init(_ json: String, labels: String = "", metadata: String = "", timestamp: Int64, line: String) {
        self.json = json
        self.labels = labels
        self.metadata = metadata
        self.timestamp = timestamp
        self.line = line
    }

    var testDescription: String { String(json.prefix(90)) }
}

/// A JSONL line that must be rejected, and a piece of the message that must name what is wrong.
struct LogcliErrorRow: Sendable, CustomTestStringConvertible {
    let json: String
    let message: String

    init(_ json: String, _ message: String) {
        self.json = json
        self.message = message
    }

    var testDescription: String { "\(json.prefix(70)) → \(message)" }
}

let validLogcliLines: [LogcliValidRow] = [
    LogcliValidRow(
        #"{"labels":{"job":"nginx","zone":"kzone"},"timestamp":"2024-05-01T10:00:00.123456789Z","line":"GET / 200"}"#,
        labels: "job=nginx,zone=kzone", timestamp: 1_714_557_600_123_456_789, line: "GET / 200"),
    // Loki's own jsonl_test.go expectation, with a +02:00 --timezone.
    LogcliValidRow(
        #"{"labels":{"type":"test"},"line":"Hello","timestamp":"2006-01-02T10:04:05+02:00"}"#,
        labels: "type=test", timestamp: 1_136_189_045_000_000_000, line: "Hello"),
    LogcliValidRow(
        #"{"line":"Hello","timestamp":"2006-01-02T08:04:05Z"}"#, timestamp: 1_136_189_045_000_000_000, line: "Hello"),
    LogcliValidRow(
        #"{"labels":{"job":"nginx"},"timestamp":"1714557600123456789","line":"ns digits"}"#,
        labels: "job=nginx", timestamp: 1_714_557_600_123_456_789, line: "ns digits"),
    LogcliValidRow(
        #"{"labels":{"zone":"a","app":"b","job":"c"},"timestamp":"2024-05-01T10:00:00.1Z","line":"x"}"#,
        labels: "app=b,job=c,zone=a", timestamp: 1_714_557_600_100_000_000, line: "x"),
    LogcliValidRow(
        #"{"labels":{"job":"api"},"timestamp":"2024-05-01T03:00:00.5-07:00","line":"x","structuredMetadata":{"trace_id":"abc","pod":"p-1"}}"#,
        labels: "job=api", metadata: "pod=p-1,trace_id=abc", timestamp: 1_714_557_600_500_000_000, line: "x"),
    LogcliValidRow(
        #"{"labels":{"job":"api"},"timestamp":"2025-11-21T10:15:03Z","line":"x","structured_metadata":{"user":"u1"}}"#,
        labels: "job=api", metadata: "user=u1", timestamp: 1_763_720_103_000_000_000, line: "x"),
    LogcliValidRow(
        #"{"labels":{"job":"api"},"timestamp":"2025-11-21T10:15:03Z","line":"say \"hi\"\n\ttab \u00e9 \ud83d\ude00"}"#,
        labels: "job=api", timestamp: 1_763_720_103_000_000_000, line: "say \"hi\"\n\ttab é 😀"),
    LogcliValidRow(
        #"{"labels":{},"timestamp":"2025-11-21T11:15:03.25+01:00","line":""}"#,
        timestamp: 1_763_720_103_250_000_000, line: ""),
    LogcliValidRow(
        "  {\"labels\":null,\"timestamp\":\"2025-11-21T10:15:03Z\",\"line\":\"crlf\"}\r\n",
        timestamp: 1_763_720_103_000_000_000, line: "crlf"),
    LogcliValidRow(
        #"{"labels":{"job":"a"},"timestamp":"2025-11-21 10:15:03Z","line":"x","parsed":{"n":1},"extra":[1,2]}"#,
        labels: "job=a", timestamp: 1_763_720_103_000_000_000, line: "x"),
    LogcliValidRow(
        #"{"labels":{"city":"Zürich","emoji":"🚀"},"timestamp":"0","line":"epoch"}"#,
        labels: "city=Zürich,emoji=🚀", timestamp: 0, line: "epoch"),
]

let invalidLogcliLines: [LogcliErrorRow] = [
    LogcliErrorRow("", "empty line"),
    LogcliErrorRow(" \r\n", "empty line"),
    LogcliErrorRow("not json", "invalid JSON"),
    LogcliErrorRow(#"{"line":"x","timestamp":"2025-11-21T10:15:03Z""#, "invalid JSON"),
    LogcliErrorRow("[1,2]", "expected a JSON object"),
    LogcliErrorRow(#"{"timestamp":"2025-11-21T10:15:03Z"}"#, #"missing "line""#),
    LogcliErrorRow(#"{"line":42,"timestamp":"2025-11-21T10:15:03Z"}"#, #""line" is not a string"#),
    LogcliErrorRow(#"{"line":"x"}"#, #"missing "timestamp""#),
    LogcliErrorRow(#"{"line":"x","timestamp":1714557600123456789}"#, #""timestamp" is not a string"#),
    LogcliErrorRow(#"{"line":"x","timestamp":"yesterday"}"#, #""timestamp" "yesterday" is neither"#),
    LogcliErrorRow(#"{"line":"x","timestamp":"2025-11-21T10:15:03Z trailing"}"#,
                   #""timestamp" "2025-11-21T10:15:03Z trailing""#),
    LogcliErrorRow(#"{"line":"x","timestamp":"2025-13-21T10:15:03Z"}"#, #""timestamp" "2025-13-21T10:15:03Z""#),
    LogcliErrorRow(#"{"line":"x","timestamp":"[2025-11-21T10:15:03Z]"}"#, #""timestamp" "[2025-11-21T10:15:03Z]""#),
    LogcliErrorRow(#"{"line":"x","timestamp":"17145576001234567890"}"#, #""timestamp" "17145576001234567890""#),
    LogcliErrorRow(#"{"line":"x","timestamp":"-1714557600"}"#, #""timestamp" "-1714557600""#),
    LogcliErrorRow(#"{"line":"x","timestamp":""}"#, #""timestamp" "" is neither"#),
    LogcliErrorRow(#"{"labels":["job"],"line":"x","timestamp":"0"}"#, #""labels" is not an object"#),
    LogcliErrorRow(#"{"labels":{"job":7},"line":"x","timestamp":"0"}"#, #""labels"."job" is not a string"#),
    LogcliErrorRow(#"{"line":"x","timestamp":"0","structuredMetadata":{"pod":null}}"#,
                   #""structuredMetadata"."pod" is not a string"#),
    LogcliErrorRow(#"{"line":"x","timestamp":"0","structured_metadata":"pod=p"}"#,
                   #""structured_metadata" is not an object"#),
    LogcliErrorRow(#"{"line":"x","timestamp":"0","structuredMetadata":{},"structured_metadata":{}}"#,
                   #"both "structuredMetadata" and "structured_metadata""#),
]

private func decode(_ json: String) throws -> LogcliRecord {
    var json = json
    return try json.withUTF8 { try LogcliRecord.decode(UnsafeRawBufferPointer($0)) }
}

private func render(_ pairs: [(name: String, value: String)]) -> String {
    pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
}

@Suite("LogcliRecord")
struct LogcliRecordTests {
    @Test("decodes logcli --output jsonl lines", arguments: validLogcliLines)
    func decodes(_ row: LogcliValidRow) throws {
        let record = try decode(row.json)
        #expect(render(record.labels) == row.labels)
        #expect(render(record.metadata) == row.metadata)
        #expect(record.timestamp == row.timestamp)
        #expect(record.line == row.line)
    }

    @Test("rejects malformed lines, naming what is wrong", arguments: invalidLogcliLines)
    func rejects(_ row: LogcliErrorRow) {
        do {
            let record = try decode(row.json)
            Issue.record("decoded \(record.line) @ \(record.timestamp), expected an error containing \(row.message)")
        } catch let error as ImportFormatError {
            #expect(error.description.contains(row.message), "\(error)")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test("decodes every line of fixtures/logcli/query.jsonl")
    func fixture() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/logcli/query.jsonl")
        let data = try Data(contentsOf: url)
        var records: [LogcliRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            records.append(try line.withUnsafeBytes { try LogcliRecord.decode($0) })
        }
        #expect(records.map(\.timestamp) == [
            1_431_857_103_000_000_000, 1_431_857_143_000_000_000, 1_749_536_176_123_456_789,
            1_749_536_179_000_000_000, 1_749_536_180_500_000_000,
        ])
        #expect(records.map { render($0.labels) } == [
            "filename=/var/log/nginx/access.log,job=nginx", "filename=/var/log/nginx/access.log,job=nginx",
            "job=vllm,pod=vllm-0", "job=vllm,pod=vllm-0", "",
        ])
        #expect(records[0].line.hasPrefix(#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations"#))
        // The line's own timestamp and logcli's agree, for the nginx lines.
        let parser = TimestampParser(format: .auto)
        for record in records.prefix(2) {
            var line = record.line
            #expect(line.withUTF8 { parser.parse(UnsafeRawBufferPointer($0)) } == record.timestamp)
        }
    }
}
