import ByteSearch
import LogStore

/// A line filter stage as written: `|= "x"`, `!= "x"`, `|~ "re"`, `!~ "re"`, `|> "<_> pattern"`, `!> …`, with
/// `or` alternatives and `ip("cidr")` values.
public struct LineFilterStage: Sendable, CustomStringConvertible {
    public enum Op: String, Sendable {
        case contains = "|=", notContains = "!=", matches = "|~", notMatches = "!~"
        case pattern = "|>", notPattern = "!>"

        var negated: Bool { self == .notContains || self == .notMatches || self == .notPattern }
    }

    public enum Value: Sendable, CustomStringConvertible {
        case text(String)
        case ip(String)

        public var description: String {
            switch self {
            case .text(let s): "\"" + escapeLogQL(s) + "\""
            case .ip(let s): "ip(\"" + escapeLogQL(s) + "\")"
            }
        }
    }

    public let op: Op
    /// One or more values; more than one means `|= "a" or "b"`.
    public let values: [Value]

    public var description: String { op.rawValue + " " + values.map(\.description).joined(separator: " or ") }

    /// The stage as a store-level predicate on raw bytes, when it can be one (text and regex filters).
    /// `(?i)literal` regexes and alternations of plain literals are rewritten to literal searches, as Loki does.
    func storeFilter() throws -> LineFilter? {
        var parts: [LineFilter] = []
        for v in values {
            guard case .text(let s) = v else { return nil }
            switch op {
            case .contains, .notContains: parts.append(.contains(Literal(s)))
            case .matches, .notMatches:
                if let (literals, fold) = LineFilterStage.literalAlternation(s) {
                    let needles = literals.map { fold ? Literal(caseInsensitive: $0) : Literal($0) }
                    parts.append(needles.count == 1 ? .contains(needles[0]) : .any(needles.map { .contains($0) }))
                } else {
                    parts.append(.matches(try LineFilterStage.regex(s)))
                }
            case .pattern, .notPattern: return nil
            }
        }
        let any: LineFilter = parts.count == 1 ? parts[0] : .any(parts)
        guard op.negated else { return any }
        // `!= "a" or "b"` drops lines with a or b.
        return .all(parts.map { p in
            switch p {
            case .contains(let l): .notContains(l)
            case .matches(let r): .notMatches(r)
            case .any(let ls): .all(ls.map { if case .contains(let l) = $0 { .notContains(l) } else { $0 } })
            default: p
            }
        })
    }

    static func regex(_ pattern: String) throws -> Regex {
        do { return try Regex(pattern) } catch let e as RegexError {
            throw LogQLError("invalid regex in line filter: \(e.message) (offset \(e.offset) of \"\(pattern)\")")
        }
    }

    /// `foo`, `foo|bar`, `.*foo.*`, `(?i)foo`: a regex that only asks for one of some literals, or nil. With a
    /// leading `(?i)` (and only ASCII in the literals) the literals match case-insensitively, as Loki rewrites
    /// `|~ "(?i)foo"` to a case-insensitive contains filter.
    static func literalAlternation(_ pattern: String) -> (literals: [String], caseInsensitive: Bool)? {
        var p = Substring(pattern)
        var fold = false
        if p.hasPrefix("(?i)") {
            p = p.dropFirst(4)
            fold = true
        }
        if p.hasPrefix(".*") { p = p.dropFirst(2) }
        if p.hasSuffix(".*") && !p.hasSuffix("\\.*") { p = p.dropLast(2) }
        let special = Set("\\^$.|?*+()[]{}")
        let alternatives = p.split(separator: "|", omittingEmptySubsequences: false)
        guard !alternatives.isEmpty, alternatives.allSatisfy({ !$0.isEmpty && !$0.contains(where: special.contains) })
        else { return nil }
        if fold && !p.utf8.allSatisfy({ $0 < 0x80 }) { return nil }
        return (alternatives.map(String.init), fold)
    }
}

extension LogQuery {
    /// The line filters that can run inside the store on raw page bytes: every text/regex line filter before the
    /// first stage that rewrites the line. Returns the predicate and the stage indices it covers.
    public func pushdownFilter() throws -> (LineFilter?, Set<Int>) {
        var parts: [LineFilter] = []
        var covered = Set<Int>()
        for (i, stage) in stages.enumerated() {
            switch stage {
            case .lineFilter(let f):
                if let sf = try f.storeFilter() {
                    parts.append(sf)
                    covered.insert(i)
                }
            case .lineFormat, .unpack, .decolorize:
                return (parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .all(parts), covered)
            default: continue
            }
        }
        return (parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .all(parts), covered)
    }
}

func escapeLogQL(_ s: String) -> String { LabelSet.escape(s) }
