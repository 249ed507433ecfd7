import LogQL
import LogStore

extension Correlator {
    /// Lines that mark a restart, deploy or configuration reload: systemd units starting and stopping, containers
    /// (re)started, nginx reloads, vLLM and uvicorn servers starting, model loads, deploy tools.
    static let changeRegex = #"Started .*\.service|Stopped .*\.service|Restarting|restarted|Starting vLLM API server|vLLM API server version|Started server process|signal process started|reconfiguring|[Rr]eloading|[Dd]eploy(ed|ing)? |[Rr]olling out|Loading model weights|model (re)?loaded"#

    /// Restarts, deploys and reloads in the scope; lines of one stream within a minute are one change.
    func findChanges(zones: [String], from: Int64, to: Int64) throws -> [Change] {
        let q = LogQLText.selector([#"job=~".+""#], zones: zones) + " |~ " + LogQLText.quote(Self.changeRegex)
        guard case .streams(let streams) = try engine.execute(q, logParams(from: from, to: to, limit: 10_000)).0 else { return [] }
        var out: [Change] = []
        for s in streams {
            let labels = Dictionary(s.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            let job = labels["job"] ?? ""
            if job == "nginx" && labels["stream"] != "error" { continue }
            var lastTime: Int64?
            for e in s.entries {
                defer { lastTime = e.0 }
                if let l = lastTime, e.0 - l <= 60_000_000_000 { continue }
                let text = String(e.1.split(separator: "\n").first ?? "")
                let lower = text.lowercased()
                let kind: Change.Kind = lower.contains("deploy") || lower.contains("rolling out") ? .deploy
                    : (lower.contains("reload") || lower.contains("reconfigur") || lower.contains("signal process") ? .reload : .restart)
                let sel = LogQLText.selector([#"job="# + LogQLText.quote(job)], zones: labels["zone"].map { [$0] } ?? [])
                out.append(Change(kind: kind, time: e.0, job: job, layer: Layer.of(job: job), zone: labels["zone"],
                                  host: labels["host"], text: String(text.prefix(300)),
                                  evidence: Evidence(query: sel + " |~ " + LogQLText.quote(Self.changeRegex),
                                                     from: e.0, to: e.0 + 60_000_000_001)))
            }
        }
        return out.sorted { $0.time < $1.time }
    }
}
