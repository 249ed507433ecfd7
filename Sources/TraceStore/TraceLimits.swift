import Storage

/// Every limit the span store enforces, with its default and why. A span that breaks one is rejected (and
/// counted in OTLP's `partial_success`) with a message naming the limit and its value; the rest of its request
/// is stored.
public struct TraceLimits: Sendable, Equatable {
    /// Spans one trace may hold in the head (Tempo bounds live traces the same way): a runaway loop that emits
    /// millions of spans under one trace id cannot exhaust memory or make the trace unreadable.
    public var maxSpansPerTrace = 50_000
    /// Encoded bytes one trace may hold in the head (Tempo's `max_bytes_per_trace` default 5 MB).
    public var maxTraceBytes = 5_000_000
    /// Longest attribute value (string or bytes, of a span, resource, event or link) or key, in bytes. Tempo's
    /// `max_attribute_bytes` is 2 KB and truncates; we reject instead, so that nothing is silently altered,
    /// and allow more, since SQL statements and stack traces are commonly recorded as attributes.
    public var maxAttributeBytes = 64 << 10
    /// Longest span name, in bytes.
    public var maxSpanNameBytes = 4 << 10

    public init() {}
}

/// Where and how the span store keeps its data.
public struct TraceStoreOptions: Sendable {
    public var limits = TraceLimits()
    /// The head is cut into blocks when its encoded spans reach this size…
    public var maxHeadBytes = 64 << 20
    /// …or when its oldest span arrived this long ago.
    public var maxHeadAgeSeconds = 300.0
    /// Uncompressed size of a block page (traces are never split across pages). Small pages make a trace-by-id
    /// read cheap (one page read and decompressed); larger ones compress better.
    public var pageSize = 256 << 10
    public var codec = Codec.zstd
    public var zstdLevel: Int32 = 3
    /// Seconds between background checks of the head's age; 0 runs no background thread (tests flush by hand).
    public var backgroundIntervalSeconds = 1.0
    /// Decoded search indexes kept in memory, in bytes (least recently used are dropped first).
    public var searchCacheBytes = 512 << 20
    /// How long blocks are kept, in seconds, per tenant (Tempo's `compactor.compaction.block_retention`): a block
    /// is deleted once its newest span ended longer ago. 0 keeps them forever, like the log store's default.
    public var retentionSeconds: Int64 = 0
    public var retentionByTenant: [String: Int64] = [:]
    /// Compaction merges runs of adjacent blocks smaller than a quarter of this (file bytes) into blocks of up to
    /// this size. A merge decodes its inputs in memory, so this bounds the compactor's memory too (~10× of it).
    public var compactionTargetBytes = 64 << 20
    /// Seconds between compaction and retention passes of the background thread; 0 runs none (tests and
    /// `mclog traces compact` call `runMaintenance`).
    public var maintenanceIntervalSeconds = 60.0
    /// Where the background passes report what they did (`mclog serve` prints it).
    public var log: (@Sendable (String) -> Void)?

    public func retention(for tenant: String) -> Int64 { retentionByTenant[tenant] ?? retentionSeconds }

    public init() {}
}

/// A request the span store refuses as a whole (bad tenant, store closed or read-only).
public struct TraceStoreError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Tenant ids, validated as the log store does (`X-Scope-OrgID`; `fake` when auth is off), since they name
/// directories.
enum TraceTenant {
    static func validate(_ id: String) throws {
        guard !id.isEmpty, id.utf8.count <= 150, id != ".", id != ".." else {
            throw TraceStoreError("invalid tenant id \"\(id)\"")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!._*'()-".utf8)
        guard id.utf8.allSatisfy({ allowed.contains($0) }) else {
            throw TraceStoreError("invalid tenant id \"\(id)\": allowed characters are a-z A-Z 0-9 ! - _ . * ' ( )")
        }
    }
}
