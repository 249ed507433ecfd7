import Foundation
import Storage

extension StoreEngine {
    var isClosed: Bool {
        cond.lock()
        defer { cond.unlock() }
        return closed
    }

    /// Deletes the tenant's blocks whose newest entry is older than its retention period. Whole blocks only.
    func applyRetention(tenant: String, now: Int64) throws -> Int {
        let retention = options.limits.retention(for: tenant)
        guard retention > 0 else { return 0 }
        let cutoff = now - retention * 1_000_000_000
        cond.lock()
        let expired = (blocks[tenant] ?? []).filter { $0.meta.maxTime < cutoff }
        let ids = Set(expired.map(\.meta.id))
        blocks[tenant]?.removeAll { ids.contains($0.meta.id) }
        cond.unlock()
        // Open queries keep their file descriptors; unlinking is safe under them.
        for b in expired { try FS.remove(b.path) }
        metrics.recordCompaction(merged: 0, deleted: expired.count)
        return expired.count
    }

    /// Merges runs of adjacent small blocks of a tenant into larger ones. Returns how many blocks were merged away.
    ///
    /// Pages of a stream that do not overlap in time are copied compressed, byte for byte; overlapping pages
    /// (the same stream flushed out of order) are decoded, merged, de-duplicated and re-encoded. The new block
    /// names the blocks it replaces, so a crash between publishing it and deleting them loses and doubles nothing.
    func compact(tenant: String) throws -> Int {
        cond.lock()
        let list = blocks[tenant] ?? []
        cond.unlock()
        let runs = CompactionRuns.plan(sizes: list.map(\.storedBytes), small: options.compactionTargetBytes / 8,
                                       target: options.compactionTargetBytes).map { Array(list[$0]) }
        var merged = 0
        for run in runs {
            let block = try mergeBlocks(run, tenant: tenant)
            let ids = Set(run.map(\.meta.id))
            cond.lock()
            blocks[tenant]?.removeAll { ids.contains($0.meta.id) }
            blocks[tenant, default: []].append(block)
            blocks[tenant]!.sort { $0.meta.minTime < $1.meta.minTime }
            cond.unlock()
            for b in run { try FS.remove(b.path) }
            merged += run.count
            metrics.recordCompaction(merged: run.count, deleted: 0)
        }
        return merged
    }

    private func mergeBlocks(_ run: [Block], tenant: String) throws -> Block {
        var byStream: [LabelSet: [(Block, PageDescriptor)]] = [:]
        for b in run {
            for s in b.streams { byStream[s.labels, default: []] += s.pages.map { (b, $0) } }
        }
        let id = StoreEngine.blockID(minTime: run.map(\.meta.minTime).min()!)
        let writer = try BlockWriter(path: tenantDirectory(tenant) + "/" + id + Block.fileExtension)
        let compressor = Compressor(codec: options.codec, level: options.zstdLevel)
        let decompressor = Decompressor()
        var encoderState = PageEncoderState()
        var stored: [UInt8] = []
        let decoded = DecodedPage()
        do {
            for labels in byStream.keys.sorted() {
                if isClosed { throw CancellationError() }
                writer.beginStream(labels)
                let pages = byStream[labels]!.sorted { $0.1.minTime < $1.1.minTime }
                var i = 0
                while i < pages.count {
                    // Group pages that overlap in time.
                    var j = i + 1
                    var groupMax = pages[i].1.maxTime
                    while j < pages.count && pages[j].1.minTime <= groupMax {
                        groupMax = max(groupMax, pages[j].1.maxTime)
                        j += 1
                    }
                    if j == i + 1 {
                        let (b, p) = pages[i]
                        try b.readPage(p, into: &stored)
                        try writer.append(EncodedPage(stored: stored, descriptor: p))
                    } else {
                        var decodedBatches: [EntryBatch] = []
                        for (b, p) in pages[i..<j] {
                            try b.readPage(p, into: &stored)
                            try stored.withUnsafeBytes {
                                try decompressor.decompress($0, codec: p.codec, rawSize: p.rawSize, into: &decoded.raw)
                            }
                            try decoded.parse()
                            decodedBatches.append(decoded.entries())
                        }
                        let merged = MergedStream(decodedBatches)
                        for r in merged.pageRanges(maxBytes: options.pageSize) {
                            try writer.append(EncodedPage.make(merged, range: r, compressor: compressor, state: &encoderState))
                        }
                    }
                    i = j
                }
            }
            return try writer.finish(id: id, tenant: tenant, walCoverage: run.map(\.meta.walCoverage).max()!,
                                     replaces: run.map(\.meta.id))
        } catch {
            writer.abandon()
            throw error
        }
    }
}
