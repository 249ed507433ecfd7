extension PostMortem {
    /// The runbook's template in Markdown: ID, date, duration, severity, impacted services, summary, timeline
    /// (minute resolution, each item with its source and evidence), root cause, impact, action items, prevention,
    /// then the error signatures and rule hits behind them.
    public func markdown() -> String {
        var s = "# Post-mortem: \(title)\n\n"
        s += "| | |\n|---|---|\n"
        s += "| Incident ID | \(id?.description ?? "(ad hoc report, no stored incident)") |\n"
        s += "| Date | \(date) |\n"
        s += "| Duration | \(CivilDate.duration(duration)) (\(CivilDate.clock(start))–\(CivilDate.clock(end)) UTC) |\n"
        s += "| Severity | \(severity.rawValue) — \(severityRule) |\n"
        s += "| Impacted Services | \(impactedServices.joined(separator: ", ")) |\n"
        s += "| Zones | \(zones.isEmpty ? "all" : zones.joined(separator: ", ")) |\n\n"
        s += "## Summary\n\n\(summary)\n\n"
        s += "## Timeline (UTC)\n\n"
        s += "| time | source | event | evidence |\n|---|---|---|---|\n"
        for t in timeline {
            s += "| \(CivilDate.hourMinute(t.time)) | \(t.source.rawValue) | \(cell(t.text)) | \(t.evidence.map(evidenceText) ?? "") |\n"
        }
        s += "\n## Root Cause\n\n"
        if let rc = rootCause {
            s += "**Candidate:** \(rc.candidate.text) (\(rc.candidate.layer.service)"
                + (rc.candidate.zones.isEmpty ? "" : ", \(rc.candidate.zones.joined(separator: ", "))")
                + ", first seen \(CivilDate.clock(rc.candidate.start))) — evidence: \(evidenceText(rc.candidate.evidence))\n\n"
            s += "**Reasoning:** \(rc.reasoning)\n\n"
            if !rc.runnersUp.isEmpty {
                s += "**Runners-up:**\n\n"
                for r in rc.runnersUp {
                    s += "- \(r.text) (\(r.layer.service), \(CivilDate.clock(r.start))) — \(evidenceText(r.evidence))\n"
                }
                s += "\n"
            }
        } else {
            s += "No anomaly was found in the searched window.\n\n"
        }
        s += "## Impact\n\n"
        let i = impact
        s += "- Failed requests (5xx at the edge): **\(i.failedRequests)** of \(i.totalRequests) (\(Format.percent(i.failedShare)))"
            + (i.evidence.map { " — " + evidenceText($0) } ?? "") + "\n"
        s += "- Distinct clients affected: \(i.distinctClients)\n"
        s += "- Affected zones: \(i.zones.isEmpty ? "none at the edge" : i.zones.joined(separator: ", "))\n"
        if !i.endpoints.isEmpty {
            s += "- Affected endpoints: " + i.endpoints.prefix(10).map { "`\($0.path)` (\($0.failed))" }.joined(separator: ", ") + "\n"
        }
        s += "- Duration from first anomaly to recovery: \(CivilDate.duration(i.durationFromFirstAnomaly))\n"
        s += "- Duration from detection to recovery: \(i.durationFromDetection.map(CivilDate.duration) ?? "not detected by an alert or rule")\n\n"
        s += "## Action Items\n\n" + actionItems.map { "- [ ] \($0)\n" }.joined() + "\n"
        s += "## Prevention\n\n" + prevention.map { "- \($0)\n" }.joined() + "\n"
        s += "## Error Signatures\n\n"
        s += "| first seen | last seen | count | baseline | new | service | zones | hosts | template | example |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|\n"
        for g in signatures.prefix(50) {
            s += "| \(CivilDate.clock(g.firstSeen)) | \(CivilDate.clock(g.lastSeen)) | \(g.count) | \(g.baselineCount) | "
                + "\(g.anomalous ? "yes" : "no") | \(g.job) | \(g.zones.joined(separator: ", ")) | \(g.hosts.joined(separator: ", ")) | "
                + "`\(cell(g.template))` | \(cell(String(g.example.prefix(200)))) |\n"
        }
        if !traces.isEmpty {
            s += "\n## Trace Evidence\n\n| first seen | last seen | service | operation | error spans | slow spans | traces | shared with error log lines |\n"
            s += "|---|---|---|---|---|---|---|---|\n"
            for g in traces {
                let ids = g.traceIDs.prefix(3).map { "`\($0)`" }.joined(separator: ", ")
                let linked = g.linkedTraceIDs.first.map { "\(g.linkedLogLines) lines, e.g. `\(cell(traceLogQuery($0)))`" } ?? "none"
                s += "| \(CivilDate.clock(g.firstSeen)) | \(CivilDate.clock(g.lastSeen)) | \(cell(g.service)) | \(cell(g.operation)) | "
                    + "\(g.errorSpans) | \(g.slowSpans) | \(ids) | \(linked) |\n"
            }
        }
        if !ruleHits.isEmpty {
            s += "\n## Rule Hits\n\n| rule | labels | first seen | last seen | peak | severity |\n|---|---|---|---|---|---|\n"
            for h in ruleHits {
                let labels = h.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                s += "| \(h.rule) | \(labels) | \(CivilDate.clock(h.firstSeen)) | \(CivilDate.clock(h.lastSeen)) | "
                    + "\(Format.number(h.peak)) | \(h.severity.rawValue) |\n"
            }
        }
        if !limitations.isEmpty {
            s += "\n## Limitations\n\n" + limitations.map { "- \($0)\n" }.joined()
        }
        s += "\n_Searched \(CivilDate.rfc3339(searchedFrom)) – \(CivilDate.rfc3339(searchedTo)). Run an evidence query with "
            + "`mclog query '<query>' --from <from> --to <to>`._\n"
        return s
    }

    /// The log lines of one trace in the post-mortem's scope: what links a span to the error lines it caused.
    func traceLogQuery(_ traceID: String) -> String {
        LogQLText.selector([#"level=~"critical|error|warn""#], zones: zones) + " | trace_id=" + LogQLText.quote(traceID)
    }

    func evidenceText(_ e: Evidence) -> String {
        if let t = e.traceID { return "trace `\(t)`" }
        guard let q = e.query else { return "" }
        guard let from = e.from, let to = e.to else { return "`\(cell(q))`" }
        return "`\(cell(q))` \(CivilDate.rfc3339(from)) – \(CivilDate.rfc3339(to, roundUp: true))"
    }

    /// Text safe inside a Markdown table cell.
    func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

import Foundation
