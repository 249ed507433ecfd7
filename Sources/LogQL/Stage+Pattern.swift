import ByteSearch
import CGlibcExtras

/// A Loki pattern (`pkg/logql/log/pattern`): literal text and captures `<name>` / `<_>`, used by `| pattern` to
/// extract labels and by the `|>` / `!>` line filters to test lines.
///
/// - A capture is `<` + `[a-zA-Z_][a-zA-Z0-9_]*` + `>`; any other `<` is literal text. `<_>` captures nothing.
/// - Extraction (`| pattern`): a leading literal must start the line; each capture takes the text up to the
///   first occurrence of the literal after it; when that literal is missing, the capture takes the rest of the
///   line and extraction stops there (later captures are not set). Text after a trailing literal is ignored.
/// - Testing (`|>`): every literal must occur in order, captures between literals must be non-empty, a pattern
///   ending in a literal must end the line and one ending in a capture must leave text for it. As in Loki, a
///   leading literal is searched for rather than anchored at the start.
public struct PatternMatcher: Sendable, CustomStringConvertible {
    enum Node: Sendable {
        case literal(Literal)
        /// nil for `<_>`.
        case capture(String?)

        var text: String {
            switch self {
            case .literal(let l): String(decoding: l.bytes, as: UTF8.self)
            case .capture(let name): "<" + (name ?? "_") + ">"
            }
        }
    }

    public let pattern: String
    let nodes: [Node]
    /// Named captures in order.
    public let names: [String]
    /// `nodes` for `extract`, as plain values (no reference counting per line): a literal's bytes are
    /// `literalBytes[start ..< start + count]`.
    private let steps: [Step]
    private let literalBytes: [UInt8]

    struct Step {
        /// `Step.literal`, `Step.unnamed` (`<_>`), or the ordinal of a named capture.
        var kind: Int
        var start: Int
        var count: Int
        static let literal = -2
        static let unnamed = -1
    }

    static func compile(_ nodes: [Node]) -> ([Step], [UInt8]) {
        var steps: [Step] = []
        var bytes: [UInt8] = []
        var ordinal = 0
        for node in nodes {
            switch node {
            case .literal(let l):
                steps.append(Step(kind: Step.literal, start: bytes.count, count: l.bytes.count))
                bytes += l.bytes
            case .capture(let name):
                steps.append(Step(kind: name == nil ? Step.unnamed : ordinal, start: 0, count: 0))
                if name != nil { ordinal += 1 }
            }
        }
        return (steps, bytes)
    }

