/// `| logfmt [--strict] [--keep-empty] [label="key", ...]` (Loki's `LogfmtParser` and `LogfmtExpressionParser` in
/// `pkg/logql/log/parser.go`, with the decoder of `pkg/logql/log/logfmt/decode.go`).
///
/// - `key=value`, `key="quoted value"` (JSON-style escapes `\"`, `\\`, `\n`, `\uXXXX`, ...), and bare `key`
///   (an empty value). Names are sanitised (`LabelName`); a name that is a stream label gets `_extracted`; a key
///   that appears twice keeps the last value.
/// - Empty values are skipped unless `--keep-empty`.
/// - Malformed pairs are skipped; with `--strict` parsing stops at the first one and the line gets
///   `__error__="LogfmtParserErr"` and `__error_details__="logfmt syntax error at pos 8 : unexpected '='"`,
///   keeping the pairs read before it.
/// - With parameters only the given keys are read, each under its label name; a key not in the line gives an
///   empty label (unless that name is a stream label). `--keep-empty` does not apply.
/// - Invalid UTF-8 and U+FFFD in values become spaces (with parameters, such a value becomes empty).
public final class LogfmtParserStage: LogStage {
    public let strict: Bool
    public let keepEmpty: Bool
    /// `(label, key)` pairs as written; empty for the parameterless parser.
    public let extractions: [(label: String, key: String)]
    private var scratch: [UInt8] = []
    private var name: [UInt8] = []

    public init(strict: Bool = false, keepEmpty: Bool = false) {
        self.strict = strict
        self.keepEmpty = keepEmpty
        extractions = []
    }

    /// `| logfmt label="key", ...`; throws when a key expression or a label name is invalid.
    public init(strict: Bool = false, keepEmpty: Bool = false, extractions: [(label: String, key: String)]) throws {
        self.strict = strict
        self.keepEmpty = keepEmpty
        for e in extractions {
            try LogfmtParserStage.checkKeyExpression(e.key)
            guard LabelName.isValid(e.label) else { throw LogQLError("invalid extracted label name '\(e.label)'") }
        }
        self.extractions = extractions.map { ($0.label, $0.key.trimmingASCIISpaces()) }
    }

    public func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        var dec = LogfmtScanner(line)
        if extractions.isEmpty {
            while !dec.atEnd {
                guard dec.scanKeyval(scratch: &scratch) else {
                    if strict { break }
                    continue
                }
                guard let key = sanitizedKey(dec) else { continue }
                let value = valueString(dec, line, repair: true)
                if !keepEmpty && value.isEmpty { continue }
                labels.setParsed(key, value)
            }
        } else {
            for e in extractions where labels.stream[e.label] == nil { labels.setParsed(e.label, "") }
            while !dec.atEnd {
                guard dec.scanKeyval(scratch: &scratch) else {
                    if strict { break }
                    continue
                }
                guard var key = sanitizedKey(dec) else { continue }
                // Loki's lookup: a line key naming an expression's key becomes that expression's label.
                if let e = extractions.first(where: { $0.key == key }) { key = e.label }
                guard extractions.contains(where: { $0.label == key }) else { continue }
                labels.setParsed(key, valueString(dec, line, repair: false))
            }
        }
        if strict, let message = dec.errorMessage {
            labels.setError(PipelineError.logfmt, details: message)
        }
        return .keep
    }

    /// A key expression is one identifier; errors read like Loki's logfmt expression parser's.
    private static func checkKeyExpression(_ expression: String) throws {
        let key = expression.trimmingASCIISpaces()
        let b = Array(key.utf8)
        func fail(_ detail: String) -> LogQLError { LogQLError("cannot parse expression [\(expression)]: \(detail)") }
        guard let first = b.first else { throw fail("syntax error: unexpected $end, expecting KEY") }
        guard LabelName.isNameStart(first) else { throw fail("unexpected char \(key.unicodeScalars.first!)") }
        var i = 1
        while i < b.count, LabelName.isNameByte(b[i]) { i += 1 }
        guard i < b.count else { return }
        var j = i
        while j < b.count, b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0A { j += 1 }
        if LabelName.isNameStart(b[j]) { throw fail("syntax error: unexpected KEY") }
        let rest = String(decoding: b[j...], as: UTF8.self)
        throw fail("unexpected char \(rest.unicodeScalars.first!)")
    }

    private func sanitizedKey(_ dec: LogfmtScanner) -> String? {
        name.removeAll(keepingCapacity: true)
        LabelName.appendSanitized(dec.line, dec.keyStart, dec.keyEnd, to: &name)
        return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
    }

    private func valueString(_ dec: LogfmtScanner, _ line: UnsafeRawBufferPointer, repair: Bool) -> String {
        if dec.valueInScratch {
            return scratch.withUnsafeBytes { value($0, 0, $0.count, repair: repair) }
        }
        return value(line, dec.valueStart, dec.valueEnd, repair: repair)
    }

    private func value(_ d: UnsafeRawBufferPointer, _ s: Int, _ e: Int, repair: Bool) -> String {
        if repair { return GoText.labelValue(d, s, e) }
        if GoText.containsRuneError(d, s, e) { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: d[s..<e]), as: UTF8.self)
    }
}

