/// `query_range:` of `mclog.yaml`: the results cache of metric range queries, with Loki's key names
/// (`query_range.cache_results`, `align_queries_with_step`; `split_queries_by_interval` and
/// `max_cache_freshness_per_query`, which Loki keeps in `limits_config`). `nil` means "the server's default".
public struct QueryRangeSettings: Sendable, Equatable {
    /// Whether metric range query results are cached (Loki's `cache_results`).
    public var cacheResults: Bool?
    /// The length of the time splits results are cached in (Loki's `split_queries_by_interval`).
    public var splitIntervalNanos: Int64?
    /// Results this close to now are not cached (Loki's `max_cache_freshness_per_query`; `max_freshness` here).
    public var maxFreshnessNanos: Int64?
    /// The cache's size bound (Loki's embedded cache `max_size_mb`, in bytes here).
    public var cacheMaxBytes: Int?
    /// Whether metric range queries have start and end rounded down to a multiple of step
    /// (Loki's `align_queries_with_step`).
    public var alignQueriesWithStep: Bool?

    public init() {}
}

extension YAMLCursor {
    func queryRange() throws -> QueryRangeSettings {
        var q = QueryRangeSettings()
        let k = try mapping(allowed: ["cache_results", "split_queries_by_interval", "max_freshness",
                                      "max_cache_freshness_per_query", "results_cache_max_bytes",
                                      "align_queries_with_step"])
        if let v = k["cache_results"] { q.cacheResults = try v.bool() }
        if let v = k["split_queries_by_interval"] {
            q.splitIntervalNanos = try v.duration()
            if q.splitIntervalNanos! < 1_000_000_000 { throw v.error("must be at least 1s") }
        }
        if k["max_freshness"] != nil && k["max_cache_freshness_per_query"] != nil {
            throw k["max_cache_freshness_per_query"]!.error("give either max_freshness or max_cache_freshness_per_query, not both")
        }
        if let v = k["max_freshness"] ?? k["max_cache_freshness_per_query"] { q.maxFreshnessNanos = try v.duration() }
        if let v = k["results_cache_max_bytes"] { q.cacheMaxBytes = try v.bytes(min: 1024) }
        if let v = k["align_queries_with_step"] { q.alignQueriesWithStep = try v.bool() }
        return q
    }
}
