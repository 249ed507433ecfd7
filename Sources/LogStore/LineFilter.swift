import ByteSearch

/// A predicate on raw line bytes, pushed down into the store so that it runs on decompressed pages before any
/// `String` exists. LogQL compiles its line-filter stages into one of these.
public indirect enum LineFilter: Sendable {
    case contains(Literal)
    case notContains(Literal)
    case matches(Regex)
    case notMatches(Regex)
    /// Any of the filters (Loki's `|= "a" or "b"`).
    case any([LineFilter])
    /// Every filter (a chain of stages).
    case all([LineFilter])

    /// False when a page with this bloom cannot hold a matching line.
    public func mayMatch(_ bloom: NGramBloom) -> Bool {
        switch self {
        case .contains(let l): return l.caseInsensitive || bloom.mayContain(l.bytes)
        case .notContains, .matches, .notMatches: return true
        case .any(let fs): return fs.contains { $0.mayMatch(bloom) }
        case .all(let fs): return fs.allSatisfy { $0.mayMatch(bloom) }
        }
    }

    /// A regex every matching line matches (when there is no required literal), for a whole-page scan.
    var requiredRegex: Regex? {
        switch self {
        case .matches(let r): return r
        case .all(let fs): return fs.lazy.compactMap { $0.requiredRegex }.first
        default: return nil
        }
    }

    /// The literal every matching line contains, if the filter requires one (used for a whole-page memmem).
    var requiredLiteral: Literal? {
        switch self {
        case .contains(let l): return l.bytes.isEmpty ? nil : l
        case .all(let fs):
            return fs.lazy.compactMap { $0.requiredLiteral }.max { $0.bytes.count < $1.bytes.count }
        default: return nil
        }
    }
}

/// Per-thread evaluator of a `LineFilter` (regex match data is per thread).
final class LineFilterEvaluator {
    private indirect enum Node {
        case contains(Literal)
        case notContains(Literal)
        case matches(Regex.Matcher)
        case notMatches(Regex.Matcher)
        case any([Node])
        case all([Node])
    }

    private let root: Node

    init(_ filter: LineFilter) {
        func build(_ f: LineFilter) -> Node {
            switch f {
            case .contains(let l): return .contains(l)
            case .notContains(let l): return .notContains(l)
            case .matches(let r): return .matches(Regex.Matcher(r))
            case .notMatches(let r): return .notMatches(Regex.Matcher(r))
            case .any(let fs): return .any(fs.map(build))
            case .all(let fs): return .all(fs.map(build))
            }
        }
        root = build(filter)
    }

    @inline(__always) func matches(_ line: UnsafeRawBufferPointer) -> Bool { eval(root, line) }

    private func eval(_ n: Node, _ line: UnsafeRawBufferPointer) -> Bool {
        switch n {
        case .contains(let l): return l.occurs(in: line)
        case .notContains(let l): return !l.occurs(in: line)
        case .matches(let m): return m.matches(line)
        case .notMatches(let m): return !m.matches(line)
        case .any(let ns): return ns.contains { eval($0, line) }
        case .all(let ns): return ns.allSatisfy { eval($0, line) }
        }
    }
}