/// The logfmt decoder of Loki (`pkg/logql/log/logfmt/decode.go`, adapted from go-logfmt) over raw bytes.
/// After `scanKeyval` returns true, the key is `line[keyStart..<keyEnd]` and the value is `line[valueStart..<valueEnd]`,
/// or the scratch buffer when `valueInScratch` (a quoted value with escapes).
struct LogfmtScanner {
    let line: UnsafeRawBufferPointer
    private(set) var pos = 0
    private(set) var keyStart = 0
    private(set) var keyEnd = 0
    private(set) var valueStart = 0
    private(set) var valueEnd = 0
    private(set) var valueInScratch = false
    /// The last syntax error: its 1-based position and what it was.
    private var error: (pos: Int, kind: ErrorKind)?

    enum ErrorKind {
        case invalidKey, unexpectedEquals, unexpectedQuote, unterminatedQuote, invalidQuote

        var text: String {
            switch self {
            case .invalidKey: "invalid key"
            case .unexpectedEquals: "unexpected '='"
            case .unexpectedQuote: "unexpected '\"'"
            case .unterminatedQuote: "unterminated quoted value"
            case .invalidQuote: "invalid quoted value"
            }
        }
    }

    init(_ line: UnsafeRawBufferPointer) { self.line = line }

    var atEnd: Bool { pos >= line.count }

    /// Loki's message for the last syntax error, e.g. `logfmt syntax error at pos 8 : unexpected '='`.
    var errorMessage: String? { error.map { "logfmt syntax error at pos \($0.pos) : \($0.kind.text)" } }

    private mutating func fail(_ kind: ErrorKind) { error = (pos + 1, kind) }

    /// Reads the next pair; false at the end of the line or on a malformed pair (which is skipped).
    mutating func scanKeyval(scratch: inout [UInt8]) -> Bool {
        let n = line.count
        keyStart = 0; keyEnd = 0; valueStart = 0; valueEnd = 0; valueInScratch = false
        while pos < n && line[pos] <= 0x20 { pos += 1 }
        if pos >= n { return false }

        let start = pos
        var multibyte = false
        while pos < n {
            let c = line[pos]
            if c == 0x3D {  // =
                guard pos > start else {
                    fail(.unexpectedEquals)
                    return skipValue()
                }
                keyStart = start; keyEnd = pos
                if multibyte && GoText.containsRuneError(line, start, pos) {
                    fail(.invalidKey)
                    return skipValue()
                }
                return scanValue(scratch: &scratch)
            }
            if c == 0x22 {
                fail(.unexpectedQuote)
                return skipValue()
            }
            if c <= 0x20 {
                keyStart = start; keyEnd = pos
                if multibyte && GoText.containsRuneError(line, start, pos) {
                    fail(.invalidKey)
                    return false
                }
                return true
            }
            if c >= 0x80 { multibyte = true }
            pos += 1
        }
        keyStart = start; keyEnd = pos
        if multibyte && GoText.containsRuneError(line, start, pos) {
            fail(.invalidKey)
            return false
        }
        return true
    }

