import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Incidents
import LogStore
import Testing
import TraceStore
@testable import MCServer

/// Log, trace and incident stores in a fresh directory with the whole API over them, tested in-process.
struct IncidentHarness {
    let directory: String
    let logs: LogStore
    let traces: TraceStore
    let server: LokiServer

    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("queries").path

    /// `evidence` replaces the span store's trace evidence (e.g. a slow source for the timeout test).
    init(options: ServerOptions = ServerOptions(), evidence: (any TraceEvidenceSource)? = nil, name: String = #function) throws {
        directory = NSTemporaryDirectory() + "mclog-incidents-" + name.filter { $0.isLetter } + "-" + UUID().uuidString
        var lo = StoreOptions()
        lo.maintenanceIntervalSeconds = 0
        logs = try LogStore(directory: directory, options: lo)
        var to = TraceStoreOptions()
        to.backgroundIntervalSeconds = 0
        traces = try TraceStore(directory: directory + "/traces", options: to)
        let dir = directory
        let incidents = IncidentAPI(stores: { try EmbeddedIncidentStore(dataDirectory: dir, tenant: $0) }, logs: logs,
                                    rules: try DetectionRule.loadDirectory(Self.rules),
                                    traces: evidence ?? TraceStoreEvidence(store: traces), options: options)
        server = LokiServer(api: LokiAPI(store: logs, options: options), tempo: TempoAPI(store: traces, options: options),
                            incidents: incidents)
    }

    func close() {
        traces.close()
        logs.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await server.application().test(.router, body)
    }
}

/// An Alertmanager v4 webhook for one alert of the runbook.
func alertPayload(_ status: String, _ name: String, labels: [String: String], starts: String,
                  ends: String = "0001-01-01T00:00:00Z", fingerprint: String, summary: String = "") -> String {
    var all = labels
    all["alertname"] = name
    let labelText = all.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
    return """
        {"version":"4","groupKey":"{}:{alertname=\\"\(name)\\"}","truncatedAlerts":0,"status":"\(status)","receiver":"mclog",
         "groupLabels":{"alertname":"\(name)"},"commonLabels":{\(labelText)},"commonAnnotations":{},
         "externalURL":"http://alertmanager:9093",
         "alerts":[{"status":"\(status)","labels":{\(labelText)},"annotations":{"summary":"\(summary)"},
                    "startsAt":"\(starts)","endsAt":"\(ends)","generatorURL":"http://prometheus:9090/graph",
                    "fingerprint":"\(fingerprint)"}]}
        """
}

extension TestClientProtocol {
    func postJSON(_ path: String, _ body: String, tenant: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        if h[.contentType] == nil { h[.contentType] = "application/json" }
        if let tenant { h[HTTPField.Name("X-Scope-OrgID")!] = tenant }
        return try await execute(uri: path, method: .post, headers: h, body: ByteBuffer(string: body))
    }

    /// Posts a webhook and returns the incident IDs the answer lists.
    func alert(_ body: String, tenant: String? = nil) async throws -> [String] {
        let r = try await postJSON("/api/v1/alerts", body, tenant: tenant)
        #expect(r.status == .ok, "\(r.text)")
        return ((r.json as? [String: Any])?["incidents"] as? [String]) ?? []
    }
}

@Suite struct IncidentRouteTests {
    // The runbook's alerts, as Prometheus/Alertmanager would send them for one afternoon.
    static let highErrorRate = alertPayload("firing", "HighErrorRate", labels: ["severity": "critical", "zone": "kzone"],
                                            starts: "2025-11-21T14:05:00Z", fingerprint: "a1", summary: "5xx above 5%")
    static let highAPILatency = alertPayload("firing", "HighAPILatency", labels: ["severity": "warning", "zone": "kzone"],
                                             starts: "2025-11-21T14:07:30Z", fingerprint: "a2", summary: "p95 above 2s")
    static let highGPUTemperature = alertPayload("firing", "HighGPUTemperature",
                                                 labels: ["severity": "warning", "zone": "gzone", "gpu": "0"],
                                                 starts: "2025-11-21T14:06:00Z", fingerprint: "a3")
    static let highDBConnections = alertPayload("firing", "HighDBConnections",
                                                labels: ["severity": "critical", "service": "postgres"],
                                                starts: "2025-11-21T16:00:00Z", fingerprint: "a4")

