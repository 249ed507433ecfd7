import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LogStore
import Testing
@testable import MCServer

private let t0: Int64 = 1_700_000_000

@Suite struct MetadataRouteTests {
    /// Two zones of nginx and one ai-engine stream, ten minutes apart.
    func seed(_ c: any TestClientProtocol) async throws {
        _ = try await c.push(pushJSON(["job": "nginx", "zone": "kzone"], [(sec(t0), "a"), (sec(t0 + 1), "bb")]))
        _ = try await c.push(pushJSON(["job": "nginx", "zone": "univprepai"], [(sec(t0), "ccc")]))
        _ = try await c.push(pushJSON(["job": "ai-engine", "engine": "vllm"], [(sec(t0 + 600), "dddd")]))
    }

    func data(_ r: TestResponse) -> Any? { (r.json as? [String: Any])?["data"] }

    @Test func labelsValuesAndSeriesFollowTheRangeAndSelector() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            try await seed(c)
            let range = [("start", "\(t0)"), ("end", "\(t0 + 3600)")]
            #expect(data(try await c.get("/loki/api/v1/labels", range)) as? [String] == ["engine", "job", "zone"])
            #expect(data(try await c.get("/loki/api/v1/labels", [("start", "\(t0)"), ("end", "\(t0 + 10)")])) as? [String]
                    == ["job", "zone"])
            #expect(data(try await c.get("/loki/api/v1/label/zone/values", range)) as? [String] == ["kzone", "univprepai"])
            #expect(data(try await c.get("/loki/api/v1/label/job/values", range + [("query", "{zone=\"kzone\"}")])) as? [String]
                    == ["nginx"])
            let series = data(try await c.get("/loki/api/v1/series", range + [("match[]", "{job=\"nginx\"}"),
                                                                              ("match[]", "{engine=\"vllm\"}")]))
            #expect(series as? [[String: String]] == [
                ["engine": "vllm", "job": "ai-engine"], ["job": "nginx", "zone": "kzone"], ["job": "nginx", "zone": "univprepai"],
            ])
            let bad = try await c.get("/loki/api/v1/series", range + [("match[]", "{job=~\"\"}")])
            #expect(bad.status == .badRequest)
        }
    }

    @Test func indexStatsAndVolumeCountStreamsEntriesAndBytes() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            try await seed(c)
            let range = [("start", "\(t0)"), ("end", "\(t0 + 3600)")]
            let s = try await c.get("/loki/api/v1/index/stats", range + [("query", "{job=\"nginx\"}")])
            let stats = s.json as? [String: Int]
            #expect(stats?["streams"] == 2)
            #expect(stats?["entries"] == 3)
            #expect(stats?["bytes"] == 6)
            #expect(stats?["chunks"] == 2)
            let v = try await c.get("/loki/api/v1/index/volume", range + [("query", "{job=\"nginx\"}"), ("targetLabels", "zone")])
            let result = (data(v) as! [String: Any])["result"] as! [[String: Any]]
            #expect(result.map { $0["metric"] as! [String: String] } == [["zone": "kzone"], ["zone": "univprepai"]])
            #expect(result.map { ($0["value"] as! [Any])[1] as! String } == ["3", "3"])
            let byJob = try await c.get("/loki/api/v1/index/volume", range + [("query", "{job=~\".+\"}")])
            let jobs = (data(byJob) as! [String: Any])["result"] as! [[String: Any]]
            #expect(Dictionary(uniqueKeysWithValues: jobs.map { (($0["metric"] as! [String: String])["job"]!, ($0["value"] as! [Any])[1] as! String) })
                    == ["nginx": "6", "ai-engine": "4"])
        }
    }

    /// Loki's `aggregateBy=labels`: one `{name=""}` series per label name, the sum of the streams that carry it.
    @Test func volumeAggregatedByLabelNames() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            try await seed(c)
            let range = [("start", "\(t0)"), ("end", "\(t0 + 3600)")]
            func volumes(_ r: TestResponse) -> [String: [String]] {
                let result = (data(r) as! [String: Any])["result"] as! [[String: Any]]
                return Dictionary(uniqueKeysWithValues: result.map { s -> (String, [String]) in
                    let metric = s["metric"] as! [String: String]
                    #expect(metric.count == 1 && metric.first?.value == "")
                    let points = (s["values"] as? [[Any]]) ?? [s["value"] as! [Any]]
                    return (metric.first!.key, points.map { $0[1] as! String })
                })
            }
            let all = try await c.get("/loki/api/v1/index/volume", range + [("query", "{job=~\".+\"}"), ("aggregateBy", "labels")])
            #expect(volumes(all) == ["job": ["10"], "zone": ["6"], "engine": ["4"]])
            let zone = try await c.get("/loki/api/v1/index/volume", range + [("query", "{job=~\".+\"}"), ("aggregateBy", "labels"),
                                                                         ("targetLabels", "zone")])
            #expect(volumes(zone) == ["zone": ["6"]])
            // Windows (t-300, t] at t0, t0+300, t0+600: "a" and "ccc" (t0), "bb" (t0+1), "dddd" (t0+600).
            let byStep = try await c.get("/loki/api/v1/index/volume_range", [("start", "\(t0)"), ("end", "\(t0 + 600)"),
                                                                             ("step", "300"), ("query", "{job=~\".+\"}"),
                                                                             ("aggregateBy", "labels")])
            #expect(volumes(byStep) == ["job": ["4", "2", "4"], "zone": ["4", "2"], "engine": ["4"]])
            let bad = try await c.get("/loki/api/v1/index/volume", range + [("query", "{job=\"nginx\"}"), ("aggregateBy", "streams")])
            #expect(bad.status == .badRequest)
            #expect(bad.message?.contains("invalid aggregation option") == true)
        }
    }

    /// Fields `| json` finds carry the key path Grafana turns into `| json name="a.b"`; logfmt and metadata do not.
    @Test func detectedFieldsGiveTheJSONKeyPath() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            let json = #"{\"level\":\"error\",\"user\":{\"id\":\"u1\",\"plan.tier\":\"pro\"},\"latency_ms\":12,\"tags\":[\"a\"]}"#
            _ = try await c.push(pushJSON(["job": "backend"], [(sec(t0), json), (sec(t0 + 1), "level=info took=5ms")],
                                          metadata: ["trace_id": "abc"]))
            let r = try await c.get("/loki/api/v1/detected_fields", [("start", "\(t0)"), ("end", "\(t0 + 60)"), ("query", "{job=\"backend\"}")])
            let fields = (r.json as! [String: Any])["fields"] as! [[String: Any]]
            let paths = Dictionary(uniqueKeysWithValues: fields.map { ($0["label"] as! String, $0["jsonPath"] as? [String]) })
            #expect(paths["user_id"] == .some(["user", "id"]))
            #expect(paths["user_plan_tier"] == .some(["user", "plan.tier"]))
            #expect(paths["latency_ms"] == .some(["latency_ms"]))
            #expect(paths["level"] == .some(["level"]))  // found by json first, then by logfmt
            #expect(paths["took"] == .some(nil))
            #expect(paths["trace_id"] == .some(nil))
            #expect(paths["tags"] == nil)
        }
    }

    @Test func tenantsAreIsolatedByOrgID() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            _ = try await c.push(pushJSON(["job": "secret-a"], [(sec(t0), "tenant a line")]), tenant: "team-a")
            _ = try await c.push(pushJSON(["job": "b"], [(sec(t0), "tenant b line")]), tenant: "team-b")
            let range = [("start", "\(t0)"), ("end", "\(t0 + 60)")]
            #expect(data(try await c.get("/loki/api/v1/label/job/values", range, tenant: "team-b")) as? [String] == ["b"])
            #expect(data(try await c.get("/loki/api/v1/label/job/values", range)) as? [String] == [])
            let q = try await c.get("/loki/api/v1/query_range", range + [("query", "{job=~\".+\"}")], tenant: "team-b")
            #expect(q.text.contains("tenant b line") && !q.text.contains("tenant a line"))
            let bad = try await c.get("/loki/api/v1/labels", range, tenant: "../etc")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func authMapsCredentialsToTenantsAndRefusesOthers() async throws {
        var o = ServerOptions()
        o.auth = AuthConfig(bearerTokens: ["tok-a": "team-a"], basicUsers: ["bob:pw": "team-b"])
        let h = try ServerHarness(options: o)
        defer { h.close() }
        try await h.withClient { c in
            let bearer: HTTPFields = [.authorization: "Bearer tok-a"]
            let basic: HTTPFields = [.authorization: "Basic " + Data("bob:pw".utf8).base64EncodedString()]
            #expect(try await c.push(pushJSON(["job": "a"], [(sec(t0), "line a")]), headers: bearer).status == .noContent)
            #expect(try await c.push(pushJSON(["job": "b"], [(sec(t0), "line b")]), headers: basic).status == .noContent)
            let range = [("start", "\(t0)"), ("end", "\(t0 + 60)")]
            #expect(data(try await c.get("/loki/api/v1/label/job/values", range, headers: bearer)) as? [String] == ["a"])
            #expect(data(try await c.get("/loki/api/v1/label/job/values", range, headers: basic)) as? [String] == ["b"])
            #expect(try await c.get("/loki/api/v1/labels", range).status == .unauthorized)
            #expect(try await c.get("/loki/api/v1/labels", range, headers: [.authorization: "Bearer nope"]).status == .unauthorized)
            let other = try await c.get("/loki/api/v1/labels", range, tenant: "team-b", headers: bearer)
            #expect(other.status == .forbidden)
            #expect(other.message?.contains("team-b") == true)
            #expect(try await c.push(pushJSON(["job": "x"], [(1, "x")])).status == .unauthorized)
        }
    }
}

