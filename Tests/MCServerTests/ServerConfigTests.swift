import Foundation
import HTTPTypes
import HummingbirdTesting
import Ingest
import Testing
@testable import MCServer

/// `mclog.yaml` → `ServerOptions`: the listen address, the query limits of `server:` and its credentials reach
/// the running API.
@Suite struct ServerConfigTests {
    static let yaml = """
        data: d
        listen: 127.0.0.1:3999
        limits: {max_entries_per_query: 50}
        server:
          query_timeout: 5s
          max_query_series: 7
          max_query_length: 1h
          max_concurrent_queries: 1
          max_queued_queries: 0
          max_recv_msg_size: 2KiB
          auth:
            bearer_tokens: {tok-ops: ops}
        """

    @Test func optionsFollowTheFile() throws {
        let o = try ServerOptions(config: IngestConfig.parse(yaml: Self.yaml, baseDirectory: "/x"))
        #expect(o.host == "127.0.0.1" && o.port == 3999)
        #expect(o.maxEntriesLimit == 50)
        #expect(o.queryTimeoutSeconds == 5)
        #expect(o.maxQuerySeries == 7)
        #expect(o.maxQueryLength == 3600 * 1_000_000_000)
        #expect(o.maxConcurrentQueriesPerTenant == 1 && o.maxQueuedQueriesPerTenant == 0)
        #expect(o.maxBodyBytes == 2048)
        #expect(o.auth?.bearerTokens == ["tok-ops": "ops"])
        let defaults = try ServerOptions(config: IngestConfig.parse(yaml: "data: d\n", baseDirectory: "/x"))
        #expect(defaults.auth == nil && defaults.port == 3100 && defaults.queryTimeoutSeconds == 60)
    }

    @Test func theFilesLimitsAndAuthAreEnforced() async throws {
        let o = try ServerOptions(config: IngestConfig.parse(yaml: Self.yaml, baseDirectory: "/x"))
        let h = try ServerHarness(options: o)
        defer { h.close() }
        try await h.withClient { c in
            let anonymous = try await c.get("/loki/api/v1/labels")
            #expect(anonymous.status == .unauthorized)
            let auth: HTTPFields = [.authorization: "Bearer tok-ops"]
            #expect(try await c.get("/loki/api/v1/labels", headers: auth).status == .ok)
            let tooMany = try await c.get("/loki/api/v1/query_range", [("query", "{job=\"x\"}"), ("limit", "51")], headers: auth)
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.message?.contains("(51 > 50)") == true, "\(tooMany.text)")
            let tooLong = try await c.get("/loki/api/v1/query_range", [("query", "{job=\"x\"}"), ("start", "0"),
                                                                        ("end", "7200")], headers: auth)
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.message?.contains("max_query_length") == true, "\(tooLong.text)")
        }
    }
}