    @Test func firingAlertsOpenOrJoinIncidentsAndResolvedOnesCloseThem() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let first = try await client.alert(Self.highErrorRate)
            #expect(first.count == 1)
            // The same zone minutes later joins; another zone and a zone-less alert open their own.
            #expect(try await client.alert(Self.highAPILatency) == first)
            let gpu = try await client.alert(Self.highGPUTemperature)
            let db = try await client.alert(Self.highDBConnections)
            #expect(gpu != first && db != first && gpu != db)
            // Alertmanager repeats a notification every repeat_interval: nothing new is recorded.
            #expect(try await client.alert(Self.highErrorRate) == first)

            let list = try await client.get("/api/v1/incidents")
            #expect(list.status == .ok)
            let incidents = try #require((list.json as? [String: Any])?["incidents"] as? [[String: Any]])
            #expect(incidents.count == 3)
            let kzone = try #require(incidents.first { ($0["id"] as? String) == first[0] })
            #expect(kzone["zones"] as? [String] == ["kzone"])
            #expect(kzone["severity"] as? String == "P2")
            #expect(kzone["openedBy"] as? String == "alert")
            #expect((kzone["events"] as? [Any])?.count == 2)
            #expect(kzone["end"] == nil)
            let gpuIncident = try #require(incidents.first { ($0["id"] as? String) == gpu[0] })
            #expect(gpuIncident["severity"] as? String == "P3")

