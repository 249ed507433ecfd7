/// `| json` and `| json label="path", ...` (Loki's `JSONParser` and `JSONExpressionParser` in
/// `pkg/logql/log/parser.go`).
///
/// Without parameters every scalar member becomes a label:
/// - nested objects are flattened with `_` (`{"a":{"b":1}}` → `a_b="1"`); arrays and nulls are skipped;
/// - strings are unescaped, numbers kept as written (`5.50`, `1e3`), booleans `true`/`false`;
/// - names are sanitised (`LabelName`); a name that is a stream label gets `_extracted`;
/// - a key that appears twice keeps the last value;
/// - a line that is not a JSON object gets `__error__="JSONParserErr"` and `__error_details__` with jsonparser's
///   message (`Value looks like object, but can't find closing '}' symbol`); members read before the error stay.
///
/// With parameters only the given paths are read (`a.b`, `a["b c"]`, `list[0]`, `["a"].b[1].c`):
/// - the first occurrence of a key wins; objects and arrays are returned as their JSON text; null gives "";
/// - a path that is not in the line gives an empty label (unless that name already exists);
/// - a line not starting with `{`, `[` or `"` gets `__error__="JSONParserErr"` without details; a value that
///   cannot be read where a path leads gets the error with jsonparser's message.
public final class JSONParserStage: LogStage {
    /// `(label, path)` pairs as written; empty for the parameterless parser.
    public let extractions: [(label: String, path: String)]
    private let paths: [[JSONPath.Segment]]
    private var prefix: [UInt8] = []
    private var keyScratch: [UInt8] = []
    private var valueScratch: [UInt8] = []
    private var found: [Bool] = []

    /// The parameterless `| json`.
    public init() {
        extractions = []
        paths = []
        prefix.reserveCapacity(256)
    }

    /// `| json label="path", ...`; throws when a path or a label name is invalid.
    public init(extractions: [(label: String, path: String)]) throws {
        self.extractions = extractions
        var paths: [[JSONPath.Segment]] = []
        for e in extractions {
            let segments = try JSONPath.parse(e.path)
            guard LabelName.isValid(e.label) else { throw LogQLError("invalid extracted label name '\(e.label)'") }
            paths.append(segments)
        }
        self.paths = paths
        found = Array(repeating: false, count: paths.count)
        prefix.reserveCapacity(256)
    }

    public func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        if paths.isEmpty { flattenLine(line, labels) } else { extractPaths(line, labels) }
        return .keep
    }

    // MARK: - All members

    private func flattenLine(_ line: UnsafeRawBufferPointer, _ labels: LabelsBuilder) {
        prefix.removeAll(keepingCapacity: true)
        do {
            try flatten(JSONScanner(line), from: 0, end: line.count, labels)
        } catch {
            labels.setError(PipelineError.json, details: error.rawValue)
        }
    }

    private func flatten(_ s: JSONScanner, from: Int, end: Int, _ labels: LabelsBuilder) throws(JSONScanError) {
        var reader = try JSONObjectReader(s, from: from, end: end)
        while let key = try reader.nextKey() {
            let v = try reader.readValue()
            switch v.type {
            case .string, .number, .boolean:
                let mark = prefix.count
                if mark > 0 { prefix.append(0x5F) }
                appendKey(s, key)
                if !prefix.isEmpty {
                    labels.setParsed(String(decoding: prefix, as: UTF8.self), render(s, v))
                }
                prefix.removeLast(prefix.count - mark)
            case .object:
                let mark = prefix.count
                if mark > 0 { prefix.append(0x5F) }
                appendKey(s, key)
                try flatten(s, from: v.start, end: v.end, labels)
                prefix.removeLast(prefix.count - mark)
            case .array, .null:
                continue
            }
        }
    }

    private func appendKey(_ s: JSONScanner, _ key: JSONKey) {
        if key.escaped, s.unescape(key.start, key.end, into: &keyScratch) {
            keyScratch.withUnsafeBytes { LabelName.appendSanitized($0, 0, $0.count, to: &prefix) }
        } else {
            LabelName.appendSanitized(s.d, key.start, key.end, to: &prefix)
        }
    }

    private func render(_ s: JSONScanner, _ v: JSONValue) -> String {
        switch v.type {
        case .string: s.stringValue(v.start, v.end, scratch: &valueScratch)
        case .boolean: s.d[v.start] == 0x74 ? "true" : "false"
        case .null: ""
        default: String(decoding: UnsafeRawBufferPointer(rebasing: s.d[v.start..<v.end]), as: UTF8.self)
        }
    }

    // MARK: - Given paths

    private enum Lookup {
        case found(JSONValue)
        case missing
        case failed(JSONScanError)
    }

    private func extractPaths(_ line: UnsafeRawBufferPointer, _ labels: LabelsBuilder) {
        guard let first = line.first else { return }
        guard first == 0x7B || first == 0x5B || first == 0x22 else {
            labels.setError(PipelineError.json)
            return
        }
        let s = JSONScanner(line)
        for (i, path) in paths.enumerated() {
            switch lookup(s, path) {
            case .found(let v):
                found[i] = true
                let text: String
                switch v.type {
                case .null: text = ""
                case .object: text = String(decoding: UnsafeRawBufferPointer(rebasing: line[v.start..<v.end]), as: UTF8.self)
                default: text = s.stringValue(v.start, v.end, scratch: &valueScratch)
                }
                labels.setParsed(extractions[i].label, text)
            case .missing:
                found[i] = false
            case .failed(let e):
                found[i] = false
                labels.setError(PipelineError.json, details: e.rawValue)
            }
        }
        for i in paths.indices where !found[i] && !labels.has(extractions[i].label) {
            labels.setParsed(extractions[i].label, "")
        }
    }

    /// Follows `path` from the top of the line. Malformed text met before the path's end is skipped as not found
    /// (jsonparser's key search does not validate it); the value the path leads to must be readable.
    private func lookup(_ s: JSONScanner, _ path: [JSONPath.Segment]) -> Lookup {
        var at = 0
        let end = s.d.count
        for (n, segment) in path.enumerated() {
            let last = n == path.count - 1
            switch segment {
            case .key(let name):
                guard var reader = try? JSONObjectReader(s, from: at, end: end) else { return .missing }
                while true {
                    guard let key = try? reader.nextKey() else { return .missing }
                    if s.keyEquals(key, name, scratch: &keyScratch) {
                        if last {
                            do { return .found(try reader.readValue()) } catch { return .failed(error) }
                        }
                        at = reader.valueOffset
                        break
                    }
                    guard (try? reader.readValue()) != nil else { return .missing }
                }
            case .index(let index):
                guard var reader = try? JSONArrayReader(s, from: at, end: end) else { return .missing }
                var i = 0
                while true {
                    guard let offset = try? reader.nextElement() else { return .missing }
                    if i == index {
                        if last {
                            do { return .found(try reader.readValue()) } catch { return .failed(error) }
                        }
                        at = offset
                        break
                    }
                    guard (try? reader.readValue()) != nil else { return .missing }
                    i += 1
                }
            }
        }
        return .missing
    }
}