    /// With `pos` at the `=` after a key.
    private mutating func scanValue(scratch: inout [UInt8]) -> Bool {
        let n = line.count
        pos += 1
        if pos >= n { return true }
        let first = line[pos]
        if first <= 0x20 { return true }
        if first == 0x22 { return scanQuotedValue(scratch: &scratch) }
        let start = pos
        while pos < n {
            let c = line[pos]
            if c == 0x3D || c == 0x22 {
                fail(c == 0x3D ? .unexpectedEquals : .unexpectedQuote)
                return skipValue()
            }
            if c <= 0x20 { break }
            pos += 1
        }
        valueStart = start; valueEnd = pos
        return true
    }

    private mutating func skipValue() -> Bool {
        while pos < line.count && line[pos] > 0x20 { pos += 1 }
        return false
    }

    /// With `pos` at the opening quote.
    private mutating func scanQuotedValue(scratch: inout [UInt8]) -> Bool {
        let n = line.count
        let start = pos
        var hasEscape = false, escaped = false
        var p = pos + 1
        while p < n {
            let c = line[p]
            if escaped {
                escaped = false
            } else if c == 0x5C {
                hasEscape = true
                escaped = true
            } else if c == 0x22 {
                pos = p + 1
                if hasEscape {
                    guard unquote(start + 1, p, into: &scratch) else {
                        fail(.invalidQuote)
                        return false
                    }
                    valueInScratch = true
                } else {
                    valueStart = start + 1; valueEnd = p
                }
                return true
            }
            p += 1
        }
        pos = n
        fail(.unterminatedQuote)
        return false
    }

    /// Go's `encoding/json` unquoting of `line[s..<e]` (between the quotes): escapes `\" \\ \/ \' \b \f \n \r \t
    /// \uXXXX`, surrogate pairs (a lone surrogate becomes U+FFFD), invalid UTF-8 bytes become U+FFFD.
    private func unquote(_ s: Int, _ e: Int, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var r = s
        while r < e {
            let c = line[r]
            if c == 0x5C {
                guard r + 1 < e else { return false }
                switch line[r + 1] {
                case 0x22, 0x5C, 0x2F, 0x27: out.append(line[r + 1])
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    guard let u = GoText.hex4(line, r + 2, e) else { return false }
                    r += 6
                    if u >= 0xD800 && u < 0xE000 {
                        if u < 0xDC00, r + 6 <= e, line[r] == 0x5C, line[r + 1] == 0x75,
                            let u2 = GoText.hex4(line, r + 2, e), u2 >= 0xDC00 && u2 < 0xE000
                        {
                            GoText.appendUTF8(0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00), to: &out)
                            r += 6
                        } else {
                            GoText.appendUTF8(0xFFFD, to: &out)
                        }
                    } else {
                        GoText.appendUTF8(u, to: &out)
                    }
                    continue
                default:
                    return false
                }
                r += 2
            } else if c < 0x80 {
                out.append(c)
                r += 1
            } else {
                let len = GoText.runeLength(line, r, e)
                if len == 0 {
                    GoText.appendUTF8(0xFFFD, to: &out)
                    r += 1
                } else {
                    for k in r..<(r + len) { out.append(line[k]) }
                    r += len
                }
            }
        }
        return true
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        let u = Array(utf8)
        var s = 0, e = u.count
        while s < e, u[s] == 0x20 || u[s] == 0x09 || u[s] == 0x0A { s += 1 }
        while e > s, u[e - 1] == 0x20 || u[e - 1] == 0x09 || u[e - 1] == 0x0A { e -= 1 }
        return String(decoding: u[s..<e], as: UTF8.self)
    }
}
