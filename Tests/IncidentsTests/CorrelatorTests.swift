import Foundation
import Testing
@testable import Incidents
import LogQL
import LogStore

/// A small platform in a store: two zones' edge traffic, a kzone vLLM CUDA OOM that fails the chat endpoint,
/// and noise that must not be blamed.
struct Scenario {
    static let s: Int64 = 1_000_000_000
    static let t0 = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 12)
    static func at(_ h: Int, _ m: Int, _ sec: Int) -> Int64 { CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: h, minute: m, second: sec) }
    static let oom = at(14, 2, 13)
    static let recovered = at(14, 10, 0)

    let store: LogStore
    var failed = 0
    var failedClients = Set<String>()

    init() throws {
        store = try LogStore(directory: temporaryDirectory())
        var streams: [LabelSet: EntryBatch] = [:]
        func add(_ labels: [String: String], _ t: Int64, _ line: String, _ md: [Label] = []) {
            let ls = try! LabelSet(labels.map { Label($0.key, $0.value) })
            streams[ls, default: EntryBatch()].append(timestamp: t, line: line, metadata: md)
        }
        var t = Self.t0
        var i = 0
        while t < Self.at(16, 0, 0) {
            for zone in ["kzone", "bzone"] {
                let chat = i % 2 == 0
                let path = chat ? "/api/v1/chat" : "/api/v1/health"
                let client = "198.51.100.\(i % 50 + 1)"
                let down = zone == "kzone" && chat && t > Self.oom && t < Self.recovered
                let status = down ? 502 : 200
                if down {
                    failed += 1
                    failedClients.insert(client)
                    add(["job": "backend", "zone": zone, "level": "error"], t - 1_000_000,
                        "2025-11-21 \(CivilDate.clock(t)),000 ERROR app.inference: vLLM request failed: 503 Service Unavailable trace_id=\(String(i, radix: 16))")
                }
                add(["job": "nginx", "zone": zone], t + (zone == "bzone" ? 1 : 0),
                    "\(client) - - [21/Nov/2025:\(CivilDate.clock(t)) +0000] \"POST \(path) HTTP/1.1\" \(status) 120 \"-\" \"curl/8\" 0.200 0.199")
            }
            if i % 12 == 0 {
                add(["job": "backend", "zone": "kzone", "level": "warn"], t + 7, "2025-11-21 \(CivilDate.clock(t)),007 WARNING app.cache: slow Redis GET took \(100 + i % 90)ms key=session:\(i)")
            }
            t += 5 * Self.s
            i += 1
        }
        add(["job": "ai-engine", "zone": "kzone", "level": "error"], Self.oom,
            "(EngineCore_DP0 pid=2817) ERROR 11-21 14:02:13 [core.py:710] torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.")
        add(["job": "ai-engine", "zone": "kzone", "level": "error"], Self.oom,
            "(APIServer pid=2731) ERROR 11-21 14:02:13 [async_llm.py:420] vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue.")
        add(["job": "ai-engine", "zone": "kzone", "level": "info"], Self.at(14, 9, 30),
            "(APIServer pid=3102) INFO 11-21 14:09:30 [api_server.py:1289] vLLM API server version 0.9.0.1")
        // Noise: a new warning in kzone minutes before, a deploy and a kernel OOM kill in bzone.
        add(["job": "backend", "zone": "kzone", "level": "warn"], Self.at(13, 56, 40),
            "2025-11-21 13:56:40,000 WARNING app.auth: JWKS refresh took 2.1s")
        add(["job": "backend", "zone": "bzone", "level": "info"], Self.at(13, 59, 0),
            "2025-11-21 13:59:00,000 INFO app.main: Deploying release 2025.11.21-2")
        add(["job": "kernel", "zone": "bzone", "level": "error"], Self.at(14, 1, 0),
            "kern  :err   : 2025-11-21T14:01:00,000000+00:00 Out of memory: Killed process 4242 (python3)")
        try store.append(tenant: Tenant.defaultID, streams.map { ($0.key, $0.value) })
    }

    func correlator() throws -> Correlator {
        Correlator(engine: Engine(store: store), rules: try DetectionRule.loadDirectory(rulesDirectory))
    }
}

@Suite(.serialized) struct CorrelatorTests {
    @Test func aCancelledCorrelationStopsReadingTheLogs() throws {
        let sc = try Scenario()
        try sc.store.flush()
        let correlator = try sc.correlator()
        let cancel = QueryCancellation()
        correlator.cancellation = cancel
        let subject = Correlator.Subject(from: Scenario.at(14, 3, 0), to: Scenario.at(14, 8, 0), zones: ["kzone"])
        _ = try correlator.postMortem(subject)  // not cancelled: runs to its end
        cancel.cancel()  // as the HTTP API's query timeout does
        #expect(throws: QueryCancelledError.self) { try correlator.postMortem(subject) }
    }

