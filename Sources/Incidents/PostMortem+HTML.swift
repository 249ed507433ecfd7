import Foundation
import LogQL

extension PostMortem {
    /// One self-contained HTML page (inline CSS and SVG, no scripts, no external assets): the runbook's sections,
    /// a chart of requests and 5xx per minute with the timeline's events as markers, and the signatures table.
    /// Evidence links open the Loki-compatible query API of the `mclog serve` that serves the page; the query
    /// and range are also printed as a `mclog query` command.
    public func html() -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(esc("Post-mortem \(id?.description ?? "") \(title)"))</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;padding:0 1em}
            h1{font-size:1.6em}h2{border-bottom:1px solid #d8dde6;padding-bottom:.2em;margin-top:1.6em}
            table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #d8dde6;padding:.3em .5em;vertical-align:top;text-align:left}
            th{background:#f2f4f8}code{font-size:.85em;background:#f2f4f8;padding:0 .2em;word-break:break-all}
            .sev{display:inline-block;padding:.1em .6em;border-radius:.3em;color:#fff;font-weight:bold}
            .P1{background:#b3001b}.P2{background:#d9480f}.P3{background:#e8a317}.P4{background:#5c7080}
            .src{font-size:.8em;padding:0 .4em;border-radius:.3em;background:#e4e8f0}
            .src-alert{background:#ffd8d8}.src-deploy{background:#d8ecff}.src-note{background:#e8ffd8}.src-trace{background:#f0e0ff}
            .muted{color:#5c6470;font-size:.85em}
            </style></head><body>

            """
        h += "<h1>Post-mortem: \(esc(title))</h1>\n<table class=\"meta\">\n"
        h += row("Incident ID", esc(id?.description ?? "(ad hoc report, no stored incident)"))
        h += row("Date", esc(date))
        h += row("Duration", esc("\(CivilDate.duration(duration)) (\(CivilDate.clock(start))–\(CivilDate.clock(end)) UTC)"))
        h += row("Severity", "<span class=\"sev \(severity.rawValue)\">\(severity.rawValue)</span> \(esc(severityRule))")
        h += row("Impacted Services", esc(impactedServices.joined(separator: ", ")))
        h += row("Zones", esc(zones.isEmpty ? "all" : zones.joined(separator: ", ")))
        h += "</table>\n<h2>Summary</h2>\n<p>\(esc(summary))</p>\n"
        h += "<h2>Requests and 5xx per minute</h2>\n" + svgChart() + "\n"
        h += "<h2>Timeline (UTC)</h2>\n<table><tr><th>#</th><th>time</th><th>source</th><th>event</th><th>evidence</th></tr>\n"
        for (n, t) in timeline.enumerated() {
            h += "<tr id=\"ev\(n + 1)\"><td>\(n + 1)</td><td>\(CivilDate.hourMinute(t.time))</td>"
                + "<td><span class=\"src src-\(t.source.rawValue)\">\(t.source.rawValue)</span></td>"
                + "<td>\(esc(t.text))</td><td>\(t.evidence.map(evidenceHTML) ?? "")</td></tr>\n"
        }
        h += "</table>\n<h2>Root Cause</h2>\n"
        if let rc = rootCause {
            h += "<p><b>Candidate:</b> \(esc(rc.candidate.text)) (\(esc(rc.candidate.layer.service))"
                + (rc.candidate.zones.isEmpty ? "" : ", " + esc(rc.candidate.zones.joined(separator: ", ")))
                + ", first seen \(CivilDate.clock(rc.candidate.start)))<br>\(evidenceHTML(rc.candidate.evidence))</p>\n"
            h += "<p><b>Reasoning:</b> \(esc(rc.reasoning))</p>\n"
            if !rc.runnersUp.isEmpty {
                h += "<p><b>Runners-up:</b></p><ul>\n"
                for r in rc.runnersUp {
                    h += "<li>\(esc(r.text)) (\(esc(r.layer.service)), \(CivilDate.clock(r.start))) \(evidenceHTML(r.evidence))</li>\n"
                }
                h += "</ul>\n"
            }
        } else {
            h += "<p>No anomaly was found in the searched window.</p>\n"
        }
        let i = impact
        h += "<h2>Impact</h2>\n<ul>\n"
        h += "<li>Failed requests (5xx at the edge): <b>\(i.failedRequests)</b> of \(i.totalRequests) (\(esc(Format.percent(i.failedShare))))"
            + (i.evidence.map { " " + evidenceHTML($0) } ?? "") + "</li>\n"
        h += "<li>Distinct clients affected: \(i.distinctClients)</li>\n"
        h += "<li>Affected zones: \(esc(i.zones.isEmpty ? "none at the edge" : i.zones.joined(separator: ", ")))</li>\n"
        if !i.endpoints.isEmpty {
            h += "<li>Affected endpoints: " + i.endpoints.prefix(10).map { "<code>\(esc($0.path))</code> (\($0.failed))" }
                .joined(separator: ", ") + "</li>\n"
        }
        h += "<li>Duration from first anomaly to recovery: \(esc(CivilDate.duration(i.durationFromFirstAnomaly)))</li>\n"
        h += "<li>Duration from detection to recovery: \(esc(i.durationFromDetection.map(CivilDate.duration) ?? "not detected by an alert or rule"))</li>\n</ul>\n"
        h += "<h2>Action Items</h2>\n<ul>\n" + actionItems.map { "<li>\(esc($0))</li>\n" }.joined() + "</ul>\n"
        h += "<h2>Prevention</h2>\n<ul>\n" + prevention.map { "<li>\(esc($0))</li>\n" }.joined() + "</ul>\n"
        h += "<h2>Error Signatures</h2>\n<table><tr><th>first seen</th><th>last seen</th><th>count</th><th>baseline</th><th>new</th>"
            + "<th>service</th><th>zones</th><th>hosts</th><th>template</th><th>example</th><th>evidence</th></tr>\n"
        for g in signatures.prefix(50) {
            h += "<tr><td>\(CivilDate.clock(g.firstSeen))</td><td>\(CivilDate.clock(g.lastSeen))</td><td>\(g.count)</td>"
                + "<td>\(g.baselineCount)</td><td>\(g.anomalous ? "yes" : "no")</td><td>\(esc(g.job))</td>"
                + "<td>\(esc(g.zones.joined(separator: ", ")))</td><td>\(esc(g.hosts.joined(separator: ", ")))</td>"
                + "<td><code>\(esc(g.template))</code></td><td class=\"muted\">\(esc(String(g.example.prefix(300))))</td>"
                + "<td>\(evidenceHTML(g.evidence))</td></tr>\n"
        }
        h += "</table>\n"
        if !traces.isEmpty {
            h += "<h2>Trace Evidence</h2>\n<table><tr><th>first seen</th><th>last seen</th><th>service</th><th>operation</th>"
                + "<th>error spans</th><th>slow spans</th><th>traces</th><th>shared with error log lines</th></tr>\n"
            for g in traces {
                let ids = g.traceIDs.prefix(3).map { "<a href=\"/api/traces/\(esc($0))\"><code>\(esc($0))</code></a>" }
                    .joined(separator: "<br>")
                let linked = g.linkedTraceIDs.first.map {
                    "\(g.linkedLogLines) lines<br>" + evidenceHTML(Evidence(query: traceLogQuery($0), from: searchedFrom, to: searchedTo))
                } ?? "none"
                h += "<tr><td>\(CivilDate.clock(g.firstSeen))</td><td>\(CivilDate.clock(g.lastSeen))</td><td>\(esc(g.service))</td>"
                    + "<td>\(esc(g.operation))</td><td>\(g.errorSpans)</td><td>\(g.slowSpans)</td><td>\(ids)</td><td>\(linked)</td></tr>\n"
            }
            h += "</table>\n"
        }
        if !limitations.isEmpty {
            h += "<h2>Limitations</h2>\n<ul>\n" + limitations.map { "<li>\(esc($0))</li>\n" }.joined() + "</ul>\n"
        }
        h += "<p class=\"muted\">Searched \(CivilDate.rfc3339(searchedFrom)) – \(CivilDate.rfc3339(searchedTo)). Generated by mclog.</p>\n"
        h += "</body></html>\n"
        return h
    }

    func row(_ k: String, _ v: String) -> String { "<tr><th>\(esc(k))</th><td>\(v)</td></tr>\n" }

    func evidenceHTML(_ e: Evidence) -> String {
        if let t = e.traceID { return "trace <code>\(esc(t))</code>" }
        guard let q = e.query, let from = e.from, let to = e.to else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=?#")
        let enc = q.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let href = "/loki/api/v1/query_range?query=\(enc)&start=\(from)&end=\(to)&limit=1000"
        let cmd = "mclog query '\(q.replacingOccurrences(of: "'", with: "'\\''"))' --from \(CivilDate.rfc3339(from)) --to \(CivilDate.rfc3339(to, roundUp: true))"
        return "<a href=\"\(esc(href))\"><code>\(esc(q))</code></a> <span class=\"muted\">\(esc(CivilDate.rfc3339(from))) – "
            + "\(esc(CivilDate.rfc3339(to, roundUp: true)))</span><br><code class=\"muted\">\(esc(cmd))</code>"
    }
}

/// HTML-escapes text for element content and attribute values (Go's `HTMLEscapeString`, as LogQL templates do).
func esc(_ s: String) -> String { GoEncoding.htmlEscape(s) }
