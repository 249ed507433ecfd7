/// `| unpack` (Loki's `UnpackParser` in `pkg/logql/log/parser.go`), the reverse of Promtail's `pack` stage.
///
/// - The line must be a JSON object (`{` as its first byte), else `__error__="JSONParserErr"` with
///   `__error_details__="expecting json object(6), but it is not"`; the empty line is left alone.
/// - When the object has a string member `_entry`, its unescaped text replaces the line and every other string
///   member becomes a label (names sanitised, a stream label's name gets `_extracted`). Members that are not
///   strings are ignored. Without `_entry` nothing changes.
/// - A malformed object gets `JSONParserErr` with jsonparser's message, and nothing else changes.
public final class UnpackStage: LogStage {
    private var pending: [(name: String, value: String)] = []
    private var name: [UInt8] = []
    private var keyScratch: [UInt8] = []
    private var valueScratch: [UInt8] = []
    private var entry: [UInt8] = []

    public static let entryKey = "_entry"
    public static let notAnObject = "expecting json object(6), but it is not"

    public init() {}

    public func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        guard let first = line.first else { return .keep }
        guard first == 0x7B else {
            labels.setError(PipelineError.json, details: UnpackStage.notAnObject)
            return .keep
        }
        let packed: Bool
        do {
            packed = try unpack(JSONScanner(line))
        } catch {
            labels.setError(PipelineError.json, details: error.rawValue)
            return .keep
        }
        guard packed else { return .keep }
        for p in pending { labels.setParsed(p.name, p.value) }
        return .replace(entry)
    }

    private static let entryKeyBytes = Array(entryKey.utf8)

    /// Reads the object into `pending` and `entry`; whether it had an `_entry` string.
    private func unpack(_ s: JSONScanner) throws(JSONScanError) -> Bool {
        pending.removeAll(keepingCapacity: true)
        var packed = false
        var reader = try JSONObjectReader(s, from: 0, end: s.d.count)
        while let key = try reader.nextKey() {
            let v = try reader.readValue()
            guard v.type == .string else { continue }
            if s.keyEquals(key, UnpackStage.entryKeyBytes, scratch: &keyScratch) {
                if s.hasBackslash(v.start, v.end) {
                    guard s.unescape(v.start, v.end, into: &entry) else { throw .malformedStringEscape }
                } else {
                    entry.removeAll(keepingCapacity: true)
                    entry.append(contentsOf: UnsafeRawBufferPointer(rebasing: s.d[v.start..<v.end]))
                }
                packed = true
                continue
            }
            name.removeAll(keepingCapacity: true)
            if key.escaped, s.unescape(key.start, key.end, into: &keyScratch) {
                keyScratch.withUnsafeBytes { LabelName.appendSanitized($0, 0, $0.count, to: &name) }
            } else {
                LabelName.appendSanitized(s.d, key.start, key.end, to: &name)
            }
            guard !name.isEmpty else { continue }
            pending.append((String(decoding: name, as: UTF8.self), s.stringValue(v.start, v.end, scratch: &valueScratch)))
        }
        return packed
    }
}
