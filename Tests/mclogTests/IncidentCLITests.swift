import Foundation
import Incidents
import Testing

/// `mclog demo`, `incident open|note`, `incidents list|detect` and `postmortem`, run as a user would.
@Suite(.serialized) struct IncidentCLITests {
    struct Truth: Decodable {
        var zone: String
        var oomAt: Int64
        var recoveredAt: Int64
        var failedRequests: Int
        var distinctClients: Int
        var tracedRequests: Int
        var failedTraces: Int
    }

    @Test func demoFindsTheScriptedIncident() throws {
        let dir = try DemoRun.shared.get().dir
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/logs/truth.json")))
        let pm = try JSONDecoder().decode(PostMortem.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/pm.json")))
        let minute: Int64 = 60_000_000_000
        #expect(pm.id != nil)
        #expect(pm.severity == .p2)
        #expect(pm.zones == [truth.zone])
        #expect(abs(pm.start - truth.oomAt) <= minute)
        #expect(abs(pm.end - truth.recoveredAt) <= minute)
        #expect(pm.impact.failedRequests == truth.failedRequests)
        #expect(pm.impact.distinctClients == truth.distinctClients)
        let rc = try #require(pm.rootCause)
        #expect(rc.candidate.layer == .aiEngine)
        #expect(rc.candidate.zones == [truth.zone])
        #expect(rc.candidate.text.contains("CUDA out of memory"))
        // The noise is not blamed: other zones' deploy, reload, OOM kill, Xid, disk warning.
        for a in [rc.candidate] + rc.runnersUp {
            #expect(a.zones.allSatisfy { $0 == truth.zone })
            for noise in ["Deploying", "oom-killer", "Killed process", "Xid", "Disk usage", "signal process"] {
                #expect(!a.text.contains(noise))
            }
        }
        // The demo's traces were searched: every failed chat request's engine span is there, and each is linked to
        // the backend error line that carries its trace id.
        #expect(pm.limitations.isEmpty)
        #expect(truth.tracedRequests > truth.failedTraces && truth.failedTraces == truth.failedRequests)
        let engineSpans = try #require(pm.traces.first { $0.service == "ai-engine" && $0.operation == "POST /v1/chat/completions" })
        #expect(engineSpans.errorSpans == truth.failedTraces)
        #expect(truth.failedTraces < 200)  // within the trace ids looked up per group
        #expect(engineSpans.linkedLogLines == truth.failedTraces)
        #expect(!engineSpans.linkedTraceIDs.isEmpty && engineSpans.traceIDs.first == engineSpans.linkedTraceIDs.first)
        #expect(pm.timeline.contains { $0.source == .trace && $0.evidence?.traceID == engineSpans.linkedTraceIDs.first })
        // The incidents are stored and listed; the noise zones' own small incidents are less severe.
        let list = try CLI.run(["incidents", "list", "--data", dir + "/data"])
        #expect(list.stdout.contains(pm.id!.description))
        #expect(list.stdout.split(separator: "\n").filter { $0.contains("\tP1\t") || $0.contains("\tP2\t") }.count == 1)

        // A note is kept in the regenerated post-mortem (Markdown and HTML).
        let note = try CLI.run(["incident", "note", "--data", dir + "/data", pm.id!.description, "restarted the kzone vLLM unit", "--author", "ana"])
        #expect(note.status == 0, "\(note.stderr)")
        let md = try CLI.run(["postmortem", "--data", dir + "/data", pm.id!.description])
        #expect(md.status == 0, "\(md.stderr)")
        #expect(md.stdout.contains("ana: restarted the kzone vLLM unit"))
        #expect(md.stdout.contains("**\(truth.failedRequests)**"))
        #expect(md.stdout.contains("## Trace Evidence"))
        let html = try CLI.run(["postmortem", "--data", dir + "/data", pm.id!.description, "--format", "html", "--out", dir + "/pm-note.html"])
        #expect(html.status == 0)
        let page = try String(contentsOfFile: dir + "/pm-note.html", encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("restarted the kzone vLLM unit"))
    }

    @Test func manualIncidentsAndErrors() throws {
        let dir = CLI.temporaryDirectory()
        let open = try CLI.run(["incident", "open", "--data", dir, "--title", "chat slow", "--zone", "kzone",
                                "--from", "2025-11-21T14:00:00Z", "--severity", "P3"])
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "INC-2025-11-21-001")
        let second = try CLI.run(["incident", "open", "--data", dir, "--title", "again", "--from", "2025-11-21T15:00:00Z", "--severity", "p4"])
        #expect(second.stdout.contains("INC-2025-11-21-002"))
        let list = try CLI.run(["incidents", "list", "--data", dir, "--output", "json"])
        let incidents = try JSONDecoder().decode([Incident].self, from: Data(list.stdout.utf8))
        #expect(incidents.map(\.openedBy) == ["manual", "manual"])

        let badSeverity = try CLI.run(["incident", "open", "--data", dir, "--title", "x", "--from", "1h", "--severity", "P9"])
        #expect(badSeverity.status != 0 && badSeverity.stderr.contains("P1, P2, P3 or P4"))
        let badID = try CLI.run(["incident", "note", "--data", dir, "INC-2025-11-21", "x"])
        #expect(badID.status != 0 && badID.stderr.contains("INC-YYYY-MM-DD-NNN"))
        let missing = try CLI.run(["incident", "note", "--data", dir, "INC-2025-11-21-009", "x"])
        #expect(missing.status != 0 && missing.stderr.contains("no incident INC-2025-11-21-009"))
        let badFormat = try CLI.run(["postmortem", "--data", dir, "INC-2025-11-21-001", "--format", "pdf"])
        #expect(badFormat.status != 0 && badFormat.stderr.contains("md, html or json"))
        let noRules = try CLI.run(["incidents", "detect", "--data", dir, "--from", "1h", "--rules", dir + "/nope"])
        #expect(noRules.status != 0 && noRules.stderr.contains("rule folder"))
    }

