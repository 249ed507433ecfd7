/// `server:` of `mclog.yaml`: the HTTP API's query limits and authentication, read by `mclog serve`.
/// Defaults follow Loki's `limits_config`/`server` where Loki has one; `nil` means "the server's default".
public struct ServerSettings: Sendable, Equatable {
    /// Loki's `query_timeout`.
    public var queryTimeoutNanos: Int64?
    /// Loki's `max_query_series`.
    public var maxQuerySeries: Int?
    /// Loki's `max_query_length`; 0 is unlimited.
    public var maxQueryLengthNanos: Int64?
    /// Queries one tenant may run at once, and how many more may wait before 429.
    public var maxConcurrentQueries: Int?
    public var maxQueuedQueries: Int?
    /// Loki's `max_recv_msg_size`: the largest request body, after decompression.
    public var maxBodyBytes: Int?
    /// Whether pushes are held to `limits.ingestion_rate`/`ingestion_burst`.
    public var enforceIngestionRate: Bool?
    /// Credentials; when present, every request must authenticate.
    public var auth: AuthSettings?

    public init() {}
}

/// `server.auth:` — bearer tokens and basic-auth users, each mapped to exactly one tenant.
public struct AuthSettings: Sendable, Equatable {
    /// Token → tenant.
    public var bearerTokens: [String: String] = [:]
    /// `"user:password"` → tenant.
    public var basicUsers: [String: String] = [:]

    public init() {}
}

extension YAMLCursor {
    func server() throws -> ServerSettings {
        var s = ServerSettings()
        let k = try mapping(allowed: ["query_timeout", "max_query_series", "max_query_length", "max_concurrent_queries",
                                      "max_queued_queries", "max_recv_msg_size", "enforce_ingestion_rate", "auth"])
        if let v = k["query_timeout"] {
            s.queryTimeoutNanos = try v.duration()
            if s.queryTimeoutNanos! < 1_000_000 { throw v.error("must be at least 1ms") }
        }
        if let v = k["max_query_series"] { s.maxQuerySeries = try v.int(min: 1) }
        if let v = k["max_query_length"] { s.maxQueryLengthNanos = try v.duration() }
        if let v = k["max_concurrent_queries"] { s.maxConcurrentQueries = try v.int(min: 1) }
        if let v = k["max_queued_queries"] { s.maxQueuedQueries = try v.int(min: 0) }
        if let v = k["max_recv_msg_size"] { s.maxBodyBytes = try v.bytes(min: 1024) }
        if let v = k["enforce_ingestion_rate"] { s.enforceIngestionRate = try v.bool() }
        if let v = k["auth"] { s.auth = try v.auth() }
        return s
    }

    /// `{bearer_tokens: {TOKEN: tenant}, basic_users: {USER: {password: P, tenant: T}}}`.
    func auth() throws -> AuthSettings {
        var a = AuthSettings()
        let k = try mapping(allowed: ["bearer_tokens", "basic_users"])
        if let v = k["bearer_tokens"] {
            for (token, tenant) in try v.pairs() {
                if token.isEmpty { throw v.error("a token must not be empty") }
                a.bearerTokens[token] = try tenant.tenant()
            }
        }
        if let v = k["basic_users"] {
            for (user, entry) in try v.pairs() {
                if user.isEmpty || user.contains(":") { throw entry.error("a user name must be non-empty and without \":\"") }
                let e = try entry.mapping(allowed: ["password", "tenant"])
                guard let pw = e["password"] else { throw entry.error("missing the required key \"password\"") }
                guard let tenant = e["tenant"] else { throw entry.error("missing the required key \"tenant\"") }
                a.basicUsers[user + ":" + (try pw.nonEmptyString())] = try tenant.tenant()
            }
        }
        if a.bearerTokens.isEmpty && a.basicUsers.isEmpty {
            throw error("no credentials: give bearer_tokens or basic_users (or remove auth to turn it off)")
        }
        return a
    }
}
