import LogQL
import LogStore

/// Gathers the evidence of an incident from the stores — rule hits, error signatures, restarts and deploys,
/// edge traffic, trace groups, alerts and notes — orders it into a timeline, proposes a root cause, measures the
/// impact and classifies the severity. It reads only through the LogQL engine (as the HTTP API does).
public final class Correlator: @unchecked Sendable {
    public let engine: Engine
    public let rules: [DetectionRule]
    public let traces: TraceEvidenceSource?
    public var tenant: String
    /// Searched before and after the incident window.
    public var margin: Int64 = 15 * 60_000_000_000
    /// The stretch before the searched window that tells new error signatures from everyday ones.
    public var baseline: Int64 = 60 * 60_000_000_000
    /// Most log lines read for signatures (newest lines beyond it are not mined).
    public var maxSignatureLines = 200_000
    /// Spans longer than this are slow (the runbook's P3 threshold for p95 latency).
    public var slowSpan: Int64 = 2_000_000_000
    /// Set by a caller that gives up (the HTTP API's query timeout): the log reads stop between pages.
    public var cancellation: QueryCancellation?

    public init(engine: Engine, rules: [DetectionRule], traces: TraceEvidenceSource? = nil, tenant: String = Tenant.defaultID) {
        self.engine = engine
        self.rules = rules
        self.traces = traces
        self.tenant = tenant
    }

    /// What to correlate: a window, a scope, and what the incident already holds (alerts, notes).
    public struct Subject: Sendable {
        public var id: IncidentID?
        public var title: String?
        public var from: Int64
        public var to: Int64
        public var zones: [String]
        public var events: [IncidentEvent]
        public var notes: [IncidentNote]
        /// Rule hits already evaluated over a range that covers the window plus the margin (detection passes its
        /// own, so the rules are not run twice); nil evaluates the rules here.
        public var hits: [RuleHit]?

        public init(id: IncidentID? = nil, title: String? = nil, from: Int64, to: Int64, zones: [String] = [],
                    events: [IncidentEvent] = [], notes: [IncidentNote] = [], hits: [RuleHit]? = nil) {
            self.id = id
            self.title = title
            self.from = from
            self.to = to
            self.zones = zones
            self.events = events
            self.notes = notes
            self.hits = hits
        }
    }

    /// Correlates `subject` into a post-mortem draft.
    public func postMortem(_ subject: Subject) throws -> PostMortem {
        let scanFrom = subject.from - margin, scanTo = subject.to + margin
        let zones = subject.zones
        // Rule hits in scope (a hit without a zone label concerns every zone).
        var hits: [RuleHit] = []
        if let given = subject.hits {
            hits = given.filter { $0.lastSeen >= scanFrom && $0.firstSeen <= scanTo }
        } else {
            var evaluator = RuleEvaluator(engine: engine, tenant: tenant)
            evaluator.cancellation = cancellation
            for rule in rules { hits += try evaluator.hits(rule, from: scanFrom, to: scanTo) }
        }
        hits = hits.filter { h in zones.isEmpty || h.zone.map(zones.contains) ?? true }
        hits.sort { ($0.firstSeen, $0.rule) < ($1.firstSeen, $1.rule) }

        // Between the phases too: a phase that reads no pages (an empty store, the span search) never looks.
        try cancellation?.check()
        let edge = try EdgeTraffic.read(engine: engine, params: logParams(from: scanFrom, to: scanTo, limit: 0))
        let failures = edge.failureRun(zones: zones, around: subject.from...max(subject.from, subject.to))
        try cancellation?.check()
        let signatures = try mineSignatures(zones: zones, from: scanFrom, to: scanTo)
        try cancellation?.check()
        let changes = try findChanges(zones: zones, from: scanFrom, to: scanTo)
        var limitations: [String] = []
        var spanGroups: [SpanGroup] = []
        if let traces {
            try cancellation?.check()
            spanGroups = try traceEvidence(traces, zones: zones, from: scanFrom, to: scanTo)
        } else {
            limitations.append("Traces were not searched: no span store is configured, so no span evidence is included.")
        }

        let alertTimes = subject.events.filter { $0.source == .alert }.map(\.time)
        let detectedAt = (alertTimes + hits.map(\.firingAt)).min()
        let firstImpact = failures?.first ?? hits.map(\.firstSeen).min() ?? subject.from
        let ranking = RootCauseRanker.rank(signatures: signatures, hits: hits, changes: changes, spanGroups: spanGroups,
                                           firstImpact: firstImpact, failures: failures)
        let start = min(ranking?.candidate.start ?? firstImpact, failures?.first ?? firstImpact)
        let end = failures.map { $0.recoveredAt ?? $0.last } ?? max(subject.to, hits.map(\.lastSeen).max() ?? subject.to)
        let impact = edge.impact(zones: zones, failures: failures, start: start, end: end, detectedAt: detectedAt)
        let severity = SeverityClassifier.classify(edge: edge, failures: failures, zones: zones, signatures: signatures,
                                                   hits: hits)
        let scopeZones = zones.isEmpty ? Array(Set(impact.zones + hits.compactMap(\.zone))).sorted() : zones

        var pm = PostMortem(
            id: subject.id, title: "", date: IncidentID(time: start, sequence: 1).date, start: start, end: end,
            detectedAt: detectedAt, severity: severity.severity, severityRule: severity.rule, zones: scopeZones,
            impactedServices: [], summary: "", timeline: [], rootCause: ranking, impact: impact, actionItems: [],
            prevention: [], signatures: signatures, ruleHits: hits, changes: changes,
            traces: spanGroups, chart: edge.chart(zones: zones, from: scanFrom, to: scanTo), limitations: limitations,
            searchedFrom: scanFrom, searchedTo: scanTo)
        pm.impactedServices = Self.services(pm)
        pm.title = subject.title ?? Self.title(pm)
        pm.timeline = Timeline.build(pm, events: subject.events, notes: subject.notes, failures: failures,
                                     spanGroups: spanGroups, zones: zones)
        pm.summary = Self.summary(pm)
        pm.actionItems = ActionItems.actions(pm, rules: rules)
        pm.prevention = ActionItems.prevention(pm)
        return pm
    }