            // One of the two kzone alerts resolves: still open; both: closed at the later end.
            let resolved1 = alertPayload("resolved", "HighErrorRate", labels: ["severity": "critical", "zone": "kzone"],
                                         starts: "2025-11-21T14:05:00Z", ends: "2025-11-21T14:21:30Z", fingerprint: "a1")
            #expect(try await client.alert(resolved1) == first)
            var one = try await client.get("/api/v1/incidents/" + first[0])
            #expect((one.json as? [String: Any])?["end"] == nil)
            let resolved2 = alertPayload("resolved", "HighAPILatency", labels: ["severity": "warning", "zone": "kzone"],
                                         starts: "2025-11-21T14:07:30Z", ends: "2025-11-21T14:20:00Z", fingerprint: "a2")
            #expect(try await client.alert(resolved2) == first)
            one = try await client.get("/api/v1/incidents/" + first[0])
            let end = try #require((one.json as? [String: Any])?["end"] as? Int64)
            #expect(end == LokiTime.rfc3339("2025-11-21T14:21:30Z"))
        }
    }

    @Test(arguments: [
        (#"{"version":"3","status":"firing","alerts":[]}"#, "version"),
        (#"{"version":"4","status":"firing"}"#, "alerts"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]}"#,
         "alerts[0].startsAt"),
        (#"{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{},"startsAt":"2025-11-21T14:05:00Z"}]}"#,
         "alerts[0].endsAt"),
        ("not json", "body"),
    ])
    func malformedWebhooksAre400NamingTheFieldAndStoreNothing(_ body: String, _ field: String) async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let r = try await client.postJSON("/api/v1/alerts", body)
            #expect(r.status == .badRequest)
            #expect(r.message?.hasPrefix("invalid Alertmanager payload: \(field) ") == true, "\(r.text)")
            let list = try await client.get("/api/v1/incidents")
            #expect(list.text == #"{"incidents":[]}"#)
        }
    }

    @Test func webhookWithAnotherContentTypeIs415() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let r = try await client.postJSON("/api/v1/alerts", Self.highErrorRate, headers: [.contentType: "text/plain"])
            #expect(r.status == .unsupportedMediaType)
            #expect(r.message?.contains("application/json") == true)
        }
    }

    @Test func unknownAndMalformedIncidentIDsAre404And400OnEveryRoute() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            for suffix in ["", "/timeline", "/postmortem"] {
                let missing = try await client.get("/api/v1/incidents/INC-2025-11-21-007" + suffix)
                #expect(missing.status == .notFound, "\(suffix)")
                #expect(missing.message == "no incident INC-2025-11-21-007")
                let bad = try await client.get("/api/v1/incidents/INC-yesterday" + suffix)
                #expect(bad.status == .badRequest, "\(suffix)")
                #expect(bad.message?.contains("INC-YYYY-MM-DD-NNN") == true)
            }
            let note = try await client.postJSON("/api/v1/incidents/INC-2025-11-21-007/notes", #"{"text":"hello"}"#)
            #expect(note.status == .notFound)
            let badNote = try await client.postJSON("/api/v1/incidents/INC-x/notes", #"{"text":"hello"}"#)
            #expect(badNote.status == .badRequest)
        }
    }

    @Test func notesAreAddedValidatedAndKeptInTimelineAndPostMortem() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let id = try #require(try await client.alert(Self.highErrorRate).first)
            let added = try await client.postJSON("/api/v1/incidents/\(id)/notes",
                                                  #"{"text":"Restarted vLLM on kzone-gpu-1","author":"alice","time":"2025-11-21T14:09:00Z"}"#)
            #expect(added.status == .created, "\(added.text)")
            let notes = try #require((added.json as? [String: Any])?["notes"] as? [[String: Any]])
            #expect(notes.count == 1)
            #expect(notes[0]["author"] as? String == "alice")
            #expect(notes[0]["time"] as? Int64 == LokiTime.rfc3339("2025-11-21T14:09:00Z"))
            // Author and time are optional.
            let second = try await client.postJSON("/api/v1/incidents/\(id)/notes", #"{"text":"Engine healthy again"}"#)
            #expect(((second.json as? [String: Any])?["notes"] as? [[String: Any]])?.last?["author"] as? String == "api")
            for (body, problem) in [(#"{"text":"  "}"#, "\"text\" is missing or empty"), (#"{"author":"bob"}"#, "\"text\""),
                                    ("Restarted", "want a JSON object"), (#"{"text":"x","time":"noon"}"#, "invalid time")] {
                let r = try await client.postJSON("/api/v1/incidents/\(id)/notes", body)
                #expect(r.status == .badRequest, "\(body)")
                #expect(r.message?.contains(problem) == true, "\(r.text)")
            }

            let timeline = try await client.get("/api/v1/incidents/\(id)/timeline")
            #expect(timeline.status == .ok, "\(timeline.text)")
            let t = try #require(timeline.json as? [String: Any])
            #expect(t["id"] as? String == id)
            let items = try #require(t["timeline"] as? [[String: Any]])
            #expect(items.contains { $0["source"] as? String == "alert" && ($0["text"] as? String)?.hasPrefix("HighErrorRate") == true })
            #expect(items.contains { $0["source"] as? String == "note" && $0["text"] as? String == "alice: Restarted vLLM on kzone-gpu-1" })
            let times = items.compactMap { $0["time"] as? Int64 }
            #expect(times == times.sorted())

            let md = try await client.get("/api/v1/incidents/\(id)/postmortem")
            #expect(md.status == .ok)
            #expect(md.headers[.contentType]?.hasPrefix("text/markdown") == true)
            #expect(md.text.contains("| Incident ID | \(id) |"))
            #expect(md.text.contains("alice: Restarted vLLM on kzone-gpu-1"))
        }
    }

    @Test func postMortemFormatsAndBadFormat() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let id = try #require(try await client.alert(Self.highGPUTemperature).first)
            let html = try await client.get("/api/v1/incidents/\(id)/postmortem", [("format", "html")])
            #expect(html.status == .ok)
            #expect(html.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(html.text.hasPrefix("<!DOCTYPE html>") && html.text.contains("<svg"))
            let json = try await client.get("/api/v1/incidents/\(id)/postmortem", [("format", "json")])
            #expect(json.status == .ok)
            let pm = try #require(json.json as? [String: Any])
            #expect(pm["id"] as? String == id)
            #expect(pm["zones"] as? [String] == ["gzone"])
            #expect(pm["limitations"] as? [String] == [])  // the span store was searched
            let bad = try await client.get("/api/v1/incidents/\(id)/postmortem", [("format", "pdf")])
            #expect(bad.status == .badRequest)
            #expect(bad.message == "invalid format \"pdf\": want md, html or json")
        }
    }

    @Test func incidentsBelongToTheirTenant() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let id = try #require(try await client.alert(Self.highErrorRate, tenant: "team-a").first)
            #expect(try await client.get("/api/v1/incidents", tenant: "team-b").text == #"{"incidents":[]}"#)
            #expect(try await client.get("/api/v1/incidents/" + id, tenant: "team-b").status == .notFound)
            #expect(try await client.get("/api/v1/incidents/" + id, tenant: "team-a").status == .ok)
            let note = try await client.postJSON("/api/v1/incidents/\(id)/notes", #"{"text":"x"}"#, tenant: "team-b")
            #expect(note.status == .notFound)
            let bad = try await client.get("/api/v1/incidents", tenant: "../etc")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func withAuthEveryIncidentRouteNeedsCredentialsOfTheTenant() async throws {
        var o = ServerOptions()
        o.auth = AuthConfig(bearerTokens: ["tok-a": "team-a"])
        let h = try IncidentHarness(options: o)
        defer { h.close() }
        try await h.withClient { client in
            let auth: HTTPFields = [.authorization: "Bearer tok-a"]
            #expect(try await client.postJSON("/api/v1/alerts", Self.highErrorRate).status == .unauthorized)
            let r = try await client.postJSON("/api/v1/alerts", Self.highErrorRate, headers: auth)
            #expect(r.status == .ok)
            let id = try #require(((r.json as? [String: Any])?["incidents"] as? [String])?.first)
            for path in ["/api/v1/incidents", "/api/v1/incidents/" + id, "/api/v1/incidents/\(id)/timeline",
                         "/api/v1/incidents/\(id)/postmortem"] {
                #expect(try await client.get(path).status == .unauthorized, "\(path)")
                #expect(try await client.get(path, tenant: "team-b", headers: auth).status == .forbidden, "\(path)")
                #expect(try await client.get(path, headers: auth).status == .ok, "\(path)")
            }
            #expect(try await client.postJSON("/api/v1/incidents/\(id)/notes", #"{"text":"x"}"#).status == .unauthorized)
            // The incident is stored under the credentials' tenant.
            #expect(FileManager.default.fileExists(atPath: h.directory + "/incidents/team-a/\(id).json"))
        }
    }
}

