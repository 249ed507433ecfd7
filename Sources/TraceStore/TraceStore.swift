import Dispatch
import Foundation
import Storage

/// The durable span store: OTLP/Zipkin batches in, traces by id and TraceQL search out.
///
/// `append` splits a request's spans by trace, enforces `TraceLimits` span by span, writes the accepted spans to
/// the WAL (`Storage.WAL`, fsync with group commit) and only then adds them to the in-memory head and returns.
/// The head is cut by size or age into one immutable block per tenant (`TraceBlock`: spans grouped by trace,
/// a bloom filter and sorted trace ids, a columnar search index); WAL segments are deleted once their blocks
/// are published. A trace whose spans arrive minutes apart may live in the head and in several blocks: reads
/// by id merge all of them.
///
/// Directory layout (under the directory given, `<data>/traces` for `mclog serve`):
/// `wal/*.wal`, `tenants/<tenant>/blocks/*.mctb`, `LOCK`. Formats: `Storage/WAL+Format.md`, `TraceBlock+Format.md`.
public final class TraceStore: @unchecked Sendable {
    public let directory: String
    public let options: TraceStoreOptions
    public let readOnly: Bool
    /// What opening found: blocks, replayed records, and any damage that was reported and repaired.
    public private(set) var openReport = TraceOpenReport()

    let cond = NSCondition()
    var head = TraceHead()
    /// Heads cut and waiting for their blocks, with the WAL segment their records end before.
    var frozen: [(head: TraceHead, walCut: UInt64)] = []
    var blocks: [String: [TraceBlock]] = [:]
    /// Per tenant, the traces that more than one block holds (see `TraceStore+Parts.swift`).
    var splitIDs: [String: Set<TraceID>] = [:]
    let searchCache: SearchTableCache
    private var wal: WAL?
    private var lock: DirectoryLock?
    private var closed = false
    private var flushError: Error?
    private var thread: Thread?
    private var maintenanceThread: Thread?

    /// Opens (creating if needed) the store at `directory` and replays its WAL. `readOnly` takes no lock, repairs
    /// nothing and starts no thread: for `mclog trace` reading a store that `mclog serve` may be writing.
    public init(directory: String, options: TraceStoreOptions = TraceStoreOptions(), readOnly: Bool = false) throws {
        self.directory = directory
        self.options = options
        self.readOnly = readOnly
        searchCache = SearchTableCache(budget: options.searchCacheBytes)
        if !readOnly {
            try FS.makeDirectories(directory + "/tenants")
            lock = try DirectoryLock(directory: directory)
            guard lock != nil else { throw TraceStoreError("trace directory \(directory) is in use by another mclog process") }
        }
        try loadBlocks()
        let coverage = blocks.mapValues { $0.map(\.meta.walCoverage).max() ?? 0 }
        var report = openReport
        let replayHead = TraceHead()
        if FS.isDirectory(directory + "/wal") {
            let replay = try WAL.replay(directory: directory + "/wal", repair: !readOnly) { segment, payload in
                let (tenant, chunks) = try TraceWALRecord.decode(payload)
                if segment < coverage[tenant] ?? 0 {
                    report.skippedRecords += 1
                    return
                }
                replayHead.apply(tenant: tenant, chunks, now: Self.monotonicNow()) {
                    self.earlierParts(tenant: tenant, id: $0)
                }
                report.replayedRecords += 1
                report.replayedSpans += chunks.reduce(0) { $0 + $1.spanCount }
            }
            report.damage += replay.damage
        }
        openReport = report
        head = replayHead
        if !readOnly {
            wal = try WAL(directory: directory + "/wal")
            if options.backgroundIntervalSeconds > 0 {
                let t = Thread { self.backgroundLoop() }
                t.name = "mclog-trace-flush"
                thread = t
                t.start()
                if options.maintenanceIntervalSeconds > 0 {
                    let m = Thread { self.maintenanceLoop() }
                    m.name = "mclog-trace-compactor"
                    maintenanceThread = m
                    m.start()
                }
            }
        }
    }

    deinit { close() }

    /// Stops the background thread and releases the directory; unflushed spans stay in the WAL.
    public func close() {
        cond.lock()
        if closed {
            cond.unlock()
            return
        }
        closed = true
        cond.broadcast()
        cond.unlock()
        while let t = thread, !t.isFinished { usleep(1000) }
        while let t = maintenanceThread, !t.isFinished { usleep(1000) }
        lock?.release()
    }

    static func monotonicNow() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    func blockDirectory(_ tenant: String) -> String { directory + "/tenants/" + tenant + "/blocks" }

    private func loadBlocks() throws {
        for tenant in try FS.list(directory + "/tenants") {
            let list = try loadBlocks(tenant: tenant)
            blocks[tenant] = list
            splitIDs[tenant] = Self.sharedIDs(list)
            openReport.blocks += list.count
        }
    }

