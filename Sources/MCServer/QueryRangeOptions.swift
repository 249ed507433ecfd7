/// How metric range queries are split, cached and aligned (`query_range:` of `mclog.yaml`). Defaults follow the
/// configuration Loki ships for a single binary: results cached in 1h splits, the last 10m never cached, an
/// in-memory cache of 100 MiB.
public struct QueryRangeOptions: Sendable, Equatable {
    /// Cache metric `query_range` results (Loki's `cache_results`).
    public var cacheResults = true
    /// Results are cached per split of this length, in ns (Loki's `split_queries_by_interval`, 1h).
    public var splitInterval: Int64 = 3600 * 1_000_000_000
    /// Evaluation times within this many ns of now are computed, never cached (Loki's
    /// `max_cache_freshness_per_query`, 10m): recent data may still arrive late.
    public var maxFreshness: Int64 = 600 * 1_000_000_000
    /// Bytes the cache may hold; least recently used splits are evicted beyond it.
    public var cacheMaxBytes = 100 << 20
    /// Round start and end of metric range queries down to a multiple of step (Loki's `align_queries_with_step`,
    /// off by default). Off, results are cached for the request's own grid of evaluation times.
    public var alignQueriesWithStep = false

    public init() {}
}
