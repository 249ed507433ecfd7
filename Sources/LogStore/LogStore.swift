/// The durable, compressed, label-indexed log store.
///
/// `append` validates a batch, writes it to the WAL (fsync, group commit) and adds it to the in-memory head.
/// The head is cut (by size or age) into immutable, checksummed blocks by a background flusher; WAL segments are
/// deleted once their block is published. Compaction and retention run on a maintenance thread. `select` reads
/// blocks, heads waiting to be flushed and the live head, in time order.
///
/// Directory layout: `<data>/wal/*.wal`, `<data>/tenants/<tenant>/blocks/*.mcb`, `<data>/LOCK`.
/// Formats: `Storage/WAL+Format.md`, `WALRecord+Format.md`, `Block+Format.md`.
public final class LogStore: @unchecked Sendable {
    let engine: StoreEngine

    /// Opens (creating if needed) the store at `directory`, replaying its WAL.
    /// `readOnly` opens without taking the writer lock, without repairing and without background work: for a
    /// query process reading a store another process may be writing.
    public init(directory: String, options: StoreOptions = StoreOptions(), readOnly: Bool = false) throws {
        engine = try StoreEngine(directory: directory, options: options, readOnly: readOnly)
    }

    deinit { engine.close() }

    public var directory: String { engine.directory }
    public var options: StoreOptions { engine.options }
    /// What opening found: WAL replay counts and any damage that was reported and repaired.
    public var openReport: OpenReport { engine.openReport }
    public var metrics: StoreMetrics { engine.metrics }

    /// Stops background work and releases the directory. Unflushed data stays in the WAL for the next open.
    public func close() { engine.close() }

    /// Validates one push batch of a tenant, makes it durable (WAL + fsync) and adds it to the head.
    /// Returns only after the batch is durable; a thrown error means nothing of the batch was stored.
    /// `enforceRate` applies the tenant's ingestion rate limit (pushes over HTTP), throwing `RateLimitError`.
    public func append(tenant: String, _ streams: [(LabelSet, EntryBatch)], enforceRate: Bool = false) throws {
        try engine.append(tenant: tenant, streams, enforceRate: enforceRate)
    }

    /// Cuts the head and waits until everything appended so far is in blocks (Loki's `/flush`).
    public func flush() throws { try engine.flush() }

    /// Applies retention and compaction to every tenant once. Safe while appends and queries run.
    @discardableResult
    public func runMaintenance(now: Int64? = nil) throws -> MaintenanceReport {
        try engine.runMaintenance(now: now ?? Int64(Date().timeIntervalSince1970 * 1e9))
    }

    /// Streams matching entries to `body` in time order (per direction) across streams; see `SelectRequest`.
    @discardableResult
    public func select(_ request: SelectRequest, _ body: (SelectedEntry) throws -> Bool) throws -> SelectStats {
        try engine.select(request, body)
    }

    /// Feeds matching entries to `sinks`, one per worker thread, in time order within each page group but in no
    /// global order; filtering and the sinks' work run on all cores. `parallelism` sinks are used.
    @discardableResult
    public func selectParallel(_ request: SelectRequest, sinks: [EntrySink]) throws -> SelectStats {
        try engine.selectParallel(request, sinks: sinks)
    }

    /// Calls `observer` with every batch once it is durable (after `append` fsyncs), on the appending thread.
    /// Returns a token for `removeAppendObserver`.
    public func addAppendObserver(_ observer: @escaping @Sendable (String, [(LabelSet, EntryBatch)]) -> Void) -> Int {
        engine.appendObservers.add(observer)
    }

    public func removeAppendObserver(_ token: Int) { engine.appendObservers.remove(token) }

    /// How many sinks `selectParallel` can keep busy.
    public var parallelism: Int { ProcessInfo.processInfo.activeProcessorCount }

    public func stats() -> StoreStats { engine.stats() }

    /// Label names (name nil) or one label's values over a tenant's streams with data in `[from, to)`.
    public func labelValues(tenant: String, name: String? = nil, from: Int64 = .min, to: Int64 = .max) -> [String] {
        engine.labelValues(tenant: tenant, name: name, from: from, to: to)
    }

    /// The tenant's streams matching all `matchers` (none: every stream) with data in `[from, to)`, with page,
    /// entry and byte counts, sorted by labels.
    public func streams(tenant: String, matchers: [LabelMatcher], from: Int64 = .min, to: Int64 = .max)
        -> [StreamSummary]
    {
        engine.streams(tenant: tenant, matchers: matchers, from: from, to: to)
    }
}

import Foundation
