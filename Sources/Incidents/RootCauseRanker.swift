/// Proposes the root cause: the earliest anomaly on the request path (edge → backend → AI engine / database /
/// Redis → host) that precedes the first failure. Anomalies within `simultaneity` of the earliest one count as
/// simultaneous (logs have second resolution), and among those the deepest layer wins, because failures
/// propagate from the dependency to its callers; then a line naming a cause (out of memory, refused, timed out,
/// no space) wins over one naming a symptom.
enum RootCauseRanker {
    static let simultaneity: Int64 = 2_000_000_000
    /// How long before the first failure a log anomaly may start and still be on the causal chain.
    static let lead: Int64 = 10 * 60_000_000_000
    /// How long before the first failure a deploy, restart or reload may be.
    static let changeLead: Int64 = 30 * 60_000_000_000

    static let causeWords = ["out of memory", "oom", "no space left", "refused", "timed out", "timeout", "killed process",
                             "certificate", "too many connections", "deadlock", "segfault", "xid", "panic", "fatal"]

    static func rank(signatures: [Signature], hits: [RuleHit], changes: [Change], spanGroups: [SpanGroup],
                     firstImpact: Int64, failures: EdgeTraffic.FailureRun?) -> RootCause? {
        var all: [Anomaly] = []
        var warnings: [Anomaly] = []
        for s in signatures where s.anomalous {
            guard let layer = s.layer else { continue }
            let a = Anomaly(kind: .signature, layer: layer, zones: s.zones, start: s.firstSeen, text: short(s.template),
                            evidence: s.evidence)
            // A new warning is a symptom more often than a cause: it is blamed only when no error is there to blame.
            if s.level == "warn" { warnings.append(a) } else { all.append(a) }
        }
        for h in hits {
            all.append(Anomaly(kind: .rule, layer: h.layer, zones: h.zone.map { [$0] } ?? [], start: h.firstSeen,
                               text: "rule \(h.rule): \(h.title)", evidence: h.evidence))
        }
        for g in spanGroups where g.errorSpans > 0 {
            let layer = Layer.of(job: g.service) ?? .backend
            all.append(Anomaly(kind: .trace, layer: layer, zones: [], start: g.firstSeen,
                               text: "\(g.errorSpans) error spans of \(g.service) \(g.operation)",
                               evidence: Evidence(traceID: g.traceIDs.first ?? "")))
        }
        var eligible = all.filter { $0.start <= firstImpact + simultaneity && $0.start >= firstImpact - lead }
        for c in changes where c.time <= firstImpact && c.time >= firstImpact - changeLead {
            eligible.append(Anomaly(kind: .change, layer: c.layer ?? .host, zones: c.zone.map { [$0] } ?? [], start: c.time,
                                    text: "\(c.kind.rawValue) of \(c.job): \(short(c.text))", evidence: c.evidence))
        }
        if eligible.isEmpty {
            eligible = warnings.filter { $0.start <= firstImpact + simultaneity && $0.start >= firstImpact - lead }
        }
        if eligible.isEmpty { eligible = all + warnings }
        guard let t0 = eligible.map(\.start).min() else { return nil }
        func key(_ a: Anomaly) -> (Int, Int, Int, Int64) {
            let lower = a.text.lowercased()
            let cause = causeWords.contains { lower.contains($0) } ? 1 : 0
            let kindRank = a.kind == .signature ? 2 : (a.kind == .trace ? 1 : 0)
            return (-a.layer.depth, -cause, -kindRank, a.start)
        }
        let front = eligible.filter { $0.start <= t0 + simultaneity }.sorted { key($0) < key($1) }
        let rest = eligible.filter { $0.start > t0 + simultaneity }.sorted { ($0.start, key($0).0) < ($1.start, key($1).0) }
        let ordered = front + rest
        let candidate = ordered[0]
        var runners: [Anomaly] = []
        for a in ordered.dropFirst() where runners.count < 3 && a.text != candidate.text && !runners.contains(where: { $0.text == a.text }) {
            runners.append(a)
        }
        return RootCause(candidate: candidate, reasoning: reasoning(candidate, all: all, failures: failures), runnersUp: runners)
    }

    static func reasoning(_ c: Anomaly, all: [Anomaly], failures: EdgeTraffic.FailureRun?) -> String {
        var followers: [String] = []
        for layer in Layer.allCases where layer.depth < c.layer.depth {
            var starts = all.filter { $0.layer == layer && $0.start >= c.start }.map(\.start)
            if layer == .edge, let f = failures { starts.append(f.first) }  // the first 5xx, not a rule's step
            if let first = starts.min() {
                followers.append("\(layer.service) at \(CivilDate.clock(first))")
            }
        }
        let zones = c.zones.isEmpty ? "" : " (\(c.zones.joined(separator: ", ")))"
        var s = "The earliest anomaly on the request path was \(c.text) in the \(c.layer.service)\(zones) at \(CivilDate.clock(c.start))"
        if followers.isEmpty {
            s += "; no later anomaly in other layers was found."
        } else {
            s += ", and the layers closer to the client failed after it (" + followers.joined(separator: ", ") + ")."
        }
        return s
    }

    /// A template shortened for prose: without the leading `<_>` masks and at most 160 characters.
    static func short(_ text: String) -> String {
        var tokens = text.split(separator: " ").map(String.init)
        let levels: Set<String> = ["ERROR", "WARNING", "WARN", "INFO", "CRITICAL", "FATAL", "DEBUG", "[error]", "[warn]", "[crit]",
                                   "[alert]", "[emerg]", "-", "kern", ":err", ":warn", ":"]
        while let f = tokens.first, f.contains(PatternMiner.placeholder) || f.hasPrefix("(") || f.hasSuffix(")") || f.hasPrefix("[")
                || levels.contains(f) {
            tokens.removeFirst()
        }
        let s = tokens.joined(separator: " ")
        return s.count > 160 ? String(s.prefix(157)) + "…" : s
    }
}

import LogQL
