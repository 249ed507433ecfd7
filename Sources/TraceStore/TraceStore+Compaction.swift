import Foundation
import Storage

/// Compaction and retention of trace blocks, what Tempo's compactor does: runs of small blocks are merged into one
/// (the parts of a trace in different blocks become one trace, duplicate spans dropped), and blocks whose newest
/// span is older than the tenant's retention are deleted whole (`compactor.compaction.block_retention`).
///
/// Crash safety: a merged block is written completely (temp file, fsync, rename, directory fsync) and names the
/// blocks it replaces before any of them is deleted; opening the store drops replaced blocks that survived a crash,
/// and deletes the temp file of a merge that did not finish. Readers see the inputs or the output, never both.
extension TraceStore {
    /// Applies retention and then compaction to every tenant once. Safe while appends, flushes and reads run;
    /// one pass at a time. `now` is unix ns. Progress lines go to `log`.
    @discardableResult
    public func runMaintenance(now: Int64, log: (String) -> Void = { _ in }) throws -> TraceMaintenanceReport {
        guard !readOnly else { throw TraceStoreError("trace store is open read-only") }
        maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        cond.lock()
        let tenants = blocks.keys.sorted()
        cond.unlock()
        var report = TraceMaintenanceReport()
        for tenant in tenants {
            report.blocksDeletedByRetention += try applyRetention(tenant: tenant, now: now, log: log)
            let (merged, written) = try compact(tenant: tenant, log: log)
            report.blocksMerged += merged
            report.blocksWritten += written
        }
        return report
    }

    /// Deletes the tenant's blocks whose newest span ends before `now - retention`.
    func applyRetention(tenant: String, now: Int64, log: (String) -> Void) throws -> Int {
        let retention = options.retention(for: tenant)
        guard retention > 0 else { return 0 }
        let cutoff = now - retention * 1_000_000_000
        cond.lock()
        let expired = (blocks[tenant] ?? []).filter { $0.meta.maxTime < cutoff }
        cond.unlock()
        guard !expired.isEmpty else { return 0 }
        try retire(expired, tenant: tenant, replacement: nil)
        let spans = expired.reduce(0) { $0 + $1.meta.spanCount }
        log("traces: tenant \(tenant): retention \(Self.durationText(retention)) deleted \(expired.count) block\(expired.count == 1 ? "" : "s") (\(spans) spans)")
        return expired.count
    }

    /// Merges runs of the tenant's adjacent small blocks. Returns the blocks merged away and the blocks written.
    func compact(tenant: String, log: (String) -> Void) throws -> (Int, Int) {
        cond.lock()
        let list = blocks[tenant] ?? []
        cond.unlock()
        let target = options.compactionTargetBytes
        let runs = CompactionRuns.plan(sizes: list.map(\.fileSize), small: target / 4, target: target).map { Array(list[$0]) }
        var merged = 0
        for run in runs {
            if isClosed { break }
            let started = Self.monotonicNow()
            guard let block = try merge(run, tenant: tenant) else { continue }
            try retire(run, tenant: tenant, replacement: block)
            merged += run.count
            let inBytes = run.reduce(0) { $0 + $1.fileSize }
            let inSpans = run.reduce(0) { $0 + $1.meta.spanCount }
            let joined = run.reduce(0) { $0 + $1.meta.traceCount } - block.meta.traceCount
            log("traces: tenant \(tenant): compacted \(run.count) blocks (\(inSpans) spans, \(Self.mb(inBytes))) into \(block.meta.id) (\(block.meta.spanCount) spans, \(block.meta.traceCount) traces, \(Self.mb(block.fileSize))); \(joined) trace parts joined, \(inSpans - block.meta.spanCount) duplicate spans dropped, \(String(format: "%.2f", Self.monotonicNow() - started)) s")
        }
        return (merged, runs.count)
    }

    /// Writes one block holding every trace of `run`, a trace's parts from several blocks merged; nil when the
    /// store closed meanwhile.
    private func merge(_ run: [TraceBlock], tenant: String) throws -> TraceBlock? {
        var traces: [TraceID: [[UInt8]]] = [:]
        for b in run {
            if isClosed { return nil }
            try b.forEachTrace { id, chunks in traces[id, default: []] += chunks }
        }
        // A trace of several chunks (parts from several blocks, or several requests) is decoded, de-duplicated
        // and, if it held a span twice, stored again as one chunk; any other trace is copied as it is.
        var inputs: [TraceBlock.Input] = []
        inputs.reserveCapacity(traces.count)
        for (id, chunks) in traces {
            guard chunks.count > 1 else {
                inputs.append(TraceBlock.Input(id: id, chunks: chunks))
                continue
            }
            var batches: [ResourceSpans] = []
            for c in chunks {
                try c.withUnsafeBytes { raw in
                    var r = ByteReader(raw)
                    batches += try SpanCodec.decodeBatches(&r)
                }
            }
            let unique = Trace.deduplicated(batches)
            if unique.count == batches.count && zip(unique, batches).allSatisfy({ $0.spanCount == $1.spanCount }) {
                inputs.append(TraceBlock.Input(id: id, chunks: chunks))
            } else {
                var w = ByteWriter(capacity: chunks.reduce(0) { $0 + $1.count })
                SpanCodec.encode(unique, into: &w)
                inputs.append(TraceBlock.Input(id: id, chunks: [w.bytes]))
            }
        }
        if isClosed { return nil }
        return try TraceBlock.write(directory: blockDirectory(tenant), tenant: tenant, traces: inputs,
                                    walCoverage: run.map(\.meta.walCoverage).max() ?? 0,
                                    replaces: run.map(\.meta.id), options: options)
    }

    /// Takes `old` out of the tenant's blocks (putting `replacement` in, under the same lock, so that a reader sees
    /// one or the other) and deletes their files. WAL segments that the old blocks covered go first: with the
    /// blocks gone, a restart must not replay them.
    private func retire(_ old: [TraceBlock], tenant: String, replacement: TraceBlock?) throws {
        let coverage = old.map(\.meta.walCoverage).max() ?? 0
        try walForMaintenance()?.removeSegments(before: coverage)
        let gone = Set(old.map(\.path))
        cond.lock()
        blocks[tenant]?.removeAll { gone.contains($0.path) }
        if let replacement {
            blocks[tenant, default: []].append(replacement)
            blocks[tenant]!.sort { $0.meta.minTime < $1.meta.minTime }
        }
        // Traces split only between the old blocks are whole now (or gone); count the blocks left for each.
        let left = blocks[tenant] ?? []
        for id in splitIDs[tenant] ?? [] where old.contains(where: { $0.position(of: id) != nil }) {
            if left.filter({ $0.position(of: id) != nil }).count < 2 { splitIDs[tenant]?.remove(id) }
        }
        cond.unlock()
        // Open reads keep their file descriptors; unlinking is safe under them.
        for b in old {
            try FS.remove(b.path)
            searchCache.forget(b)
        }
        try FS.syncDirectory(blockDirectory(tenant))
    }

    static func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

    static func durationText(_ seconds: Int64) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        return "\(seconds)s"
    }
}

/// What one maintenance pass did.
public struct TraceMaintenanceReport: Sendable, Equatable {
    public var blocksDeletedByRetention = 0
    /// Blocks merged away by compaction, and the blocks written in their place.
    public var blocksMerged = 0
    public var blocksWritten = 0
}