    /// A `| pattern` expression: at least one named capture, no two captures in a row, no repeated name.
    public init(pattern: String) throws {
        let nodes = try PatternMatcher.parse(pattern)
        let names = nodes.compactMap { if case .capture(let n) = $0 { n } else { nil } }
        guard !names.isEmpty else { throw LogQLError("at least one capture is required") }
        try PatternMatcher.checkNoConsecutiveCaptures(nodes)
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw LogQLError("duplicate capture name (\(n)): invalid expression")
        }
        self.pattern = pattern
        self.nodes = nodes
        self.names = names
        (steps, literalBytes) = PatternMatcher.compile(nodes)
    }

    /// A `|>` / `!>` line filter pattern: only `<_>` captures, none in a row. The empty pattern matches only
    /// empty lines.
    public init(lineFilter pattern: String) throws {
        let nodes = pattern.isEmpty ? [] : try PatternMatcher.parse(pattern)
        try PatternMatcher.checkNoConsecutiveCaptures(nodes)
        for n in nodes {
            if case .capture(let name?) = n {
                throw LogQLError("named captures are not allowed: found '<\(name)>'")
            }
        }
        self.pattern = pattern
        self.nodes = nodes
        self.names = []
        (steps, literalBytes) = PatternMatcher.compile(nodes)
    }

    public var description: String { pattern }

    /// Whether `line` matches, as Loki's pattern line filter decides (`Matcher.Test`).
    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        if line.isEmpty || nodes.isEmpty { return line.isEmpty && nodes.isEmpty }
        var offset = 0
        for (i, node) in nodes.enumerated() {
            guard case .literal(let lit) = node else { continue }
            guard let j = lit.firstIndex(in: line, from: offset) else { return false }
            // A literal right where the previous one ended means an empty capture between them.
            if i != 0 && j == offset { return false }
            offset = j + lit.bytes.count
        }
        guard case .capture = nodes[nodes.count - 1] else { return offset == line.count }
        return offset != line.count
    }

    /// Calls `body(i, range)` for the named captures `names[i]` that `line` yields (`Matcher.Matches`), stopping
    /// after capture `through` (later captures cannot change earlier ones).
    public func extract(_ line: UnsafeRawBufferPointer, through: Int = Int.max, _ body: (Int, Range<Int>) -> Void) {
        guard !line.isEmpty, !steps.isEmpty, let base = line.baseAddress else { return }
        steps.withUnsafeBufferPointer { steps in
            literalBytes.withUnsafeBytes { lits in
                var pos = 0
                var n = 0
                if steps[0].kind == Step.literal {
                    let l = steps[0]
                    guard l.count <= line.count, memcmp(base, lits.baseAddress! + l.start, l.count) == 0 else { return }
                    pos = l.count
                    n = 1
                }
                while n < steps.count {
                    let c = steps[n]
                    guard c.kind != Step.literal else { return }
                    if n == steps.count - 1 {
                        if c.kind >= 0 { body(c.kind, pos..<line.count) }
                        return
                    }
                    let l = steps[n + 1]
                    guard l.kind == Step.literal else { return }
                    n += 2
                    guard let hit = mclog_find(base + pos, line.count - pos, lits.baseAddress! + l.start, l.count) else {
                        if c.kind >= 0 { body(c.kind, pos..<line.count) }
                        return
                    }
                    let i = base.distance(to: hit)
                    if c.kind >= 0 {
                        body(c.kind, pos..<i)
                        if c.kind == through { return }
                    }
                    pos = i + l.count
                }
            }
        }
    }

    /// Splits the pattern into literal runs and captures; the empty pattern is a syntax error.
    static func parse(_ pattern: String) throws -> [Node] {
        let b = Array(pattern.utf8)
        var nodes: [Node] = []
        var literal: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == 0x3C, i + 1 < b.count, LabelName.isNameStart(b[i + 1]) {
                var j = i + 2
                while j < b.count, LabelName.isNameByte(b[j]) { j += 1 }
                if j < b.count, b[j] == 0x3E {
                    if !literal.isEmpty {
                        nodes.append(.literal(Literal(literal)))
                        literal.removeAll()
                    }
                    let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
                    nodes.append(.capture(name == "_" ? nil : name))
                    i = j + 1
                    continue
                }
            }
            literal.append(b[i])
            i += 1
        }
        if !literal.isEmpty { nodes.append(.literal(Literal(literal))) }
        guard !nodes.isEmpty else {
            throw LogQLError("parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or LITERAL")
        }
        return nodes
    }

    private static func checkNoConsecutiveCaptures(_ nodes: [Node]) throws {
        for i in nodes.indices.dropLast() {
            if case .capture = nodes[i], case .capture = nodes[i + 1] {
                throw LogQLError("found consecutive capture '\(nodes[i].text)\(nodes[i + 1].text)': invalid expression")
            }
        }
    }
}

/// `| pattern "<ip> - - [<_>] \"<method> <path> <_>\" <status> <_>"` (Loki's `PatternParser`): each named
/// capture the line yields becomes a label; a name that is a stream label gets `_extracted`. A line that does
/// not fit sets nothing; there is no error label.
public final class PatternParserStage: LogStage {
    public let matcher: PatternMatcher
    /// Per named capture: the label name, and the name with `_extracted` (used when it clashes with a stream label).
    private let plain: [String]
    private let extracted: [String]
    /// Per capture and name form: whether anything after this stage reads the label (all, unless `restrict`ed).
    private var wantPlain: [Bool]
    private var wantExtracted: [Bool]
    /// The last capture anything reads (-1: none); extraction stops there.
    private var lastWanted: Int

    public init(pattern: String) throws {
        matcher = try PatternMatcher(pattern: pattern)
        plain = matcher.names
        extracted = matcher.names.map { $0 + "_extracted" }
        wantPlain = Array(repeating: true, count: plain.count)
        wantExtracted = wantPlain
        lastWanted = plain.count - 1
    }

    /// Only labels named in `needed` are read after this stage (no later stage reads labels): extract only
    /// those captures, and stop after the last of them. Labels nobody reads are never built.
    func restrict(to needed: Set<String>) {
        wantPlain = plain.map { needed.contains($0) }
        wantExtracted = extracted.map { needed.contains($0) }
        lastWanted = plain.indices.last { wantPlain[$0] || wantExtracted[$0] } ?? -1
    }

    public func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        guard lastWanted >= 0 else { return .keep }
        matcher.extract(line, through: lastWanted) { i, range in
            guard wantPlain[i] || wantExtracted[i] else { return }
            let isPlain = labels.parsedNameIsPlain(plain[i])
            guard isPlain ? wantPlain[i] : wantExtracted[i] else { return }
            labels.setParsed(resolved: isPlain ? plain[i] : extracted[i],
                             String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self))
        }
        return .keep
    }
}
