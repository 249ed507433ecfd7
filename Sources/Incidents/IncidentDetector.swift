/// Turns rule hits into incident candidates: hits of the same zone whose spans lie within `gap` of each other are
/// one incident (hits without a zone label form platform-wide candidates).
public struct IncidentDetector: Sendable {
    public let evaluator: RuleEvaluator
    public let rules: [DetectionRule]
    /// Hits closer than this belong to the same incident.
    public var gap: Int64 = 10 * 60_000_000_000

    public init(evaluator: RuleEvaluator, rules: [DetectionRule]) {
        self.evaluator = evaluator
        self.rules = rules
    }

    /// An incident found by the rules: its zone (nil: platform-wide), window and the hits in it.
    public struct Candidate: Sendable {
        public var zone: String?
        public var from: Int64
        public var to: Int64
        public var hits: [RuleHit]
        public var severity: Severity { hits.map(\.severity).min() ?? .p4 }
    }

    /// All hits of all rules in `[from, to]`, and the candidates they form, oldest first.
    public func detect(from: Int64, to: Int64) throws -> (hits: [RuleHit], candidates: [Candidate]) {
        var hits: [RuleHit] = []
        for rule in rules { hits += try evaluator.hits(rule, from: from, to: to) }
        hits.sort { ($0.firstSeen, $0.rule) < ($1.firstSeen, $1.rule) }
        var open: [String: Candidate] = [:]
        var done: [Candidate] = []
        for h in hits {
            let key = h.zone ?? ""
            let start = h.evidence.from ?? h.firstSeen
            if var c = open[key], start <= c.to + gap {
                c.to = max(c.to, h.lastSeen)
                c.from = min(c.from, start)
                c.hits.append(h)
                open[key] = c
            } else {
                if let c = open[key] { done.append(c) }
                open[key] = Candidate(zone: h.zone, from: start, to: h.lastSeen, hits: [h])
            }
        }
        done += open.values
        return (hits, done.sorted { ($0.from, $0.zone ?? "") < ($1.from, $1.zone ?? "") })
    }
}
