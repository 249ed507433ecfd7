import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import LogStore
import Storage
import Testing
@testable import MCServer

private let t0: Int64 = 1_700_000_000

@Suite struct PushQueryRouteTests {
    @Test func jsonPushIsDurableAndQueryableAsLokiReturnsIt() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            let r = try await c.push(pushJSON(["job": "ai-engine", "zone": "kzone"],
                                              [(sec(t0), "INFO ok"), (sec(t0 + 1), "torch.OutOfMemoryError: CUDA out of memory")]))
            #expect(r.status == .noContent)
            let q = try await c.get("/loki/api/v1/query_range", [
                ("query", "{job=\"ai-engine\"} |= \"OutOfMemory\""), ("start", "\(t0)"), ("end", "\(t0 + 60)"),
            ])
            #expect(q.status == .ok)
            let root = q.json as! [String: Any]
            #expect(root["status"] as? String == "success")
            let data = root["data"] as! [String: Any]
            #expect(data["resultType"] as? String == "streams")
            let result = data["result"] as! [[String: Any]]
            #expect(result.count == 1)
            #expect(result[0]["stream"] as? [String: String] == ["job": "ai-engine", "zone": "kzone"])
            #expect(result[0]["values"] as? [[String]] == [["\(sec(t0 + 1))", "torch.OutOfMemoryError: CUDA out of memory"]])
            let summary = (data["stats"] as! [String: Any])["summary"] as! [String: Any]
            #expect(summary["totalEntriesReturned"] as? Int == 1)
        }
        // Acknowledged means in the WAL: a store reopened on the directory has the lines.
        h.store.close()
        let reopened = try LogStore(directory: h.directory)
        defer { reopened.close() }
        #expect(reopened.stats().headEntries + reopened.stats().entries == 2)
    }

    @Test func protobufSnappyAndGzipPushesAreAccepted() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            let proto = ProtoWriter.pushRequest([("{job=\"nginx\", zone=\"kzone\"}", [(sec(t0), "GET /a 200", [("trace_id", "t1")])])])
            let r1 = try await c.execute(uri: "/loki/api/v1/push", method: .post,
                                         headers: [.contentType: "application/x-protobuf"],
                                         body: ByteBuffer(bytes: Snappy.compressLiterals(proto)))
            #expect(r1.status == .noContent)
            let gz = try gzip(pushJSON(["job": "nginx", "zone": "kzone"], [(sec(t0 + 1), "GET /b 502")]))
            let r2 = try await c.execute(uri: "/loki/api/v1/push", method: .post,
                                         headers: [.contentType: "application/json", .contentEncoding: "gzip"],
                                         body: ByteBuffer(bytes: gz))
            #expect(r2.status == .noContent)
            let q = try await c.get("/loki/api/v1/query_range", [
                ("query", "{job=\"nginx\"}"), ("start", "\(t0)"), ("end", "\(t0 + 60)"), ("direction", "forward"),
            ])
            let result = ((q.json as! [String: Any])["data"] as! [String: Any])["result"] as! [[String: Any]]
            // Structured metadata comes back as labels of the entry's stream, as in Loki without categorize-labels.
            let lines = result.flatMap { ($0["values"] as! [[Any]]).map { $0[1] as! String } }.sorted()
            #expect(lines == ["GET /a 200", "GET /b 502"])
            #expect(result.contains { ($0["stream"] as? [String: String])?["trace_id"] == "t1" })
        }
    }

    @Test func badPushesAreRejectedWithAMessageAndStoreNothing() async throws {
        var limits = Limits()
        limits.maxLineSize = 16
        let h = try ServerHarness(limits: limits)
        defer { h.close() }
        try await h.withClient { c in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[1700000000,\"x\"]]}]}", .badRequest, "unix nanoseconds"),
                ("{\"streams\":[{\"stream\":{\"a-b\":\"x\"},\"values\":[[\"1\",\"x\"]]}]}", .badRequest, "invalid stream labels"),
                ("not json", .badRequest, "invalid JSON at byte 0"),
                (pushJSON(["job": "x"], [(1, "a line longer than sixteen bytes")]), .badRequest, "max_line_size=16"),
            ]
            for (body, status, text) in cases {
                let r = try await c.push(body)
                #expect(r.status == status, "\(body)")
                #expect(r.message?.contains(text) == true, "\(r.text)")
            }
            let snappyGarbage = try await c.execute(uri: "/loki/api/v1/push", method: .post,
                                                    headers: [.contentType: "application/x-protobuf"],
                                                    body: ByteBuffer(bytes: [0x05, 0x08, 0x61]))
            #expect(snappyGarbage.status == .badRequest)
            #expect(snappyGarbage.message?.contains("snappy") == true)
        }
        #expect(h.store.stats().headEntries == 0)
    }

    /// `server.max_recv_msg_size` bounds the body as sent and as decompressed (gzip, snappy): 413 naming the limit.
    @Test func bodiesOverTheSizeLimitAnswer413AndStoreNothing() async throws {
        var o = ServerOptions()
        o.maxBodyBytes = 4096
        let h = try ServerHarness(options: o)
        defer { h.close() }
        try await h.withClient { c in
            let big = String(repeating: "x", count: 5000)
            let raw = try await c.push(pushJSON(["job": "x"], [(sec(t0), big)]))
            let gz = try await c.execute(uri: "/loki/api/v1/push", method: .post,
                                         headers: [.contentType: "application/json", .contentEncoding: "gzip"],
                                         body: ByteBuffer(bytes: try gzip(pushJSON(["job": "x"], [(sec(t0), big)]))))
            // A snappy block whose header announces 5,000 bytes (varint 0x88 0x27): refused before inflating.
            let sn = try await c.execute(uri: "/loki/api/v1/push", method: .post, headers: [.contentType: "application/x-protobuf"],
                                         body: ByteBuffer(bytes: [0x88, 0x27, 0x00, 0x78]))
            for (name, r) in [("raw", raw), ("gzip", gz), ("snappy", sn)] {
                #expect(r.status == .contentTooLarge, "\(name)")
                #expect(r.message?.contains("limit of 4096 bytes (server.max_recv_msg_size)") == true, "\(name): \(r.text)")
            }
            #expect(try await c.push(pushJSON(["job": "x"], [(sec(t0), "small")])).status == .noContent)
        }
        #expect(h.store.stats().headEntries == 1)
    }

    @Test func ingestionRateLimitAnswers429NamingTheLimit() async throws {
        var limits = Limits()
        limits.ingestionRateBytesPerSecond = 10
        limits.ingestionBurstBytes = 20
        let h = try ServerHarness(limits: limits)
        defer { h.close() }
        try await h.withClient { c in
            let ok = try await c.push(pushJSON(["job": "x"], [(1, "0123456789")]))
            #expect(ok.status == .noContent)
            let r = try await c.push(pushJSON(["job": "x"], [(2, "0123456789abcdefghij")]))
            #expect(r.status == .tooManyRequests)
            #expect(r.message?.contains("ingestion rate limit exceeded") == true)
        }
    }

    @Test func metricQueriesReturnMatrixVectorAndScalarAtExactTimes() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            let values = (0..<6).map { (sec(t0 + Int64($0) * 10), "GET /x \($0 % 2 == 0 ? 200 : 500)") }
            _ = try await c.push(pushJSON(["job": "nginx", "zone": "kzone"], values))
            // Windows (t-30s, t] at t0+30 and t0+60: lines at 10,20,30 and 40,50 → 3 and 2.
            let m = try await c.get("/loki/api/v1/query_range", [
                ("query", "sum by (zone) (count_over_time({job=\"nginx\"}[30s]))"),
                ("start", "\(t0 + 30)"), ("end", "\(t0 + 60)"), ("step", "30s"),
            ])
            let md = (m.json as! [String: Any])["data"] as! [String: Any]
            #expect(md["resultType"] as? String == "matrix")
            let series = md["result"] as! [[String: Any]]
            #expect(series.count == 1)
            #expect(series[0]["metric"] as? [String: String] == ["zone": "kzone"])
            let points = series[0]["values"] as! [[Any]]
            #expect(points.map { ($0[0] as! NSNumber).int64Value } == [t0 + 30, t0 + 60])
            #expect(points.map { $0[1] as! String } == ["3", "2"])

            let v = try await c.get("/loki/api/v1/query", [
                ("query", "count_over_time({job=\"nginx\"} |= \" 500\" [1m])"), ("time", "\(t0 + 50)"),
            ])
            let vd = (v.json as! [String: Any])["data"] as! [String: Any]
            #expect(vd["resultType"] as? String == "vector")
            let sample = (vd["result"] as! [[String: Any]])[0]["value"] as! [Any]
            #expect(sample[1] as? String == "3")

            // Grafana's health check: a vector with one sample of value 2.
            let s = try await c.get("/loki/api/v1/query", [("query", "vector(1)+vector(1)"), ("time", "\(t0)")])
            let sd = (s.json as! [String: Any])["data"] as! [String: Any]
            #expect(sd["resultType"] as? String == "vector")
            let health = sd["result"] as! [[String: Any]]
            #expect(health.count == 1 && (health.first?["value"] as? [Any])?.last as? String == "2")
            let scalar = try await c.get("/loki/api/v1/query", [("query", "2 * 3"), ("time", "\(t0)")])
            let scd = (scalar.json as! [String: Any])["data"] as! [String: Any]
            #expect(scd["resultType"] as? String == "scalar")
            #expect((scd["result"] as? [Any])?.last as? String == "6")
        }
    }

    @Test func queryParametersAreValidatedAsLokiValidatesThem() async throws {
        var o = ServerOptions()
        o.maxQueryLength = sec(3600)
        let h = try ServerHarness(options: o)
        defer { h.close() }
        try await h.withClient { c in
            let cases: [([(String, String)], String)] = [
                ([], "missing query parameter"),
                ([("query", "{job=")], "parse error at position 6"),
                ([("query", "{job=\"x\"}"), ("limit", "5001")], "max_entries_limit_per_query (5001 > 5000)"),
                ([("query", "{job=\"x\"}"), ("limit", "-1")], "invalid limit"),
                ([("query", "{job=\"x\"}"), ("direction", "sideways")], "invalid direction"),
                ([("query", "{job=\"x\"}"), ("start", "\(t0 + 10)"), ("end", "\(t0)")], "end timestamp must not be before"),
                ([("query", "{job=\"x\"}"), ("start", "yesterday")], "invalid start parameter"),
                ([("query", "{job=\"x\"}"), ("start", "\(t0)"), ("end", "\(t0 + 7200)")], "max_query_length"),
                ([("query", "rate({job=\"x\"}[1m])"), ("step", "0")], "zero or negative query resolution step"),
                ([("query", "rate({job=\"x\"}[1m])"), ("start", "\(t0)"), ("end", "\(t0 + 3000)"), ("step", "0.1")],
                 "exceeded maximum resolution of 11,000 points"),
            ]
            for (params, text) in cases {
                let r = try await c.get("/loki/api/v1/query_range", params)
                #expect(r.status == .badRequest, "\(params)")
                #expect(r.message?.contains(text) == true, "\(params): \(r.text)")
            }
            let instantLog = try await c.get("/loki/api/v1/query", [("query", "{job=\"x\"}")])
            #expect(instantLog.status == .badRequest)
            #expect(instantLog.message?.contains("log queries are not supported as an instant query type") == true)
            let missing = try await c.get("/loki/api/v1/nope")
            #expect(missing.status == .notFound)
            #expect(missing.message != nil)
        }
    }

    @Test func timestampsParseAsLokiParsesThem() throws {
        #expect(try LokiTime.parse("1700000000", name: "t") == sec(t0))
        #expect(try LokiTime.parse("1700000000000000123", name: "t") == sec(t0) + 123)
        #expect(try LokiTime.parse("1700000000.25", name: "t") == sec(t0) + 250_000_000)
        #expect(try LokiTime.parse("2023-11-14T22:13:20Z", name: "t") == sec(t0))
        #expect(try LokiTime.parse("2023-11-14T23:13:20.5+01:00", name: "t") == sec(t0) + 500_000_000)
        #expect(try LokiTime.duration("15", name: "step") == sec(15))
        #expect(try LokiTime.duration("1m30s", name: "step") == sec(90))
        #expect(throws: APIError.self) { try LokiTime.parse("2023-13-01T00:00:00Z", name: "t") }
    }

    @Test func postedFormQueriesWorkLikeGets() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            _ = try await c.push(pushJSON(["job": "x"], [(sec(t0), "hello world")]))
            let form = "query=%7Bjob%3D%22x%22%7D+%7C%3D+%22hello%22&start=\(t0)&end=\(t0 + 1)"
            let r = try await c.execute(uri: "/loki/api/v1/query_range", method: .post,
                                        headers: [.contentType: "application/x-www-form-urlencoded"],
                                        body: ByteBuffer(string: form))
            #expect(r.status == .ok)
            #expect(r.text.contains("hello world"))
        }
    }
}

/// gzip of a string, via the `gzip` CLI (the test must not trust our own inflater to check itself).
func gzip(_ s: String) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["gzip", "-c"]
    let inPipe = Pipe(), outPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    try p.run()
    inPipe.fileHandleForWriting.write(Data(s.utf8))
    try inPipe.fileHandleForWriting.close()
    let data = outPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return [UInt8](data)
}