    @Test func listFiltersAndTheirErrors() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (title, zone, from, to, severity) in [("kzone chat down", "kzone", "2025-11-21T14:00:00Z", "2025-11-21T14:30:00Z", "P2"),
                                                  ("bzone slow", "bzone", "2025-11-21T15:00:00Z", nil, "P3"),
                                                  ("kzone disk", "kzone", "2025-11-22T09:00:00Z", nil, "P4")] as [(String, String, String, String?, String)] {
            let r = try CLI.run(["incident", "open", "--data", dir, "--title", title, "--zone", zone, "--from", from, "--severity", severity]
                                + (to.map { ["--to", $0] } ?? []))
            #expect(r.status == 0, "\(r.stderr)")
        }
        func ids(_ args: [String]) throws -> [String] {
            let r = try CLI.run(["incidents", "list", "--data", dir, "--output", "json"] + args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return try JSONDecoder().decode([Incident].self, from: Data(r.stdout.utf8)).map(\.id.description)
        }
        #expect(try ids([]) == ["INC-2025-11-21-001", "INC-2025-11-21-002", "INC-2025-11-22-001"])
        #expect(try ids(["--status", "open"]) == ["INC-2025-11-21-002", "INC-2025-11-22-001"])
        #expect(try ids(["--zone", "kzone", "--status", "resolved"]) == ["INC-2025-11-21-001"])
        #expect(try ids(["--severity", "P3,p4", "--zone", "bzone"]) == ["INC-2025-11-21-002"])
        #expect(try ids(["--from", "2025-11-21T14:45:00Z", "--to", "2025-11-21T23:00:00Z"]) == ["INC-2025-11-21-002"])
        #expect(try ids(["--limit", "1"]) == ["INC-2025-11-22-001"])
        let table = try CLI.run(["incidents", "list", "--data", dir, "--zone", "bzone"])
        #expect(table.stdout.hasPrefix("INC-2025-11-21-002\tP3\t") && table.stdout.split(separator: "\n").count == 1, "\(table.stdout)")

        for (args, message) in [(["--status", "closed"], "--status: \"closed\": want open or resolved"),
                                (["--severity", "P7"], "--severity: \"P7\": want P1, P2, P3 or P4"),
                                (["--limit", "0"], "--limit: \"0\": want a positive integer"),
                                (["--from", "noon"], "--from: invalid time \"noon\""),
                                (["--from", "2025-11-22T00:00:00Z", "--to", "2025-11-21T00:00:00Z"], "--from must not be after --to")] {
            let r = try CLI.run(["incidents", "list", "--data", dir] + args)
            #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