    /// The tenant's blocks, sorted by time. A compacted block names the blocks it replaced; if they survived a
    /// crash they are deleted now (read-only: ignored). A read-only reader may list a block that a running
    /// compaction deletes before it is opened; it lists again, so that it sees the replacement instead.
    private func loadBlocks(tenant: String) throws -> [TraceBlock] {
        let dir = blockDirectory(tenant)
        var attempt = 0
        while true {
            attempt += 1
            var list: [TraceBlock] = []
            var damage: [String] = []
            var vanished = false
            for path in try FS.blockFiles(in: dir, fileExtension: TraceBlock.fileExtension, readOnly: readOnly) {
                do { list.append(try TraceBlock(path: path)) } catch {
                    if !FS.exists(path) {
                        vanished = true
                        continue
                    }
                    damage.append("skipped unreadable trace block: \(error)")
                }
            }
            if vanished && attempt < 5 { continue }
            openReport.damage += damage
            let replaced = Set(list.flatMap(\.meta.replaces))
            for b in list where replaced.contains(b.meta.id) && !readOnly { try FS.remove(b.path) }
            list.removeAll { replaced.contains($0.meta.id) }
            return list.sorted { $0.meta.minTime < $1.meta.minTime }
        }
    }

    // MARK: Append

    /// Stores a request's spans for `tenant`. Spans that break a limit are rejected (counted and described in
    /// the result); the others are durable (WAL + fsync) when this returns. Throws, storing nothing, only when
    /// the request as a whole cannot be taken (bad tenant, store closed, I/O error).
    @discardableResult
    public func append(tenant: String, _ batches: [ResourceSpans]) throws -> TraceAppendResult {
        try append(tenant: tenant, SplitTraces(batches, limits: options.limits))
    }

    /// Stores a request already split and encoded (`OTLPProtobuf.decodeTraces`, `SplitTraces.init`) with the
    /// same limits as this store's; rejections counted there are carried into the result.
    @discardableResult
    public func append(tenant: String, _ split: SplitTraces) throws -> TraceAppendResult {
        guard let wal else { throw TraceStoreError("trace store is open read-only") }
        try TraceTenant.validate(tenant)
        var result = split.result
        guard !split.chunks.isEmpty else { return result }
        cond.lock()
        // Backpressure: one head may wait for its block while the next fills; beyond that, appends wait.
        while head.bytes >= options.maxHeadBytes && !frozen.isEmpty && !closed { cond.wait() }
        if closed {
            cond.unlock()
            throw TraceStoreError("trace store is closed")
        }
        // Per-trace limits against what the head already holds of each trace.
        let limits = options.limits
        var chunks: [TraceChunk] = []
        chunks.reserveCapacity(split.chunks.count)
        // A trace new to the head is looked up in the blocks and waiting heads once; its entry keeps the result.
        var earlier: [TraceID: TraceCounts] = [:]
        for chunk in split.chunks {
            let id = chunk.id
            var held = TraceCounts()
            if let e = head.entry(tenant: tenant, id: id) {
                held = TraceCounts(spans: e.spanCount + (e.earlier?.spans ?? 0), bytes: e.bytes + (e.earlier?.bytes ?? 0))
            } else if let c = earlierParts(tenant: tenant, id: id) {
                earlier[id] = c
                held = c
            }
            let spans = held.spans + chunk.spanCount
            let bytes = held.bytes + chunk.encoded.count
            if spans > limits.maxSpansPerTrace {
                result.reject(chunk.spanCount,
                              "trace \(id) would have \(spans) spans, more than the limit max_spans_per_trace=\(limits.maxSpansPerTrace)")
                continue
            }
            if bytes > limits.maxTraceBytes {
                result.reject(chunk.spanCount,
                              "trace \(id) would hold \(bytes) bytes, more than the limit max_trace_bytes=\(limits.maxTraceBytes)")
                continue
            }
            chunks.append(chunk)
        }
        guard !chunks.isEmpty else {
            cond.unlock()
            return result
        }
        let ticket: WAL.Ticket
        do { ticket = try wal.append(TraceWALRecord.encode(tenant: tenant, chunks)) } catch {
            cond.unlock()
            throw error
        }
        head.apply(tenant: tenant, chunks, now: Self.monotonicNow()) { earlier[$0] }
        if head.bytes >= options.maxHeadBytes { cutLocked() }
        cond.unlock()
        try wal.sync(through: ticket)
        result.acceptedSpans = chunks.reduce(0) { $0 + $1.spanCount }
        result.traces = chunks.count
        return result
    }

    // MARK: Cutting and flushing

    /// Freezes the live head and rotates the WAL. Caller holds `cond`.
    private func cutLocked() {
        guard !head.isEmpty, let wal else { return }
        do {
            let cut = try wal.rotate()
            frozen.append((head, cut))
            head = TraceHead()
            cond.broadcast()
        } catch {
            flushError = error
        }
    }

