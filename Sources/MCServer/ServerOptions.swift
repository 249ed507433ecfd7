import LogStore

/// Everything `mclog serve` can be told: where to listen, the API limits, and authentication.
/// Each limit's default follows Loki's where Loki has one.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    /// Loki's port.
    public var port = 3100
    /// Largest request body accepted, after decompression (Loki's `max_recv_msg_size` is 100 MB).
    public var maxBodyBytes = 100 << 20
    /// Largest `limit` a log query may ask for (Loki's `max_entries_limit_per_query`).
    public var maxEntriesLimit = 5000
    /// Most series a metric query may return (Loki's `max_query_series`).
    public var maxQuerySeries = 500
    /// Longest `end - start` of a query in ns; 0 means unlimited (Loki's `max_query_length`, 721h).
    public var maxQueryLength: Int64 = 721 * 3600 * 1_000_000_000
    /// A query running longer than this is abandoned with 504 (Loki's `query_timeout`, 1m).
    public var queryTimeoutSeconds = 60.0
    /// Queries of one tenant running at once; more wait in a queue of `maxQueuedQueriesPerTenant`, beyond which 429.
    public var maxConcurrentQueriesPerTenant = 4
    public var maxQueuedQueriesPerTenant = 64
    /// Enforce the store's per-tenant ingestion rate (`Limits.ingestionRateBytesPerSecond`) on pushes.
    public var enforceIngestionRate = true
    /// When set, every request must authenticate; see `AuthConfig`.
    public var auth: AuthConfig?

    public init() {}
}

/// Credentials that map to tenants. A bearer token or a basic-auth `user:password` selects exactly one tenant;
/// `X-Scope-OrgID`, if sent, must name that tenant.
public struct AuthConfig: Sendable {
    public var bearerTokens: [String: String] = [:]
    /// `"user:password"` → tenant.
    public var basicUsers: [String: String] = [:]

    public init(bearerTokens: [String: String] = [:], basicUsers: [String: String] = [:]) {
        self.bearerTokens = bearerTokens
        self.basicUsers = basicUsers
    }
}