@Suite struct AdminRouteTests {
    @Test func readyFlushMetricsBuildinfoFormatAndConfig() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            #expect(try await c.get("/ready").text == "ready\n")
            _ = try await c.push(pushJSON(["job": "nginx"], [(sec(t0), "GET / 200")]))
            _ = try await c.get("/loki/api/v1/query_range", [("query", "{job=\"nginx\"}"), ("start", "\(t0)"), ("end", "\(t0 + 1)")])
            #expect(try await c.execute(uri: "/flush", method: .post).status == .noContent)
            #expect(h.store.stats().blocks == 1)
            let m = try await c.get("/metrics").text
            #expect(m.contains("mclog_ingest_lines_total{tenant=\"fake\"} 1\n"))
            #expect(m.contains("mclog_ingest_bytes_total{tenant=\"fake\"} 9\n"))
            #expect(m.contains("mclog_wal_fsync_duration_seconds_count "))
            #expect(m.contains("mclog_blocks 1\n"))
            #expect(m.contains("mclog_query_duration_seconds_count{type=\"log\"} 1\n"))
            #expect(m.contains("mclog_requests_total{route=\"/loki/api/v1/push\",status=\"204\"} 1\n"))
            let b = try await c.get("/loki/api/v1/status/buildinfo").json as? [String: String]
            #expect(b?["version"] == BuildInfo.version)
            let f = try await c.get("/loki/api/v1/format_query", [("query", "sum by(zone)(rate({job=\"x\"}|=\"a\"[5m]))")])
            #expect((f.json as? [String: Any])?["data"] as? String == "sum by (zone) (rate({job=\"x\"} |= \"a\" [5m]))")
            let config = try await c.get("/config").text
            #expect(config.contains("token: <redacted>") && !config.contains("s3cret"))
            #expect(config.contains("max_entries_limit_per_query: 5000"))
        }
    }
}

