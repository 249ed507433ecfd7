/// Orders the incident's evidence into the post-mortem's timeline: alerts, rule hits, the first line of each
/// anomalous signature, the first and last edge failure and the recovery, restarts/deploys/reloads, trace groups
/// and human notes — each with the query (and time range) or trace id that shows it.
enum Timeline {
    static func build(_ pm: PostMortem, events: [IncidentEvent], notes: [IncidentNote], failures: EdgeTraffic.FailureRun?,
                      spanGroups: [SpanGroup], zones: [String]) -> [TimelineItem] {
        var items: [TimelineItem] = []
        for e in events {
            items.append(TimelineItem(time: e.time, source: e.source, layer: nil, text: e.text, evidence: e.evidence))
        }
        for h in pm.ruleHits {
            let where_ = h.labels.filter { ["zone", "engine", "host"].contains($0.key) }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            items.append(TimelineItem(time: h.firingAt, source: .log, layer: h.layer,
                                      text: "Rule \(h.rule) fired (\(h.title); \(where_)): peak \(Format.number(h.peak)) at \(CivilDate.hourMinute(h.peakAt)), until \(CivilDate.hourMinute(h.lastSeen))",
                                      evidence: h.evidence))
        }
        for s in pm.signatures where s.anomalous {
            let zonesText = s.zones.isEmpty ? "" : " in \(s.zones.joined(separator: ", "))"
            items.append(TimelineItem(time: s.firstSeen, source: .log, layer: s.layer,
                                      text: "First \(s.job) \(s.level.isEmpty ? "error" : s.level)\(zonesText): \(RootCauseRanker.short(s.template)) (\(s.count)× until \(CivilDate.hourMinute(s.lastSeen)))",
                                      evidence: s.evidence))
        }
        if let f = failures, let ev = pm.impact.evidence {
            items.append(TimelineItem(time: f.first, source: .log, layer: .edge,
                                      text: "First 5xx at the edge (\(pm.impact.endpoints.prefix(3).map(\.path).joined(separator: ", ")))",
                                      evidence: Evidence(query: ev.query ?? "", from: f.first, to: f.first + 60_000_000_000)))
            items.append(TimelineItem(time: f.last, source: .log, layer: .edge,
                                      text: "Last 5xx at the edge (\(pm.impact.failedRequests) failed requests in all)",
                                      evidence: Evidence(query: ev.query ?? "", from: f.last - 60_000_000_000, to: f.last + 1)))
            if let r = f.recoveredAt {
                let q = LogQLText.selector(LogQLText.edgeAccess, zones: zones) + #" !~ "\" 5[0-9][0-9] ""#
                items.append(TimelineItem(time: r, source: .log, layer: .edge,
                                          text: "Recovered: first successful request on the failing endpoints",
                                          evidence: Evidence(query: q, from: r, to: r + 60_000_000_000)))
            }
        }
        for c in pm.changes {
            let where_ = [c.zone, c.host].compactMap { $0 }.joined(separator: ", ")
            items.append(TimelineItem(time: c.time, source: .deploy, layer: c.layer,
                                      text: "\(c.kind.rawValue.capitalized) of \(c.job)\(where_.isEmpty ? "" : " (\(where_))"): \(RootCauseRanker.short(c.text))",
                                      evidence: c.evidence))
        }
        for g in spanGroups {
            let linked = g.linkedTraceIDs.isEmpty ? ""
                : " (\(g.linkedTraceIDs.count) trace\(g.linkedTraceIDs.count == 1 ? "" : "s") shared with \(g.linkedLogLines) error log lines)"
            items.append(TimelineItem(time: g.firstSeen, source: .trace, layer: Layer.of(job: g.service),
                                      text: "\(g.errorSpans) error and \(g.slowSpans) slow spans of \(g.service) \(g.operation)\(linked)",
                                      evidence: g.traceIDs.first.map { Evidence(traceID: $0) }))
        }
        for n in notes {
            items.append(TimelineItem(time: n.time, source: .note, layer: nil, text: "\(n.author): \(n.text)", evidence: nil))
        }
        return items.sorted { ($0.time, $0.source.rawValue, $0.text) < ($1.time, $1.source.rawValue, $1.text) }
    }
}

/// Action items and prevention: the fired rules' hints and the runbook's advice for the root cause's layer,
/// without duplicates.
enum ActionItems {
    static func actions(_ pm: PostMortem, rules: [DetectionRule]) -> [String] {
        var out: [String] = []
        func add(_ s: String) { if !out.contains(s) { out.append(s) } }
        if let rc = pm.rootCause {
            add("Confirm the root cause (\(rc.candidate.text)) against the linked evidence and record it in the post-mortem")
        }
        let byName = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // The root cause's layer first, then the others as the rules fired.
        let ordered = pm.ruleHits.sorted { a, b in
            let la = a.layer == pm.rootCause?.candidate.layer, lb = b.layer == pm.rootCause?.candidate.layer
            return la != lb ? la : a.firstSeen < b.firstSeen
        }
        for h in ordered { for a in byName[h.rule]?.actions ?? [] { add(a) } }
        if pm.detectedAt == nil { add("Add an alert or detection rule that would have caught this incident") }
        else if let d = pm.detectedAt, d - pm.start > 5 * 60_000_000_000 {
            add("Detection took \(CivilDate.duration(d - pm.start)) after the first anomaly: tighten the alert's threshold or `for`")
        }
        add("Share the post-mortem within 24 hours (runbook)")
        return out
    }

    static func prevention(_ pm: PostMortem) -> [String] {
        switch pm.rootCause?.candidate.layer {
        case .aiEngine?:
            return ["Size the AI engine's GPU memory for peak load (batch size, context length, gpu_memory_utilization) and alert on GPU memory above 90 %",
                    "Restart dead engines automatically and route traffic away from a zone whose engine is down"]
        case .database?:
            return ["Alert on slow queries and connection counts before they saturate the pool; review indexes of the slowest statements"]
        case .cache?:
            return ["Monitor Redis memory and persistence; make the backends tolerate a Redis outage"]
        case .host?:
            return ["Set memory and disk limits per service and alert at 80 % usage"]
        case .backend?:
            return ["Add a regression test for the failing code path and a canary stage to deploys"]
        case .edge?:
            return ["Check nginx configuration changes in CI (nginx -t) and renew certificates automatically"]
        case nil:
            return ["Add detection rules for the symptoms seen in this incident"]
        }
    }
}
