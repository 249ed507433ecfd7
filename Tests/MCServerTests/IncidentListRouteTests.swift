import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Incidents
import Testing
@testable import MCServer

/// `GET /api/v1/incidents` filters, and the post-mortem route under the query timeout.
@Suite struct IncidentListRouteTests {
    /// Three incidents: kzone P2 (resolved 14:21:30), gzone P3 (open), a zone-less P2 at 16:00 (open).
    func populate(_ client: any TestClientProtocol) async throws -> (kzone: String, gzone: String, db: String) {
        let kzone = try #require(try await client.alert(IncidentRouteTests.highErrorRate).first)
        let gzone = try #require(try await client.alert(IncidentRouteTests.highGPUTemperature).first)
        let db = try #require(try await client.alert(IncidentRouteTests.highDBConnections).first)
        let resolved = alertPayload("resolved", "HighErrorRate", labels: ["severity": "critical", "zone": "kzone"],
                                    starts: "2025-11-21T14:05:00Z", ends: "2025-11-21T14:21:30Z", fingerprint: "a1")
        #expect(try await client.alert(resolved) == [kzone])
        return (kzone, gzone, db)
    }

    func ids(_ r: TestResponse) -> [String]? {
        ((r.json as? [String: Any])?["incidents"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
    }

    @Test func filtersByStatusZoneSeverityWindowAndLimit() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let (kzone, gzone, db) = try await populate(client)
            let cases: [([(String, String)], [String])] = [
                ([], [kzone, gzone, db]),
                ([("status", "open")], [gzone, db]),
                ([("status", "resolved")], [kzone]),
                ([("zone", "kzone")], [kzone]),
                ([("zone", "kzone,gzone")], [kzone, gzone]),
                ([("severity", "P2")], [kzone, db]),
                ([("severity", "p3"), ("status", "open")], [gzone]),
                // The window overlaps: kzone ended 14:21:30; gzone (14:06) and db (16:00) are still open.
                ([("from", "2025-11-21T14:30:00Z")], [gzone, db]),
                ([("from", "1763733600"), ("to", "2025-11-21T15:00:00Z")], [kzone, gzone]),  // 1763733600 = 14:00Z
                ([("to", "2025-11-21T14:05:00Z")], [kzone]),
                ([("to", "1763730000000000000")], []),  // 13:00Z in ns
                ([("limit", "2")], [gzone, db]),
                ([("zone", "")], [kzone, gzone, db]),  // an empty parameter is absent, as in the Loki routes
            ]
            for (params, want) in cases {
                let r = try await client.get("/api/v1/incidents", params)
                #expect(r.status == .ok, "\(params): \(r.text)")
                #expect(ids(r) == want, "\(params)")
            }
        }
    }

    @Test(arguments: [
        ("status", "closed", "invalid status parameter \"closed\": want open or resolved"),
        ("severity", "P2,P9", "invalid severity parameter \"P9\": want P1, P2, P3 or P4"),
        ("from", "yesterday", "invalid from parameter \"yesterday\": want unix nanoseconds, seconds, or RFC3339"),
        ("to", "2025-13-01T00:00:00Z", "invalid to parameter \"2025-13-01T00:00:00Z\": want unix nanoseconds, seconds, or RFC3339"),
        ("limit", "-1", "invalid limit parameter \"-1\": want a positive integer"),
    ])
    func badFilterValuesAre400NamingTheParameter(_ name: String, _ value: String, _ message: String) async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let r = try await client.get("/api/v1/incidents", [(name, value)])
            #expect(r.status == .badRequest)
            #expect(r.message == message, "\(r.text)")
        }
    }

    @Test func fromAfterToIs400() async throws {
        let h = try IncidentHarness()
        defer { h.close() }
        try await h.withClient { client in
            let r = try await client.get("/api/v1/incidents", [("from", "2025-11-21T15:00:00Z"), ("to", "2025-11-21T14:00:00Z")])
            #expect(r.status == .badRequest)
            #expect(r.message?.contains("from") == true && r.message?.contains("after to") == true, "\(r.text)")
        }
    }

    /// Trace evidence that takes its time, as a span search over a long window can: it answers when released
    /// (or after 20 s), far later than the timeout even on a loaded machine.
    struct SlowEvidence: TraceEvidenceSource {
        let release = DispatchSemaphore(value: 0)
        func spanGroups(tenant: String, from: Int64, to: Int64, zones: [String], slowerThan: Int64) throws -> [SpanGroup] {
            _ = release.wait(timeout: .now() + 20)
            return []
        }
    }

    @Test func postMortemAndTimelineRunUnderTheQueryTimeout() async throws {
        var o = ServerOptions()
        o.queryTimeoutSeconds = 0.2
        let slow = SlowEvidence()
        let h = try IncidentHarness(options: o, evidence: slow)
        defer {
            slow.release.signal()
            slow.release.signal()
            h.close()
        }
        try await h.withClient { client in
            let id = try #require(try await client.alert(IncidentRouteTests.highErrorRate).first)
            for path in ["/api/v1/incidents/\(id)/postmortem", "/api/v1/incidents/\(id)/timeline"] {
                let started = Date()
                let r = try await client.get(path, [("format", "html")])
                #expect(r.status == .gatewayTimeout, "\(path): \(r.text.prefix(200))")
                #expect(r.message == "query timed out after 0.2s (limit query_timeout)")
                #expect(Date().timeIntervalSince(started) < 10, "\(path) waited for the slow work")
            }
            // An unknown format is refused before any work.
            let bad = try await client.get("/api/v1/incidents/\(id)/postmortem", [("format", "pdf")])
            #expect(bad.status == .badRequest)
            // The store's routes are not query work: they answer.
            #expect(try await client.get("/api/v1/incidents/\(id)").status == .ok)
        }
    }
}
