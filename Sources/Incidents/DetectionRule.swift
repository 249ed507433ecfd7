import LogQL

/// An incident detection rule (one YAML file in `queries/`): a LogQL metric expression evaluated every `every`,
/// compared with a threshold; a series whose values satisfy the comparison for at least `for` is a hit. The
/// expression is plain LogQL, so it can be pasted into `mclog query` unchanged.
public struct DetectionRule: Sendable {
    /// Identifier (the file name without `.yaml` by convention).
    public var name: String
    public var title: String
    public var expr: String
    public var query: MetricExpr
    public var comparison: Comparison
    public var threshold: Double
    /// How long the condition must hold before the rule fires, ns (0: at the first matching step).
    public var forDuration: Int64
    /// Evaluation interval and step of the range query, ns.
    public var every: Int64
    /// Static labels added to every hit (`service`, and `zone` for a zone-specific rule).
    public var labels: [String: String]
    public var severity: Severity
    public var layer: Layer
    /// The runbook section that handles this case.
    public var runbook: String
    /// Action-item hints for the post-mortem.
    public var actions: [String]
    /// Where the rule came from (file path), for messages.
    public var file: String

    public enum Comparison: String, Sendable, CaseIterable {
        case gt = ">", gte = ">=", lt = "<", lte = "<=", eq = "==", neq = "!="

        public func holds(_ v: Double, _ t: Double) -> Bool {
            switch self {
            case .gt: v > t
            case .gte: v >= t
            case .lt: v < t
            case .lte: v <= t
            case .eq: v == t
            case .neq: v != t
            }
        }
    }
}

/// A rule's firing: one series of its expression that satisfied the comparison for at least `for`.
public struct RuleHit: Sendable, Codable, Equatable {
    public var rule: String
    public var title: String
    /// The series' labels plus the rule's static labels.
    public var labels: [String: String]
    /// First and last evaluation time at which the condition held (Unix ns).
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// When the rule fired (`firstSeen + for`).
    public var firingAt: Int64
    public var peak: Double
    public var peakAt: Int64
    public var severity: Severity
    public var layer: Layer
    public var evidence: Evidence

    public var zone: String? { labels["zone"] }
}
