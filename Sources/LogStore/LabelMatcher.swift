import ByteSearch

/// A stream-selector matcher: `name = "v"`, `!=`, `=~` (fully anchored regex), `!~`.
/// A stream without the label matches as if its value were the empty string (Loki/Prometheus semantics).
public struct LabelMatcher: Sendable, CustomStringConvertible {
    public enum Op: String, Sendable { case eq = "=", neq = "!=", re = "=~", nre = "!~" }

    public let name: String
    public let op: Op
    public let value: String
    let regex: Regex?

    public init(_ name: String, _ op: Op, _ value: String) throws {
        self.name = name
        self.op = op
        self.value = value
        regex = (op == .re || op == .nre) ? try Regex(value, anchored: true) : nil
    }

    /// Whether a stream whose value for `name` is `v` (nil: label absent) is selected.
    public func matches(_ v: String?) -> Bool {
        let s = v ?? ""
        switch op {
        case .eq: return s == value
        case .neq: return s != value
        case .re: return regex!.matches(s)
        case .nre: return !regex!.matches(s)
        }
    }

    public func matches(_ labels: LabelSet) -> Bool { matches(labels[name]) }

    /// True when the matcher also selects streams that lack the label.
    public var matchesEmpty: Bool { matches(nil) }

    public var description: String { "\(name)\(op.rawValue)\"\(LabelSet.escape(value))\"" }
}
