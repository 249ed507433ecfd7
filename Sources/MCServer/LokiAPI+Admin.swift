import Foundation
import Hummingbird
import LogQL
import LogStore

/// mclog's version, reported by `/loki/api/v1/status/buildinfo` and `mclog --version`.
public enum BuildInfo {
    public static let version = "0.3.0"
}

extension LokiAPI {
    /// `/ready`, `/flush`, `/metrics`, `/config`, `buildinfo` and `format_query`.
    func addAdminRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/ready") { _, _ -> Response in .text("ready\n") }
        router.post("/flush") { _, _ -> Response in
            let store = self.store
            try await BlockingWork.run { try store.flush() }
            return Response(status: .noContent)
        }
        router.get("/metrics") { _, _ -> Response in
            let store = self.store
            let text = try await BlockingWork.run { self.metrics.render(store: store, tailers: self.tailers?.counters() ?? []) }
            return .text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/config") { _, _ -> Response in .text(self.effectiveConfig(), contentType: "text/yaml; charset=utf-8") }
        let buildinfo: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            .json("{\"version\":\"\(BuildInfo.version)\",\"revision\":\"\",\"branch\":\"main\",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"\"}")
        }
        router.get("/loki/api/v1/status/buildinfo", use: buildinfo)
        let format: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let p = try await self.parameters(request)
            let query = try self.parse(try self.requiredQuery(p))
            return .json(JSONText.success(JSONText.quote(query.description)))
        }
        router.get("/loki/api/v1/format_query", use: format)
        router.post("/loki/api/v1/format_query", use: format)
    }

    /// The configuration in effect, as YAML, with credentials redacted.
    func effectiveConfig() -> String {
        let o = options
        let l = store.options.limits
        var out = configText.isEmpty ? "" : "# loaded configuration\n" + Self.redact(configText) + "\n# in effect\n"
        out += """
            data: \(store.directory)
            listen: \(o.host):\(o.port)
            auth_enabled: \(o.auth != nil)
            limits:
              max_recv_msg_size: \(o.maxBodyBytes)
              max_entries_limit_per_query: \(o.maxEntriesLimit)
              max_query_series: \(o.maxQuerySeries)
              max_query_length: \(Self.duration(o.maxQueryLength))
              query_timeout: \(o.queryTimeoutSeconds)s
              max_concurrent_queries_per_tenant: \(o.maxConcurrentQueriesPerTenant)
              max_queued_queries_per_tenant: \(o.maxQueuedQueriesPerTenant)
              max_line_size: \(l.maxLineSize)
              max_label_names_per_stream: \(l.maxLabelNamesPerStream)
              max_streams_per_tenant: \(l.maxStreamsPerTenant)
              ingestion_rate_bytes_per_second: \(l.ingestionRateBytesPerSecond)
              ingestion_burst_bytes: \(l.ingestionBurstBytes)
              enforce_ingestion_rate: \(o.enforceIngestionRate)

            """
        if let auth = o.auth {
            out += "auth:\n  bearer_tokens: \(auth.bearerTokens.count) (redacted)\n  basic_users: \(auth.basicUsers.count) (redacted)\n"
        }
        return out
    }

    /// Replaces the values of keys that hold secrets (`token`, `password`, `secret`) with `<redacted>`.
    static func redact(_ yaml: String) -> String {
        yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let colon = line.firstIndex(of: ":"),
                ["token", "password", "secret", "passwd"].contains(where: { line[..<colon].lowercased().contains($0) }),
                !line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).isEmpty
            else { return String(line) }
            return String(line[...colon]) + " <redacted>"
        }.joined(separator: "\n")
    }
}
