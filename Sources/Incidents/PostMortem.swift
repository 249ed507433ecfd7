/// A post-mortem draft in the runbook's template: what the correlator found, ready to render as Markdown, HTML
/// or JSON. Every timeline item and claim carries the evidence that supports it.
public struct PostMortem: Codable, Sendable {
    /// `INC-YYYY-MM-DD-NNN`, or nil for an ad hoc report over a time range.
    public var id: IncidentID?
    public var title: String
    /// The UTC date of the start, `2025-11-21`.
    public var date: String
    public var start: Int64
    public var end: Int64
    /// First time something paged or a rule fired (alert or rule hit), if anything did.
    public var detectedAt: Int64?
    public var severity: Severity
    public var severityRule: String
    public var zones: [String]
    public var impactedServices: [String]
    public var summary: String
    public var timeline: [TimelineItem]
    public var rootCause: RootCause?
    public var impact: Impact
    public var actionItems: [String]
    public var prevention: [String]
    public var signatures: [Signature]
    public var ruleHits: [RuleHit]
    public var changes: [Change]
    /// Error and slow spans by service and operation, linked to the error log lines that share their trace ids
    /// (empty when no span store was searched; `limitations` then says so).
    public var traces: [SpanGroup]
    public var chart: Chart
    /// What the correlator could not look at (e.g. traces without a span store), said plainly.
    public var limitations: [String]
    /// The window that was searched (incident window plus margin).
    public var searchedFrom: Int64
    public var searchedTo: Int64

    public var duration: Int64 { end - start }
}

/// One line of the timeline.
public struct TimelineItem: Codable, Sendable, Equatable {
    public var time: Int64
    public var source: EventSource
    public var layer: Layer?
    public var text: String
    public var evidence: Evidence?
}

/// The proposed root cause: the earliest anomaly on the request path, with why, and the runners-up.
public struct RootCause: Codable, Sendable {
    public var candidate: Anomaly
    public var reasoning: String
    public var runnersUp: [Anomaly]
}

/// An anomaly the correlator considered for root cause: an error signature new in the window, a rule hit, or a
/// change (restart, deploy, reload).
public struct Anomaly: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case signature, rule, change, trace }
    public var kind: Kind
    public var layer: Layer
    public var zones: [String]
    public var start: Int64
    public var text: String
    public var evidence: Evidence
}

/// An error-log signature: lines clustered into a template by `PatternMiner`.
public struct Signature: Codable, Sendable, Equatable {
    public var template: String
    public var count: Int
    /// Lines of the same template in the baseline hour before the searched window.
    public var baselineCount: Int
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var layer: Layer?
    public var job: String
    public var zones: [String]
    public var hosts: [String]
    public var level: String
    public var example: String
    /// New or much more frequent than in the baseline.
    public var anomalous: Bool
    public var evidence: Evidence
}

/// A restart, deploy or configuration reload found in the logs.
public struct Change: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case restart, deploy, reload }
    public var kind: Kind
    public var time: Int64
    public var job: String
    public var layer: Layer?
    public var zone: String?
    public var host: String?
    public var text: String
    public var evidence: Evidence
}

/// What the incident cost, measured at the edge.
public struct Impact: Codable, Sendable, Equatable {
    /// 5xx responses at the edge in the scope's zones from the first to the last failure of the incident.
    public var failedRequests: Int
    /// All edge requests in the same span.
    public var totalRequests: Int
    public var failedShare: Double
    public var distinctClients: Int
    public var zones: [String]
    /// Endpoints (path without query) with failed requests, most failures first.
    public var endpoints: [EndpointImpact]
    public var firstFailure: Int64?
    public var lastFailure: Int64?
    /// First successful edge request after the last failure.
    public var recoveredAt: Int64?
    /// From the first anomaly to recovery, and from detection to recovery, ns.
    public var durationFromFirstAnomaly: Int64
    public var durationFromDetection: Int64?
    public var evidence: Evidence?
}

public struct EndpointImpact: Codable, Sendable, Equatable {
    public var path: String
    public var failed: Int
}

/// Per-minute request and 5xx counts at the edge over the searched window, for the chart.
public struct Chart: Codable, Sendable, Equatable {
    public var step: Int64
    public var times: [Int64]
    public var requests: [Int]
    public var errors: [Int]
}
