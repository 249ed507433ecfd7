import ByteSearch
import LogStore

/// A line filter stage as written: `|= "x"`, `!= "x"`, `|~ "re"`, `!~ "re"`, with `or` alternatives.
public struct LineFilterStage: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable { case contains = "|=", notContains = "!=", matches = "|~", notMatches = "!~" }
    public let op: Op
    /// One or more values; more than one means `|= "a" or "b"`.
    public let values: [String]

    public var description: String {
        op.rawValue + " " + values.map { "\"" + escapeLogQL($0) + "\"" }.joined(separator: " or ")
    }
}

/// A log query: stream selector plus line filters (the subset `mclog query` runs until the full engine lands).
public struct LogSelector: Sendable, CustomStringConvertible {
    public let matchers: [LabelMatcher]
    public let filters: [LineFilterStage]

    /// Canonical text: `{a="x", b=~"y"} |= "z"`.
    public var description: String {
        "{" + matchers.map(\.description).joined(separator: ", ") + "}"
            + filters.map { " " + $0.description }.joined()
    }

    /// The filters as one store-level predicate (pushed down to run on raw page bytes).
    public func lineFilter() throws -> LineFilter? {
        guard !filters.isEmpty else { return nil }
        let parts: [LineFilter] = try filters.map { f in
            switch f.op {
            case .contains:
                return f.values.count == 1 ? .contains(Literal(f.values[0])) : .any(f.values.map { .contains(Literal($0)) })
            case .notContains:
                // `!= "a" or "b"` drops lines containing a or b.
                return .all(f.values.map { .notContains(Literal($0)) })
            case .matches:
                let rs = try f.values.map { try LogSelector.regex($0) }
                return rs.count == 1 ? .matches(rs[0]) : .any(rs.map { .matches($0) })
            case .notMatches:
                return .all(try f.values.map { .notMatches(try LogSelector.regex($0)) })
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    static func regex(_ pattern: String) throws -> Regex {
        do { return try Regex(pattern) } catch let e as RegexError {
            throw LogQLError("invalid regex in line filter: \(e.message) (offset \(e.offset) of \"\(pattern)\")")
        }
    }
}

func escapeLogQL(_ s: String) -> String {
    var out = ""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}