    /// A forward log read of `[from, to)` for this correlator's tenant, carrying its cancellation.
    func logParams(from: Int64, to: Int64, limit: Int) -> QueryParams {
        var p = QueryParams(tenant: tenant, start: from, end: to, limit: limit, direction: .forward)
        p.cancellation = cancellation
        return p
    }

    static func services(_ pm: PostMortem) -> [String] {
        var layers = Set<Layer>()
        if pm.impact.failedRequests > 0 { layers.insert(.edge) }
        if let rc = pm.rootCause { layers.insert(rc.candidate.layer) }
        for s in pm.signatures where s.anomalous { if let l = s.layer { layers.insert(l) } }
        for h in pm.ruleHits { layers.insert(h.layer) }
        return layers.sorted().map(\.service)
    }

    static func title(_ pm: PostMortem) -> String {
        let zones = pm.zones.isEmpty ? "all zones" : pm.zones.joined(separator: ", ")
        if let rc = pm.rootCause { return "\(rc.candidate.layer.service) failure in \(zones)" }
        return "Incident in \(zones)"
    }

    static func summary(_ pm: PostMortem) -> String {
        let zones = pm.zones.isEmpty ? "all zones" : pm.zones.joined(separator: ", ")
        var s = "\(pm.severity.rawValue) (\(pm.severity.meaning)) in \(zones) from \(CivilDate.hourMinute(pm.start)) to "
            + "\(CivilDate.hourMinute(pm.end)) UTC (\(CivilDate.duration(pm.duration)))."
        if let rc = pm.rootCause {
            s += " Probable root cause: \(rc.candidate.text) in the \(rc.candidate.layer.service)."
        }
        let i = pm.impact
        if i.totalRequests > 0 {
            s += " \(i.failedRequests) of \(i.totalRequests) edge requests (\(Format.percent(i.failedShare))) failed"
                + " for \(i.distinctClients) distinct clients."
        }
        return s
    }
}

/// Number formatting shared by the renderers.
enum Format {
    static func percent(_ share: Double) -> String {
        let p = share * 100
        if p == 0 { return "0 %" }
        if p < 1 { return String(Double(Int(p * 100)) / 100) + " %" }
        return String(Double(Int(p * 10)) / 10) + " %"
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(Double(Int64(v * 1000)) / 1000)
    }
}
