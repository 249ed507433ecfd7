import Dispatch
import Foundation
import Storage

/// The store's machinery behind `LogStore`: WAL, head, flushing, maintenance threads.
///
/// Data flow: `append` validates a batch, writes it to the WAL (fsync, group commit) and applies it to the head.
/// The head is cut (by size or age) into immutable blocks by a background flusher; WAL segments are deleted once
/// their block is published. Compaction and retention run on a maintenance thread. Queries read blocks, heads
/// waiting to be flushed and the live head, through `select` (see `StoreEngine+Select.swift`).
///
/// Directory layout: `<data>/wal/*.wal`, `<data>/tenants/<tenant>/blocks/*.mcb`, `<data>/LOCK`.
final class StoreEngine: @unchecked Sendable {
    public let directory: String
    public let options: StoreOptions
    public let readOnly: Bool
    private(set) var openReport = OpenReport()

    let cond = NSCondition()
    var head = Head()
    var frozen: [FrozenHead] = []
    var blocks: [String: [Block]] = [:]
    private(set) var wal: WAL?
    private var lock: DirectoryLock?
    private(set) var closed = false
    var flushError: Error?
    private var threads: [Thread] = []
    private var rateBuckets: [String: (tokens: Double, at: Double)] = [:]
    public let metrics = StoreMetrics()
    let appendObservers = AppendObservers()

    /// Opens (creating if needed) the store at `directory`, replaying its WAL.
    /// `readOnly` opens without taking the writer lock, without repairing and without background work: for a
    /// query process reading a store another process may be writing.
    public init(directory: String, options: StoreOptions = StoreOptions(), readOnly: Bool = false) throws {
        self.directory = directory
        self.options = options
        self.readOnly = readOnly
        if readOnly {
            guard FS.isDirectory(directory) else {
                throw ValidationError("no mclog data directory at \(directory)")
            }
        } else {
            try FS.makeDirectories(directory + "/tenants")
            lock = try DirectoryLock(directory: directory)
            guard lock != nil else { throw ValidationError("data directory \(directory) is in use by another mclog process") }
        }
        try loadBlocks()
        let coverage = blocks.mapValues { $0.map(\.meta.walCoverage).max() ?? 0 }
        var report = openReport
        let replayHead = Head()
        let pageSize = options.pageSize
        let replay = try WAL.replay(directory: directory + "/wal", repair: !readOnly) { segment, payload in
            let (tenant, streams) = try WALRecord.decode(payload)
            if segment < coverage[tenant] ?? 0 {
                report.skippedRecords += 1
                return
            }
            replayHead.apply(tenant: tenant, streams, pageSize: pageSize, now: StoreEngine.monotonicNow())
            report.replayedRecords += 1
            report.replayedEntries += streams.reduce(0) { $0 + $1.1.count }
        }
        report.damage += replay.damage
        openReport = report
        head = replayHead
        if !readOnly {
            wal = try WAL(directory: directory + "/wal")
            wal!.onSync = { [metrics] in metrics.observeFsync($0) }
            startThreads()
        }
    }

    /// Stops background work and releases the directory. Unflushed data stays in the WAL for the next open.
    public func close() {
        cond.lock()
        if closed {
            cond.unlock()
            return
        }
        closed = true
        cond.broadcast()
        cond.unlock()
        while threads.contains(where: { !$0.isFinished }) { usleep(1000) }
        lock?.release()
    }

    static func monotonicNow() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    func tenantDirectory(_ tenant: String) -> String { directory + "/tenants/" + tenant + "/blocks" }

    private func loadBlocks() throws {
        for tenant in try FS.list(directory + "/tenants") {
            let dir = tenantDirectory(tenant)
            var list: [Block] = []
            for path in try FS.blockFiles(in: dir, fileExtension: Block.fileExtension, readOnly: readOnly) {
                do {
                    list.append(try Block(path: path))
                } catch {
                    openReport.damage.append("skipped unreadable block: \(error)")
                }
            }
            // A compacted block names the blocks it replaced; if the old ones survived a crash, drop them now.
            let replaced = Set(list.flatMap(\.meta.replaces))
            for b in list where replaced.contains(b.meta.id) && !readOnly { try FS.remove(b.path) }
            list.removeAll { replaced.contains($0.meta.id) }
            blocks[tenant] = list.sorted { $0.meta.minTime < $1.meta.minTime }
            openReport.blocks += list.count
        }
    }

    // MARK: Append

