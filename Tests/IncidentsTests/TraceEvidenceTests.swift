import Foundation
import Testing
@testable import Incidents
import LogQL
import LogStore
import TraceStore

/// Spans of the scenario's afternoon in a real span store: the kzone AI engine's failing chat calls (two of
/// them also logged by the backend with their trace id), a slow backend span, a bzone error (another zone) and
/// an error long before the window.
struct TraceScenario {
    static let linked = ["4bf92f3577b34da6a3ce929d0e0e4736", "5bf92f3577b34da6a3ce929d0e0e4737"]
    static let unlinked = "6bf92f3577b34da6a3ce929d0e0e4738"
    static let bzone = "7bf92f3577b34da6a3ce929d0e0e4739"
    static let early = "8bf92f3577b34da6a3ce929d0e0e4730"
    static let slow = "9bf92f3577b34da6a3ce929d0e0e4731"

    let traces: TraceStore

    init(logs: LogStore) throws {
        var o = TraceStoreOptions()
        o.backgroundIntervalSeconds = 0
        traces = try TraceStore(directory: temporaryDirectory() + "/traces", options: o)
        func span(_ service: String, _ zone: String, _ id: String, _ name: String, _ start: Int64, seconds: Double, error: Bool)
            -> ResourceSpans
        {
            var s = Span(traceID: TraceID(hex: id)!, spanID: SpanID(0x1234), name: name, start: start,
                         end: start + Int64(seconds * 1e9))
            s.kind = .server
            s.status = error ? .error : .ok
            return ResourceSpans(resource: [Attribute("service.name", .string(service)), Attribute("zone", .string(zone))],
                                 scopes: [ScopeSpans(spans: [s])])
        }
        let chat = "POST /v1/chat/completions"
        let batches = [
            span("ai-engine", "kzone", Self.linked[0], chat, Scenario.at(14, 2, 20), seconds: 0.01, error: true),
            span("ai-engine", "kzone", Self.linked[1], chat, Scenario.at(14, 3, 0), seconds: 0.01, error: true),
            span("ai-engine", "kzone", Self.unlinked, chat, Scenario.at(14, 4, 0), seconds: 0.01, error: true),
            span("backend", "kzone", Self.slow, "POST /api/v1/chat", Scenario.at(14, 5, 0), seconds: 3.5, error: false),
            span("ai-engine", "bzone", Self.bzone, chat, Scenario.at(14, 3, 30), seconds: 0.01, error: true),
            span("ai-engine", "kzone", Self.early, chat, Scenario.at(12, 0, 0), seconds: 0.01, error: true),
            span("backend", "kzone", "abf92f3577b34da6a3ce929d0e0e4732", "GET /api/v1/health", Scenario.at(14, 4, 0),
                 seconds: 0.02, error: false),
        ]
        _ = try traces.append(tenant: Tenant.defaultID, batches)
        // The backend logs the two linked failures with their trace ids in structured metadata.
        var lines = EntryBatch()
        for (i, id) in Self.linked.enumerated() {
            lines.append(timestamp: Scenario.at(14, 2 + i, 21), line: "ERROR app.inference: vLLM request failed: 503 trace_id=\(id)",
                         metadata: [Label("trace_id", id)])
        }
        // Its own stream (a second backend host), so the scenario's streams stay in time order.
        try logs.append(tenant: Tenant.defaultID, [(try LabelSet([Label("job", "backend"), Label("zone", "kzone"),
                                                                   Label("level", "error"), Label("host", "api-2")]), lines)])
    }
}

@Suite(.serialized) struct TraceEvidenceTests {
    @Test func groupsErrorAndSlowSpansByServiceAndOperationInTheZonesAndWindow() throws {
        let sc = try Scenario()
        let ts = try TraceScenario(logs: sc.store)
        defer { ts.traces.close() }
        let source = TraceStoreEvidence(store: ts.traces)
        let from = Scenario.at(14, 0, 0), to = Scenario.at(14, 30, 0)
        let groups = try source.spanGroups(tenant: Tenant.defaultID, from: from, to: to, zones: ["kzone"],
                                           slowerThan: 2_000_000_000)
        #expect(groups.map { "\($0.service) \($0.operation)" } == ["ai-engine POST /v1/chat/completions", "backend POST /api/v1/chat"])
        let engine = groups[0]
        #expect(engine.errorSpans == 3 && engine.slowSpans == 0)
        #expect(engine.firstSeen == Scenario.at(14, 2, 20) && engine.lastSeen == Scenario.at(14, 4, 0))
        #expect(engine.traceIDs == TraceScenario.linked + [TraceScenario.unlinked])  // earliest first; no bzone, no 12:00
        #expect(groups[1].errorSpans == 0 && groups[1].slowSpans == 1 && groups[1].traceIDs == [TraceScenario.slow])
        // Without a zone scope the other zone's error counts too; another tenant sees nothing.
        let all = try source.spanGroups(tenant: Tenant.defaultID, from: from, to: to, zones: [], slowerThan: 2_000_000_000)
        #expect(all.first { $0.service == "ai-engine" }?.errorSpans == 4)
        #expect(try source.spanGroups(tenant: "other", from: from, to: to, zones: [], slowerThan: 2_000_000_000).isEmpty)
        // Two zones: both.
        let two = try source.spanGroups(tenant: Tenant.defaultID, from: from, to: to, zones: ["kzone", "bzone"],
                                        slowerThan: 2_000_000_000)
        #expect(two.first { $0.service == "ai-engine" }?.errorSpans == 4)
    }

    @Test func postMortemLinksSpansToErrorLinesAndKeepsTheRootCause() throws {
        let sc = try Scenario()
        let ts = try TraceScenario(logs: sc.store)
        defer { ts.traces.close() }
        let c = Correlator(engine: Engine(store: sc.store), rules: try DetectionRule.loadDirectory(rulesDirectory),
                           traces: TraceStoreEvidence(store: ts.traces))
        let pm = try c.postMortem(.init(from: Scenario.at(14, 3, 0), to: Scenario.at(14, 8, 0), zones: ["kzone"]))
        #expect(pm.limitations.isEmpty)
        let engine = try #require(pm.traces.first { $0.service == "ai-engine" })
        #expect(engine.linkedTraceIDs == TraceScenario.linked)
        #expect(engine.linkedLogLines == 2)
        #expect(engine.traceIDs.first == TraceScenario.linked[0])
        // The spans are evidence, not the cause: the CUDA OOM seven seconds earlier still is.
        #expect(pm.rootCause?.candidate.text.contains("CUDA out of memory") == true)
        let item = try #require(pm.timeline.first { $0.source == .trace && $0.text.contains("ai-engine") })
        #expect(item.evidence?.traceID == TraceScenario.linked[0])
        #expect(item.text.contains("2 traces shared with 2 error log lines"))
        let md = pm.markdown()
        #expect(md.contains("## Trace Evidence"))
        // (pipes are escaped inside the Markdown table)
        #expect(md.contains(#"zone="kzone"} \| trace_id="\#(TraceScenario.linked[0])""#))
        #expect(pm.html().contains("<a href=\"/api/traces/\(TraceScenario.linked[0])\">"))
        // The linking query runs unchanged and finds the backend line.
        let q = #"{level=~"critical|error|warn", zone="kzone"} | trace_id="\#(TraceScenario.linked[0])""#
        guard case .streams(let s) = try c.engine.execute(q, QueryParams(start: pm.searchedFrom, end: pm.searchedTo, limit: 10)).0
        else { Issue.record("not a log result"); return }
        #expect(s.flatMap(\.entries).count == 1)
    }
}
