import LogStore
import Testing

@testable import LogQL

/// Runs `stage` on `line` for a stream with `stream` labels; the labels after it as sorted `name=value` strings.
func runStage(_ stage: LogStage, stream: [String: String], line: String) throws -> (labels: [String], result: StageResult) {
    let set = try LabelSet(stream.map { Label($0.key, $0.value) })
    let labels = LabelsBuilder(stream: set)
    var line = line
    let result = line.withUTF8 { stage.process(line: UnsafeRawBufferPointer($0), timestamp: 0, labels: labels) }
    return (labels.labels().map { "\($0.name)=\($0.value)" }.sorted(), result)
}

/// One table row: stream labels and a line in, labels (`name=value`) out.
struct StageRow: Sendable, CustomTestStringConvertible {
    let note: String
    let stream: [String: String]
    let line: String
    let want: [String]

    init(_ note: String, _ stream: [String: String], _ line: String, _ want: [String]) {
        self.note = note
        self.stream = stream
        self.line = line
        self.want = want
    }

    var testDescription: String { note }
}

/// A query-time error: the input and the exact message.
struct StageErrorRow: Sendable, CustomTestStringConvertible {
    let input: String
    let message: String

    init(_ input: String, _ message: String) {
        self.input = input
        self.message = message
    }

    var testDescription: String { input }
}

/// Expects `body` to throw a `LogQLError` with exactly `message`.
func expectLogQLError(_ message: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) {
    let error = #expect(throws: LogQLError.self, sourceLocation: sourceLocation) { _ = try body() }
    #expect(error?.message == message, sourceLocation: sourceLocation)
}

extension StageResult {
    /// The replacement line, or nil for keep/drop.
    var replacement: String? {
        if case .replace(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}

@Suite struct StageLabelNameTests {
    @Test("LabelName.sanitize applies Loki's sanitizeLabelKey", arguments: [
        ("a.b-c", "a_b_c"),
        ("cou-nter", "cou_nter"),
        ("1xx", "_1xx"),
        ("9", "_9"),
        (" spaced key ", "spaced_key"),
        ("\t7up\n", "_7up"),
        ("field with ÜFT8👌", "field_with__FT8_"),
        ("", ""),
        ("   ", ""),
        ("_ok_", "_ok_"),
        ("a\u{00A0}", "a"),
        ("\u{3000}x\u{2003}", "x"),
        ("a/b:c@d", "a_b_c_d"),
        ("Upper_Case9", "Upper_Case9"),
        ("é1", "_1"),
    ])
    func sanitize(_ key: String, _ want: String) {
        #expect(LabelName.sanitize(key) == want)
    }

    @Test("LabelName.isValid", arguments: [
        ("a", true), ("_", true), ("a_B9", true), ("9a", false), ("", false), ("a-b", false), ("ü", false),
    ])
    func isValid(_ name: String, _ want: Bool) {
        #expect(LabelName.isValid(name) == want)
    }
}
