import Storage

/// Every limit the log store enforces, with its default and the reason for it. One place, so that error
/// messages, config docs and tests agree.
public struct Limits: Sendable, Equatable {
    /// Longest accepted line (Loki's `max_line_size` default 256 KiB): keeps pages and WAL records bounded.
    public var maxLineSize = 256 << 10
    /// Most label names per stream (Loki's `max_label_names_per_series`): labels are an index, not a payload.
    public var maxLabelNamesPerStream = 15
    /// Longest label name and value (Loki's defaults 1024 and 2048).
    public var maxLabelNameLength = 1024
    public var maxLabelValueLength = 2048
    /// Streams a tenant may have in the head at once (Loki's `max_global_streams_per_user` 5000); guards
    /// against a high-cardinality label exploding the index.
    public var maxStreamsPerTenant = 5000
    /// Entries one query may return over the API (Loki's `max_entries_limit_per_query` 5000). The CLI reads
    /// the store directly and is not bound by it.
    public var maxEntriesPerQuery = 5000
    /// Sustained ingestion rate per tenant in bytes/s and its burst (Loki's 4 MB/s and 6 MB); applied to pushes
    /// when `enforceIngestionRate` is set (the HTTP API), not to local imports.
    public var ingestionRateBytesPerSecond = 4 << 20
    public var ingestionBurstBytes = 6 << 20
    /// Structured metadata per entry (Loki's `max_structured_metadata_size` 64 KiB).
    public var maxStructuredMetadataSize = 64 << 10
    /// How long blocks are kept, per tenant; 0 keeps them forever. Overrides by tenant id.
    public var retentionSeconds: Int64 = 0
    public var retentionByTenant: [String: Int64] = [:]

    public init() {}

    public func retention(for tenant: String) -> Int64 { retentionByTenant[tenant] ?? retentionSeconds }
}

/// Sizes that shape the on-disk layout and flushing.
public struct StoreOptions: Sendable {
    /// Raw bytes of lines per page before it is sealed. 4 MiB: zstd level 3 on 256 KiB pages of access logs
    /// stores ~20 % more than on the whole file, on 1 MiB pages ~9 %, on 2 MiB ~4 %, on 4 MiB ~2 % (see
    /// BENCHMARKS.md); and distinct 4-grams grow slower than bytes, so larger pages need fewer bloom bits per byte.
    public var pageSize = 4 << 20
    /// The head is cut into a block when it holds this many raw bytes...
    public var maxHeadBytes = 64 << 20
    /// ...or when its oldest entry arrived this long ago.
    public var maxHeadAgeSeconds: Double = 30 * 60
    /// Page codec and zstd level.
    public var codec: Codec = .zstd
    public var zstdLevel: Int32 = 3
    /// Compaction merges runs of adjacent blocks smaller than 1/8 of this (stored bytes) into blocks of up to
    /// this size.
    public var compactionTargetBytes = 512 << 20
    /// How often the background maintenance (age flush, compaction, retention) runs; 0 disables the thread.
    public var maintenanceIntervalSeconds: Double = 60
    /// Pages decoded concurrently by a query, per core.
    public var pagesInFlightPerCore = 4
    public var limits = Limits()

    public init() {}
}