@Suite struct LimitTests {
    @Test func queryGateQueuesThenRefusesBeyondItsBound() async throws {
        let gate = QueryGate(maxRunning: 1, maxQueued: 1)
        try await gate.acquire(tenant: "a")
        let queued = Task { try await gate.acquire(tenant: "a") }
        // Wait until the second request is queued, then a third is refused.
        while await gate.queued(tenant: "a") == 0 { await Task.yield() }
        await #expect {
            try await gate.acquire(tenant: "a")
        } throws: { e in
            (e as? APIError)?.status == .tooManyRequests && "\(e)".contains("max_queued_queries_per_tenant")
        }
        try await gate.acquire(tenant: "b")  // other tenants are unaffected
        await gate.release(tenant: "a")
        try await queued.value  // the queued one got the slot
        await gate.release(tenant: "a")
    }

    @Test func timedOutWorkAnswers504AndCancelsTheRead() async throws {
        let cancel = QueryCancellation()
        await #expect {
            _ = try await BlockingWork.run(timeout: 0.05, cancel: cancel) { () -> Int in
                Thread.sleep(forTimeInterval: 0.5)
                return 1
            }
        } throws: { e in
            (e as? APIError)?.status == .gatewayTimeout && "\(e)".contains("query_timeout")
        }
        #expect(cancel.isCancelled)
    }
}
