/// An incident: a time window and a scope (zones, services) with a severity, the events that explain it and the
/// notes people added. Times are Unix nanoseconds (UTC), like everything the stores hold.
public struct Incident: Codable, Sendable, Equatable {
    public var id: IncidentID
    public var title: String
    /// Start of the window (the first anomaly once correlated), Unix ns.
    public var start: Int64
    /// End of the window (recovery), or nil while the incident is open.
    public var end: Int64?
    public var zones: [String]
    public var services: [String]
    public var severity: Severity
    /// The runbook rule (or detection rule) that set `severity`, e.g. "P2: one zone down".
    public var severityRule: String
    /// How the incident was opened: `alert`, `rule`, `manual`.
    public var openedBy: String
    public var events: [IncidentEvent]
    public var notes: [IncidentNote]

    public init(id: IncidentID, title: String, start: Int64, end: Int64? = nil, zones: [String] = [], services: [String] = [],
                severity: Severity, severityRule: String, openedBy: String, events: [IncidentEvent] = [],
                notes: [IncidentNote] = []) {
        self.id = id
        self.title = title
        self.start = start
        self.end = end
        self.zones = zones
        self.services = services
        self.severity = severity
        self.severityRule = severityRule
        self.openedBy = openedBy
        self.events = events
        self.notes = notes
    }
}

extension Incident {
    /// The incident a store creates from `draft` under the ID it allocated: no notes yet.
    public init(id: IncidentID, draft: IncidentDraft) {
        self.init(id: id, title: draft.title, start: draft.start, end: draft.end, zones: draft.zones, services: draft.services,
                  severity: draft.severity, severityRule: draft.severityRule, openedBy: draft.openedBy, events: draft.events)
    }
}

/// What an incident is about before it has an ID (the store allocates one from `start`'s UTC date).
public struct IncidentDraft: Sendable {
    public var title: String
    public var start: Int64
    public var end: Int64?
    public var zones: [String]
    public var services: [String]
    public var severity: Severity
    public var severityRule: String
    public var openedBy: String
    public var events: [IncidentEvent]

    public init(title: String, start: Int64, end: Int64? = nil, zones: [String] = [], services: [String] = [],
                severity: Severity, severityRule: String, openedBy: String, events: [IncidentEvent] = []) {
        self.title = title
        self.start = start
        self.end = end
        self.zones = zones
        self.services = services
        self.severity = severity
        self.severityRule = severityRule
        self.openedBy = openedBy
        self.events = events
    }
}

/// The runbook's severities; `P1` is the most severe, so `P1 < P2` orders by urgency.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4"

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    /// The runbook's meaning of each level.
    public var meaning: String {
        switch self {
        case .p1: "platform-wide outage"
        case .p2: "one zone or one AI engine down"
        case .p3: "degraded"
        case .p4: "minor"
        }
    }
}

/// Where an event of the timeline comes from.
public enum EventSource: String, Codable, Sendable, CaseIterable {
    case alert, log, trace, deploy, note
}

/// One event of an incident: when, from which source, what, and the evidence that shows it.
public struct IncidentEvent: Codable, Sendable, Equatable {
    public var time: Int64
    public var source: EventSource
    public var text: String
    public var evidence: Evidence?
    /// For alert events: Alertmanager's fingerprint and whether this event is the alert firing or resolving.
    public var alertFingerprint: String?
    public var alertResolved: Bool?

    public init(time: Int64, source: EventSource, text: String, evidence: Evidence? = nil, alertFingerprint: String? = nil,
                alertResolved: Bool? = nil) {
        self.time = time
        self.source = source
        self.text = text
        self.evidence = evidence
        self.alertFingerprint = alertFingerprint
        self.alertResolved = alertResolved
    }
}

/// A human note on the timeline; kept across regenerated post-mortems.
public struct IncidentNote: Codable, Sendable, Equatable {
    public var time: Int64
    public var author: String
    public var text: String

    public init(time: Int64, author: String, text: String) {
        self.time = time
        self.author = author
        self.text = text
    }
}

/// What supports a claim: a LogQL query and the time range in which it shows it, or a trace id.
public struct Evidence: Codable, Sendable, Equatable, Hashable {
    public var query: String?
    public var from: Int64?
    public var to: Int64?
    public var traceID: String?

    public init(query: String, from: Int64, to: Int64) {
        self.query = query
        self.from = from
        self.to = to
    }

    public init(traceID: String) { self.traceID = traceID }
}