    @Test func findsRootCauseImpactAndSeverity() throws {
        let sc = try Scenario()
        let pm = try sc.correlator().postMortem(.init(from: Scenario.at(14, 3, 0), to: Scenario.at(14, 8, 0), zones: ["kzone"]))
        let rc = try #require(pm.rootCause)
        #expect(rc.candidate.layer == .aiEngine)
        #expect(rc.candidate.text.contains("CUDA out of memory"))
        #expect(rc.candidate.zones == ["kzone"])
        // The first chat request after the OOM is at 14:02:20; the backend logs its error 1 ms before.
        #expect(rc.reasoning.contains("edge (nginx) at 14:02:20, backend API at 14:02:19"))
        #expect(pm.start == Scenario.oom)
        #expect(pm.impact.failedRequests == sc.failed)
        #expect(pm.impact.distinctClients == sc.failedClients.count)
        #expect(pm.impact.endpoints.map(\.path) == ["/api/v1/chat"])
        #expect(pm.impact.recoveredAt.map { $0 >= Scenario.recovered && $0 < Scenario.recovered + 10 * Scenario.s } == true)
        #expect(pm.severity == .p2)
        #expect(pm.severityRule.hasPrefix("P2"))
        #expect(pm.zones == ["kzone"])
        // The noise: nothing from bzone, and the novel warning is not the cause.
        for a in [rc.candidate] + rc.runnersUp { #expect(!a.zones.contains("bzone")) }
        #expect(!rc.candidate.text.contains("JWKS"))
        // The steady warning is a signature but not anomalous.
        let steady = try #require(pm.signatures.first { $0.template.contains("slow Redis GET") })
        #expect(!steady.anomalous)
        #expect(steady.baselineCount > 0)
        // The restart is a change on the timeline.
        #expect(pm.changes.contains { $0.kind == .restart && $0.job == "ai-engine" })
        #expect(pm.timeline.contains { $0.source == .deploy })
        #expect(pm.ruleHits.contains { $0.rule == "cuda-oom" })
    }

    @Test func everyTimelineItemHasEvidenceThatReturnsData() throws {
        let sc = try Scenario()
        let c = try sc.correlator()
        let pm = try c.postMortem(.init(from: Scenario.at(14, 3, 0), to: Scenario.at(14, 8, 0), zones: ["kzone"],
                                         notes: [IncidentNote(time: Scenario.at(14, 9, 0), author: "ana", text: "restarted vllm")]))
        #expect(pm.timeline.contains { $0.source == .note && $0.text.contains("restarted vllm") })
        for item in pm.timeline where item.source != .note {
            let e = try #require(item.evidence, "\(item.text) has evidence")
            let q = try #require(e.query)
            let from = try #require(e.from), to = try #require(e.to)
            // The linked query runs unchanged and shows something in its range.
            let parsed = try Parser.parse(q)
            let params = QueryParams(start: from - 1, end: to + 1, step: 60 * Scenario.s, limit: 10)
            let (result, _) = try c.engine.execute(parsed, params)
            switch result {
            case .streams(let s): #expect(!s.isEmpty, "\(q)")
            case .matrix(let m): #expect(!m.isEmpty, "\(q)")
            default: Issue.record("unexpected result type for \(q)")
            }
        }
    }

    @Test func adHocWindowWithoutFailuresIsMinor() throws {
        let sc = try Scenario()
        let pm = try sc.correlator().postMortem(.init(from: Scenario.at(12, 30, 0), to: Scenario.at(12, 40, 0), zones: ["bzone"]))
        #expect(pm.impact.failedRequests == 0)
        #expect(pm.severity == .p4)
    }

    @Test func detectionFindsTheIncident() throws {
        let sc = try Scenario()
        let c = try sc.correlator()
        let d = IncidentDetector(evaluator: RuleEvaluator(engine: c.engine), rules: c.rules)
        let (_, candidates) = try d.detect(from: Scenario.t0, to: Scenario.at(16, 0, 0))
        let k = try #require(candidates.first { $0.zone == "kzone" })
        #expect(k.from <= Scenario.oom && k.to >= Scenario.at(14, 8, 0))
        #expect(k.severity == .p2)
        #expect(k.hits.contains { $0.rule == "cuda-oom" })
    }

    @Test func rulesFireOnlyAfterTheirForDuration() throws {
        let sc = try Scenario()
        let ev = RuleEvaluator(engine: Engine(store: sc.store))
        var rule = try DetectionRule.load(path: rulesDirectory + "/nginx-502-504.yaml")
        let hits = try ev.hits(rule, from: Scenario.t0, to: Scenario.at(16, 0, 0))
        let h = try #require(hits.first { $0.zone == "kzone" })
        #expect(h.firingAt == h.firstSeen + rule.forDuration)
        #expect(h.peak == 6)  // one chat request in two every 5 s: 6 a minute
        rule.forDuration = 60 * 60 * Scenario.s
        #expect(try ev.hits(rule, from: Scenario.t0, to: Scenario.at(16, 0, 0)).isEmpty)
    }
}