    /// Validates one push batch of a tenant, makes it durable (WAL + fsync) and adds it to the head.
    /// Returns only after the batch is durable; a thrown error means nothing of the batch was stored.
    public func append(tenant: String, _ streams: [(LabelSet, EntryBatch)], enforceRate: Bool = false) throws {
        guard let wal else { throw ValidationError("store is open read-only") }
        try Tenant.validate(tenant)
        let limits = options.limits
        var bytes = 0
        for (labels, batch) in streams {
            let metadata = batch.metadata
            for i in 0..<batch.count {
                let n = batch.lineRange(i).count
                if n > limits.maxLineSize {
                    throw ValidationError(
                        "line of \(n) bytes in stream \(labels) exceeds the limit max_line_size=\(limits.maxLineSize)")
                }
                if let md = metadata {
                    let size = md.byteSize(i)
                    if size > limits.maxStructuredMetadataSize {
                        throw ValidationError(
                            "structured metadata of \(size) bytes exceeds the limit max_structured_metadata_size=\(limits.maxStructuredMetadataSize)")
                    }
                }
            }
            bytes += batch.rawBytes
        }
        let payload = WALRecord.encodeParts(tenant: tenant, streams: streams)
        cond.lock()
        // Backpressure: one head may wait for its flush while the next fills; beyond that, appends wait.
        while head.rawBytes >= options.maxHeadBytes && !frozen.isEmpty && !closed { cond.wait() }
        if closed {
            cond.unlock()
            throw ValidationError("store is closed")
        }
        if enforceRate {
            do { try takeRateTokens(tenant: tenant, bytes: bytes) } catch {
                cond.unlock()
                throw error
            }
        }
        let existing = head.tenants[tenant]?.count ?? 0
        let added = head.newStreamCount(tenant: tenant, streams)
        if added > 0 && existing + added > limits.maxStreamsPerTenant {
            cond.unlock()
            throw ValidationError(
                "tenant \(tenant) would have \(existing + added) active streams, more than the limit max_streams_per_tenant=\(limits.maxStreamsPerTenant)")
        }
        let ticket: WAL.Ticket
        do { ticket = try wal.append(parts: payload) } catch {
            cond.unlock()
            throw error
        }
        head.apply(tenant: tenant, streams, pageSize: options.pageSize, now: StoreEngine.monotonicNow())
        if head.rawBytes >= options.maxHeadBytes { cutLocked() }
        cond.unlock()
        try wal.sync(through: ticket)
        metrics.recordAppend(tenant: tenant, lines: streams.reduce(0) { $0 + $1.1.count }, bytes: bytes)
        appendObservers.notify(tenant: tenant, streams)
    }

    private func takeRateTokens(tenant: String, bytes: Int) throws {
        let l = options.limits
        let now = StoreEngine.monotonicNow()
        var b = rateBuckets[tenant] ?? (Double(l.ingestionBurstBytes), now)
        b.tokens = min(Double(l.ingestionBurstBytes), b.tokens + (now - b.at) * Double(l.ingestionRateBytesPerSecond))
        b.at = now
        guard b.tokens >= Double(bytes) else {
            rateBuckets[tenant] = b
            throw RateLimitError(
                description: "ingestion rate limit exceeded for tenant \(tenant) (limit: \(l.ingestionRateBytesPerSecond) bytes/sec, burst \(l.ingestionBurstBytes) bytes) while attempting to ingest \(bytes) bytes")
        }
        b.tokens -= Double(bytes)
        rateBuckets[tenant] = b
    }

    // MARK: Cutting and flushing

    /// Freezes the live head and rotates the WAL. Caller holds `cond`.
    private func cutLocked() {
        guard !head.isEmpty, let wal else { return }
        do {
            let cut = try wal.rotate()
            frozen.append(FrozenHead(head: head, walCut: cut))
            head = Head()
            cond.broadcast()
        } catch {
            flushError = error
        }
    }

    /// Cuts the head and waits until every frozen head is written as blocks (Loki's `/flush`).
    public func flush() throws {
        cond.lock()
        defer { cond.unlock() }
        cutLocked()
        flushError = nil
        while !frozen.isEmpty && flushError == nil && !closed { cond.wait() }
        if let e = flushError { throw e }
    }

    private func startThreads() {
        let flusher = Thread { self.flushLoop() }
        flusher.name = "mclog-flush"
        threads.append(flusher)
        flusher.start()
        if options.maintenanceIntervalSeconds > 0 {
            let m = Thread { self.maintenanceLoop() }
            m.name = "mclog-maintenance"
            threads.append(m)
            m.start()
        }
    }

    private func flushLoop() {
        cond.lock()
        while !closed {
            guard let f = frozen.first else {
                cond.wait()
                continue
            }
            cond.unlock()
            let result = Result { try writeBlocks(f) }
            cond.lock()
            switch result {
            case .success(let written):
                for (tenant, block) in written { blocks[tenant, default: []].append(block) }
                for t in written.map(\.0) { blocks[t]!.sort { $0.meta.minTime < $1.meta.minTime } }
                frozen.removeFirst()
                try? wal?.removeSegments(before: f.walCut)
                metrics.recordFlush(blocks: written.count)
                cond.broadcast()
            case .failure(let e):
                flushError = e
                cond.broadcast()
                // Keep the head (it is still in the WAL too) and retry after a pause.
                _ = cond.wait(until: Date().addingTimeInterval(5))
            }
        }
        cond.unlock()
    }