/// Loki's JSON expressions for `| json label="expr"` (`pkg/logql/log/jsonexpr`): a field or `["key"]` or `[index]`,
/// then any number of `.field`, `["key"]`, `[index]`.
public enum JSONPath {
    public enum Segment: Equatable, Sendable {
        case key([UInt8])
        case index(Int)
    }

    private enum Token: Equatable {
        case dot, lsb, rsb, end
        case string(String)
        case field(String)
        case index(Int)

        var name: String {
            switch self {
            case .dot: "DOT"
            case .lsb: "LSB"
            case .rsb: "RSB"
            case .end: "$end"
            case .string: "STRING"
            case .field: "FIELD"
            case .index: "INDEX"
            }
        }
    }

    /// Parses an expression; errors read like Loki's (`cannot parse expression [pod..uuid]: syntax error:
    /// unexpected DOT, expecting FIELD`).
    public static func parse(_ expression: String) throws -> [Segment] {
        let scalars = Array(expression.unicodeScalars)
        var i = 0
        var lexError: String?

        func next() -> Token {
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" || scalars[i] == "\n" { i += 1 }
            guard i < scalars.count, scalars[i] != "\0" else { return .end }
            let c = scalars[i]
            switch c {
            case "0"..."9":
                var digits = ""
                while true {
                    guard i < scalars.count else {
                        lexError = "non-integer value: \u{0}"
                        return .end
                    }
                    let d = scalars[i]
                    if d == ".", !digits.isEmpty {
                        lexError = "cannot use float as array index"
                        return .end
                    }
                    if d == " " || d == "\t" || d == "\n" || d == "." || d == "]" { break }
                    guard d >= "0" && d <= "9" else {
                        lexError = "non-integer value: \(d)"
                        return .end
                    }
                    digits.unicodeScalars.append(d)
                    i += 1
                }
                guard let v = Int(digits) else {
                    lexError = "strconv.Atoi: parsing \"\(digits)\": value out of range"
                    return .end
                }
                return .index(v)
            case "[": i += 1; return .lsb
            case "]": i += 1; return .rsb
            case ".": i += 1; return .dot
            case "\"":
                i += 1
                var s = ""
                while i < scalars.count, scalars[i] != "\0" {
                    let d = scalars[i]
                    i += 1
                    if d == "\"" || d == "]" { break }
                    s.unicodeScalars.append(d)
                }
                return .string(s)
            default:
                guard isFieldStart(c) else {
                    lexError = "unexpected char \(c)"
                    return .end
                }
                var s = ""
                while i < scalars.count, isFieldStart(scalars[i]) || ("0"..."9").contains(scalars[i]) {
                    s.unicodeScalars.append(scalars[i])
                    i += 1
                }
                return .field(s)
            }
        }

        func fail(_ t: Token, expecting: String?) -> LogQLError {
            let detail = "unexpected \(t.name)" + (expecting.map { ", expecting \($0)" } ?? "")
            return LogQLError("cannot parse expression [\(expression)]: syntax error: \(detail)")
        }

        /// After `[`: `"key"]` or `index]`.
        func bracket() throws -> Segment {
            let t = next()
            let segment: Segment
            switch t {
            case .string(let s): segment = .key(Array(s.utf8))
            case .index(let v): segment = .index(v)
            default: throw fail(t, expecting: "STRING or INDEX")
            }
            let close = next()
            guard close == .rsb else { throw fail(close, expecting: "RSB") }
            return segment
        }

        var segments: [Segment] = []
        let first = next()
        switch first {
        case .field(let f): segments.append(.key(Array(f.utf8)))
        case .lsb: segments.append(try bracket())
        default: throw fail(first, expecting: "LSB or FIELD")
        }
        while true {
            let t = next()
            switch t {
            case .end:
                if let lexError { throw LogQLError("cannot parse expression [\(expression)]: \(lexError)") }
                return segments
            case .lsb:
                segments.append(try bracket())
            case .dot:
                let f = next()
                guard case .field(let name) = f else { throw fail(f, expecting: "FIELD") }
                segments.append(.key(Array(name.utf8)))
            default:
                throw fail(t, expecting: nil)
            }
        }
    }

    private static func isFieldStart(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_"
    }
}