    /// Cuts the head and writes every frozen head as blocks before returning.
    public func flush() throws {
        cond.lock()
        cutLocked()
        cond.unlock()
        flushLock.lock()
        defer { flushLock.unlock() }
        try writeFrozen()
    }

    /// Writes frozen heads, oldest first, one block per tenant; then drops their WAL segments.
    private func writeFrozen() throws {
        while true {
            cond.lock()
            guard let f = frozen.first else {
                cond.unlock()
                return
            }
            cond.unlock()
            var written: [(String, TraceBlock)] = []
            for tenant in f.head.tenants.keys.sorted() {
                let inputs = f.head.tenants[tenant]!.map {
                    TraceBlock.Input(id: $0.key, chunks: $0.value.chunks)
                }
                if let b = try TraceBlock.write(directory: blockDirectory(tenant), tenant: tenant, traces: inputs,
                                                walCoverage: f.walCut, options: options) {
                    written.append((tenant, b))
                }
            }
            cond.lock()
            for (tenant, b) in written {
                noteSplitTraces(of: b, tenant: tenant)
                blocks[tenant, default: []].append(b)
                blocks[tenant]!.sort { $0.meta.minTime < $1.meta.minTime }
            }
            if frozen.first?.head === f.head { frozen.removeFirst() }
            cond.broadcast()
            cond.unlock()
            try wal?.removeSegments(before: f.walCut)
        }
    }

    private let flushLock = NSLock()
    /// One compaction and retention pass at a time (the background thread's or `mclog traces compact`'s).
    let maintenanceLock = NSLock()

    var isClosed: Bool {
        cond.lock()
        defer { cond.unlock() }
        return closed
    }

    func walForMaintenance() -> WAL? { wal }

    private func backgroundLoop() {
        cond.lock()
        while !closed {
            _ = cond.wait(until: Date().addingTimeInterval(options.backgroundIntervalSeconds))
            if closed { break }
            if let first = head.firstArrival, Self.monotonicNow() - first >= options.maxHeadAgeSeconds { cutLocked() }
            guard !frozen.isEmpty else { continue }
            cond.unlock()
            flushLock.lock()
            do { try writeFrozen() } catch {
                cond.lock()
                flushError = error
                cond.unlock()
            }
            flushLock.unlock()
            cond.lock()
        }
        cond.unlock()
    }

    /// Compaction and retention every `maintenanceIntervalSeconds`, beside the flushes (a long merge does not hold
    /// up cutting the head).
    private func maintenanceLoop() {
        let log = options.log ?? { _ in }
        cond.lock()
        var deadline = Date().addingTimeInterval(options.maintenanceIntervalSeconds)
        while !closed {
            // The condition is shared with appends and flushes; act only at the deadline.
            if Date() < deadline {
                _ = cond.wait(until: deadline)
                continue
            }
            cond.unlock()
            do { try runMaintenance(now: Int64(Date().timeIntervalSince1970 * 1e9), log: log) } catch {
                log("traces: compaction failed: \(error)")
            }
            cond.lock()
            deadline = Date().addingTimeInterval(options.maintenanceIntervalSeconds)
        }
        cond.unlock()
    }

    /// Counts for `/metrics` and `mclog stats`.
    public func stats() -> TraceStoreStats {
        cond.lock()
        defer { cond.unlock() }
        var s = TraceStoreStats()
        s.headSpans = head.spanCount + frozen.reduce(0) { $0 + $1.head.spanCount }
        s.headBytes = head.bytes + frozen.reduce(0) { $0 + $1.head.bytes }
        for (_, list) in blocks {
            s.blocks += list.count
            s.blockSpans += list.reduce(0) { $0 + $1.meta.spanCount }
            s.blockTraces += list.reduce(0) { $0 + $1.meta.traceCount }
            s.blockBytes += list.reduce(0) { $0 + $1.fileSize }
        }
        return s
    }
}

/// What one `append` did: spans stored, and spans rejected with the reasons (OTLP's `partial_success`).
public struct TraceAppendResult: Sendable {
    public var acceptedSpans = 0
    public var traces = 0
    public var rejectedSpans = 0
    /// Distinct reasons, in the order first met (at most 10 kept, so a bad batch cannot make a huge message).
    public var reasons: [String] = []

    public var message: String { reasons.joined(separator: "; ") }

    mutating func reject(_ spans: Int, _ reason: String) {
        rejectedSpans += spans
        if reasons.count < 10 && !reasons.contains(reason) { reasons.append(reason) }
    }
}

public struct TraceOpenReport: Sendable {
    public var blocks = 0
    public var replayedRecords = 0
    public var replayedSpans = 0
    public var skippedRecords = 0
    public var damage: [String] = []
}

public struct TraceStoreStats: Sendable {
    public var headSpans = 0
    public var headBytes = 0
    public var blocks = 0
    public var blockSpans = 0
    public var blockTraces = 0
    public var blockBytes = 0
}

#if canImport(Glibc)
import Glibc
#endif