/// OTLP/JSON for one span of `service` in `zone`.
func otlpSpan(service: String, zone: String, traceID: String, spanID: String, name: String, start: Int64, seconds: Double,
              error: Bool) -> String {
    """
    {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\(service)"}},
      {"key":"zone","value":{"stringValue":"\(zone)"}}]},
      "scopeSpans":[{"scope":{"name":"test"},"spans":[{"traceId":"\(traceID)","spanId":"\(spanID)","name":"\(name)",
        "kind":2,"startTimeUnixNano":"\(start)","endTimeUnixNano":"\(start + Int64(seconds * 1e9))",
        "status":{"code":\(error ? 2 : 1)}}]}]}]}
    """
}

extension IncidentRouteTests {
    @Test func postMortemLinksErrorSpansToTheBackendLinesThatShareTheirTraceIDs() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        let t = LokiTime.rfc3339("2025-11-21T14:04:00Z")!
        let linked = "0af7651916cd43dd8448eb211c80319c", lonely = "1bf7651916cd43dd8448eb211c80319d",
            otherZone = "2cf7651916cd43dd8448eb211c80319e"
        try await h.withClient { client in
            for (id, zone, offset) in [(linked, "kzone", 10), (lonely, "kzone", 20), (otherZone, "bzone", 15)] {
                let body = otlpSpan(service: "ai-engine", zone: zone, traceID: id, spanID: "00f067aa0ba902b7",
                                    name: "POST /v1/chat/completions", start: t + Int64(offset) * 1_000_000_000, seconds: 0.3,
                                    error: true)
                #expect(try await client.postJSON("/v1/traces", body).status == .ok)
            }
            let push = try await client.push(pushJSON(["job": "backend", "zone": "kzone", "level": "error"],
                                                      [(t + 10_300_000_000, "ERROR app.inference: vLLM request failed: 503 trace_id=\(linked)")],
                                                      metadata: ["trace_id": linked]))
            #expect(push.status == .noContent)
            let id = try #require(try await client.alert(Self.highErrorRate).first)
            let r = try await client.get("/api/v1/incidents/\(id)/postmortem", [("format", "json")])
            let pm = try #require(r.json as? [String: Any])
            let traces = try #require(pm["traces"] as? [[String: Any]])
            #expect(traces.count == 1)  // bzone's span is another zone's
            let g = try #require(traces.first)
            #expect(g["service"] as? String == "ai-engine" && g["operation"] as? String == "POST /v1/chat/completions")
            #expect(g["errorSpans"] as? Int == 2)
            #expect(g["traceIDs"] as? [String] == [linked, lonely])
            #expect(g["linkedTraceIDs"] as? [String] == [linked])
            #expect(g["linkedLogLines"] as? Int == 1)
            let md = try await client.get("/api/v1/incidents/\(id)/postmortem")
            #expect(md.text.contains("## Trace Evidence"))
            #expect(md.text.contains("trace_id=\"\(linked)\""))
            let timeline = try await client.get("/api/v1/incidents/\(id)/timeline")
            let items = try #require((timeline.json as? [String: Any])?["timeline"] as? [[String: Any]])
            let trace = try #require(items.first { $0["source"] as? String == "trace" })
            #expect((trace["evidence"] as? [String: Any])?["traceID"] as? String == linked)
            #expect((trace["text"] as? String)?.contains("shared with 1 error log lines") == true)
        }
    }
}