    /// Writes one block per tenant of a frozen head; pages are compressed on all cores.
    private func writeBlocks(_ f: FrozenHead) throws -> [(String, Block)] {
        var out: [(String, Block)] = []
        for tenant in f.head.tenants.keys.sorted() {
            let streams = f.head.tenants[tenant]!.values.sorted { $0.labels < $1.labels }
                .map { ($0.labels, $0.sealed.map(\.batch)) }
            if let b = try writeBlock(tenant: tenant, streams: streams, walCoverage: f.walCut, replaces: []) {
                out.append((tenant, b))
            }
        }
        return out
    }

    /// Builds and publishes a block from streams of sorted batches. Overlapping batches of one stream are merged.
    func writeBlock(tenant: String, streams: [(LabelSet, [EntryBatch])], walCoverage: UInt64,
                    replaces: [String]) throws -> Block? {
        // Jobs: one per page to encode, in stream order. Overlapping batches of a stream are merged by reference.
        var jobs: [(stream: Int, merged: MergedStream, range: Range<Int>)] = []
        for (si, (_, batches)) in streams.enumerated() {
            let merged = MergedStream(batches)
            for r in merged.pageRanges(maxBytes: options.pageSize) { jobs.append((si, merged, r)) }
        }
        guard !jobs.isEmpty else { return nil }
        try FS.makeDirectories(tenantDirectory(tenant))
        let options = self.options
        let pages = try parallelMap(jobs.count, state: {
            (Compressor(codec: options.codec, level: options.zstdLevel), PageEncoderState())
        }) { j, st in
            try EncodedPage.make(jobs[j].merged, range: jobs[j].range, compressor: st.0, state: &st.1)
        }
        let minT = jobs.map { $0.merged.timestamp($0.range.lowerBound) }.min()!
        let id = StoreEngine.blockID(minTime: minT)
        let writer = try BlockWriter(path: tenantDirectory(tenant) + "/" + id + Block.fileExtension)
        do {
            var current = -1
            for (j, job) in jobs.enumerated() {
                if job.stream != current {
                    writer.beginStream(streams[job.stream].0)
                    current = job.stream
                }
                try writer.append(pages[j])
            }
            return try writer.finish(id: id, tenant: tenant, walCoverage: walCoverage, replaces: replaces)
        } catch {
            writer.abandon()
            throw error
        }
    }

    static func blockID(minTime: Int64) -> String {
        let t = String(UInt64(bitPattern: minTime), radix: 16)
        let r = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return String(repeating: "0", count: 16 - t.count) + t + "-" + String(repeating: "0", count: 16 - r.count) + r
    }

    // MARK: Maintenance

    private func maintenanceLoop() {
        let interval = min(options.maintenanceIntervalSeconds, max(1, options.maxHeadAgeSeconds / 4))
        cond.lock()
        var deadline = Date().addingTimeInterval(interval)
        while !closed {
            // The condition is shared with appends and flushes; wake for real only at the deadline.
            if Date() < deadline {
                _ = cond.wait(until: deadline)
                continue
            }
            deadline = Date().addingTimeInterval(interval)
            if let first = head.firstArrival, StoreEngine.monotonicNow() - first >= options.maxHeadAgeSeconds {
                cutLocked()
            }
            cond.unlock()
            _ = try? runMaintenance(now: Int64(Date().timeIntervalSince1970 * 1e9))
            cond.lock()
        }
        cond.unlock()
    }

    /// Applies retention and compaction to every tenant once. Safe to call while appends and queries run.
    @discardableResult
    func runMaintenance(now: Int64) throws -> MaintenanceReport {
        var report = MaintenanceReport()
        cond.lock()
        let tenants = Array(blocks.keys)
        cond.unlock()
        for t in tenants {
            report.blocksDeletedByRetention += try applyRetention(tenant: t, now: now)
            report.blocksCompacted += try compact(tenant: t)
        }
        return report
    }

}

/// What opening a store found: WAL replay counts and any damage that was reported and repaired.
public struct OpenReport: Sendable {
    public var blocks = 0
    public var replayedRecords = 0
    public var replayedEntries = 0
    public var skippedRecords = 0
    public var damage: [String] = []
}

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable {
    public var blocksDeletedByRetention = 0
    public var blocksCompacted = 0
}

/// A push over the tenant's ingestion rate (HTTP 429).
public struct RateLimitError: Error, CustomStringConvertible { public let description: String }

#if canImport(Glibc)
import Glibc
#endif
