import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import MCServer

private let t0: Int64 = 1_700_000_000

/// Loki's `categorize-labels` encoding flag (`X-Loki-Response-Encoding-Flags`), as Grafana sends it: streams
/// keyed by their stream labels alone, structured metadata and parsed labels in each value's third element.
@Suite struct CategorizeLabelsTests {
    static let flag: HTTPFields = [HTTPField.Name("X-Loki-Response-Encoding-Flags")!: "categorize-labels"]

    /// Pushes two lines of one stream that differ in their structured metadata.
    func seed(_ c: any TestClientProtocol) async throws {
        _ = try await c.push(pushJSON(["job": "backend-api"], [(sec(t0), "level=error msg=boom")],
                                      metadata: ["trace_id": "aaaa"]))
        _ = try await c.push(pushJSON(["job": "backend-api"], [(sec(t0 + 1), "level=info msg=ok")],
                                      metadata: ["trace_id": "bbbb"]))
    }

    func data(_ r: TestResponse) throws -> [String: Any] {
        try #require((r.json as? [String: Any])?["data"] as? [String: Any], "\(r.text)")
    }

    @Test func withTheFlagOneStreamCarriesMetadataAndParsedLabelsPerEntry() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            try await seed(c)
            let r = try await c.get("/loki/api/v1/query_range", [("query", "{job=\"backend-api\"} | logfmt"),
                                    ("start", "\(t0)"), ("end", "\(t0 + 10)"), ("direction", "forward")], headers: Self.flag)
            #expect(r.status == .ok)
            let d = try data(r)
            #expect(d["encodingFlags"] as? [String] == ["categorize-labels"])
            let result = try #require(d["result"] as? [[String: Any]])
            #expect(result.count == 1, "one stream: metadata and parsed labels do not split it")
            #expect(result.first?["stream"] as? [String: String] == ["job": "backend-api"])
            let values = try #require(result.first?["values"] as? [[Any]])
            #expect(values.count == 2)
            let first = try #require(values.first?[2] as? [String: [String: String]])
            #expect(first["structuredMetadata"] == ["trace_id": "aaaa"])
            #expect(first["parsed"] == ["level": "error", "msg": "boom"])
        }
    }

    @Test func withoutTheFlagMetadataSplitsStreamsAsInLoki() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            try await seed(c)
            let r = try await c.get("/loki/api/v1/query_range", [("query", "{job=\"backend-api\"}"),
                                    ("start", "\(t0)"), ("end", "\(t0 + 10)")])
            let d = try data(r)
            #expect(d["encodingFlags"] == nil)
            let result = try #require(d["result"] as? [[String: Any]])
            let streams = result.compactMap { $0["stream"] as? [String: String] }
            #expect(Set(streams.compactMap { $0["trace_id"] }) == ["aaaa", "bbbb"])
            for v in result.compactMap({ $0["values"] as? [[Any]] }).joined() { #expect(v.count == 2) }
        }
    }

    @Test func entriesWithNothingToCategorizeStayPairsAndMetricQueriesCarryTheFlag() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            _ = try await c.push(pushJSON(["job": "nginx"], [(sec(t0), "GET /health 200")]))
            let logs = try data(try await c.get("/loki/api/v1/query_range", [("query", "{job=\"nginx\"}"),
                                    ("start", "\(t0)"), ("end", "\(t0 + 10)")], headers: Self.flag))
            let values = try #require((logs["result"] as? [[String: Any]])?.first?["values"] as? [[Any]])
            #expect(values.first?.count == 2)
            let metric = try data(try await c.get("/loki/api/v1/query", [("query", "count_over_time({job=\"nginx\"}[1m])"),
                                    ("time", "\(t0 + 30)")], headers: Self.flag))
            #expect(metric["encodingFlags"] as? [String] == ["categorize-labels"])
            #expect(metric["resultType"] as? String == "vector")
        }
    }
}
