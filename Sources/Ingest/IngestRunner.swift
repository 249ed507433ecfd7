import LogStore

#if canImport(Glibc)
import Glibc
#endif

/// The tailer: follows every source's files and appends their entries to the store, checkpointing positions
/// only after each append is durable. `mclog ingest` runs it in the foreground; `mclog serve` beside the HTTP API:
///
/// ```swift
/// let config = try IngestConfig.load(path: "mclog.yaml")
/// let store = try LogStore(directory: config.dataDirectory, options: config.storeOptions)
/// let runner = try IngestRunner(config: config, store: store)
/// runner.start()          // or `try runner.run()` to block
/// …
/// runner.stopAndWait()    // finishes the batch in flight, checkpoints, returns
/// ```
///
/// One thread does the work, a tenant's batch at a time: discover files (globs), check each tracked file's
/// identity (truncation, fingerprint), read new bytes into entries until `batch_size`, write the positions file
/// with the offsets committed so far and this batch's intent, hand the batch to the append thread (the store
/// fsyncs its WAL before the append returns), and read the next batch meanwhile; when it is read, wait for the
/// append and advance the offsets in memory; they reach the file with the next intent, or when a round reads
/// nothing. So positions are checkpointed only after the covering append is durable, exactly as without the
/// overlap. At most one append is in flight: a slow store slows reading, and memory stays at two batches plus
/// one read buffer plus what each file holds unfinished (at most a line or an entry). Rotation and restart behaviour is described in README.md ("Tailing").
public final class IngestRunner: @unchecked Sendable {
    public let config: IngestConfig
    public let store: LogStore
    /// Read every file to its end, emit what is held, and return (backfill).
    public let once: Bool
    let sources: [SourceRuntime]
    var files: [TailedFile] = []
    /// Checkpoint records not yet matched to a file found by the globs (the first discovery consumes them).
    var restored: [Positions.Entry] = []
    /// Files never to read: compressed content found under a plain name.
    var ignored = Set<FileKey>()
    /// Files that could not be opened (reported once; retried every round).
    var unreadable = Set<FileKey>()
    private let builder = BatchBuilder()
    /// Runs appends beside the tailer's thread; created by `run`.
    private var appendWorker: AppendWorker!
    private var buffer: [UInt8]
    let log: @Sendable (String) -> Void
    private let control = StopSignal()
    private var thread: Thread?
    private var roundRobin = 0
    var positionsDirty = false
    /// Test failpoint: `MCLOG_INGEST_KILL_AFTER_APPENDS=N` makes the process SIGKILL itself right after its N-th
    /// durable append, before the positions that follow it are written — the moment exactly-once hinges on.
    /// The crash tests use it to land a kill in that window every time instead of by luck.
    private var killAfterAppends = Int(ProcessInfo.processInfo.environment["MCLOG_INGEST_KILL_AFTER_APPENDS"] ?? "") ?? 0

    static let readChunk = 1 << 20

    /// Writes a warning line to stderr.
    @Sendable public static func logToStderr(_ s: String) {
        let line = Array("mclog ingest: \(s)\n".utf8)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// A runner over `config`'s sources writing into `store`. `log` gets warnings (files that cannot be read,
    /// batches the store refused); by default they go to stderr.
    public init(config: IngestConfig, store: LogStore, once: Bool = false,
                log: @escaping @Sendable (String) -> Void = IngestRunner.logToStderr) throws {
        self.config = config
        self.store = store
        self.once = once
        self.log = log
        let now = LineParser.nowNanos()
        sources = try config.sources.enumerated().map {
            try SourceRuntime(index: $0.offset, config: $0.element, limits: store.options.limits, now: now)
        }
        buffer = [UInt8](repeating: 0, count: Self.readChunk)
    }

    private let tailerCPUNanos = LockedValue<Int64>(0)

    /// CPU time the tailer has spent in finished `run` calls: its thread (reading, parsing, positions) plus its
    /// append thread (encoding and writing the WAL); the store's background flushing and compaction run on
    /// other threads.
    public var tailerCPUSeconds: Double { Double(tailerCPUNanos.withLock { $0 }) / 1e9 }

    static func threadCPUNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Per source: name, entries and bytes stored since start, files tailed now.
    public func counters() -> [(name: String, entries: Int, bytes: Int, files: Int)] {
        sources.map { s in
            let c = s.counters.snapshot
            return (s.config.name, c.entries, c.bytes, c.files)
        }
    }

    /// Asks `run` to return after the batch in flight; safe from any thread or a signal-handling queue.
    public func stop() { control.request() }

    /// Runs `run` on a thread of its own.
    public func start() {
        let t = Thread { [self] in
            do { try run() } catch { log("stopped: \(error)") }
            control.markFinished()
        }
        thread = t
        t.start()
    }

    /// `stop()`, then waits until the thread `start()` began has checkpointed and returned.
    public func stopAndWait() {
        stop()
        if thread != nil { control.waitFinished() }
    }

    /// Tails until `stop()` (or, with `once`, until every file is read to its end). Positions are written after
    /// every durable append; a checkpoint in doubt from a crash is resolved first.
    public func run() throws {
        let cpuStart = Self.threadCPUNanos()
        defer { tailerCPUNanos.withLock { $0 += Self.threadCPUNanos() - cpuStart } }
        appendWorker = AppendWorker(cpuNanos: tailerCPUNanos)
        defer { appendWorker.shutdown() }
        var positions = try Positions.read(path: config.positionsFile)
        if positions.batchTime != nil {
            try recover(&positions)
        }
        restored = positions.files
        try makeParentDirectory(config.positionsFile)
        var firstRound = true
        while !control.isRequested {
            let now = Self.monotonicNanos()
            discover(now: now)
            if firstRound {
                // Records no glob matched belong to files that are gone.
                restored.removeAll()
                positionsDirty = true
                firstRound = false
            }
            checkIdentities(now: now)
            var worked = false
            for tenant in tenantsInOrder() {
                if control.isRequested { break }
                if try readBatch(tenant: tenant, now: now) { worked = true }
            }
            release(now: Self.monotonicNanos())
            if positionsDirty && !worked { try writePositions(intents: nil) }
            for s in sources { s.counters.setFiles(files.count { $0.source === s }) }
            if once && !worked && files.allSatisfy({ $0.atEOF && !$0.assembler.hasBuffered || $0.copyOf != nil }) {
                break
            }
            if !worked { control.sleep(nanos: config.tailer.pollIntervalNanos) }
        }
        try writePositions(intents: nil)
    }

    private func tenantsInOrder() -> [String] {
        var seen: [String] = []
        for s in sources where !seen.contains(s.config.tenant) { seen.append(s.config.tenant) }
        return seen
    }

    // MARK: Reading and appending

    /// Most batches of one tenant read in a row (each overlapping the previous one's append) before the other
    /// tenants and the round's housekeeping get their turn.
    static let batchesPerTurn = 16

    /// What filling a batch ended with.
    private enum Fill {
        /// The batch reached `batch_size`: there is probably more to read.
        case full
        /// Every file was read to its end (or had nothing).
        case drained
        /// A file's first bytes changed under the read (copytruncate): the batch must be dropped.
        case truncated
        /// A file could not be read or an entry not stored: the batch must be dropped and retried later.
        case failed
    }

    /// The append in flight: the files whose sealed parts it holds and its entry count.
    private struct InFlight {
        var files: [TailedFile]
        var entries: Int
    }

    private var inFlight: InFlight?

    /// Reads a tenant's files a batch at a time and appends each batch, reading the next one while the store
    /// writes and fsyncs the previous (at most one append in flight). Returns whether anything was appended.
    /// On return nothing is in flight, so the round's housekeeping and positions see settled offsets.
    private func readBatch(tenant: String, now: Int64) throws -> Bool {
        let candidates = files.filter { $0.source.config.tenant == tenant && $0.copyOf == nil }
        guard !candidates.isEmpty else { return false }
        var appended = false
        for _ in 0..<Self.batchesPerTurn {
            builder.reset()
            let batchTime = LineParser.nowNanos()
            let fill = fill(candidates, batchTime: batchTime, now: now)
            // The previous batch's append ran meanwhile; settle it before anything is rewound or written.
            guard try settle(candidates) else { return false }
            if fill == .truncated || fill == .failed {
                // Nothing of this batch is kept (its other entries would otherwise advance past the dropped ones).
                for c in candidates { c.rewind() }
                builder.reset()
                if fill == .failed { control.sleep(nanos: 1_000_000_000) }
                return appended
            }
            guard !builder.isEmpty else { break }
            try startAppend(tenant: tenant, batchTime: batchTime, candidates: candidates)
            appended = true
            if fill != .full || control.isRequested { break }
        }
        return try settle(candidates) && appended
    }

    /// Reads the candidates' new bytes into entries until `batch_size`, starting with a different file each time.
    private func fill(_ candidates: [TailedFile], batchTime: Int64, now: Int64) -> Fill {
        let start = roundRobin % candidates.count
        roundRobin &+= 1
        let settings = config.tailer
        for k in 0..<candidates.count {
            let f = candidates[(start + k) % candidates.count]
            do {
                while builder.bytes < settings.batchBytes {
                    let n = try f.read(into: &buffer, limit: Self.readChunk, builder: builder, batchTime: batchTime,
                                       now: now, fingerprintBytes: settings.fingerprintBytes)
                    // copytruncate may have cut the file since its identity was checked, and the bytes just read
                    // may then belong to its next generation. If the first bytes changed, drop the whole batch;
                    // the next round handles the truncation (and the copy) before reading again.
                    if n > 0 && !f.fingerprint.matches(fd: f.fd) { return .truncated }
                    if n == 0 || f.atEOF { break }
                }
                if f.atEOF && f.assembler.hasBuffered {
                    let idle = now - f.lastDataNanos
                    let timeout = f.assembler.hasPartialLine ? settings.partialLineTimeoutNanos
                        : f.source.config.multiline.maxWaitNanos
                    if once || idle >= timeout { try f.finish(builder: builder, batchTime: batchTime) }
                }
            } catch {
                log("\(f.path): \(error); retrying")
                return .failed
            }
            if builder.bytes >= settings.batchBytes { return .full }
        }
        return .drained
    }

    /// Writes the batch's intent, seals the files' parts of it and starts its append on the worker.
    private func startAppend(tenant: String, batchTime: Int64, candidates: [TailedFile]) throws {
        let involved = candidates.filter { $0.emitted > $0.committed }
        let intents = involved.map {
            Positions.Intent(device: $0.device, inode: $0.inode, from: $0.committed, to: $0.emitted,
                             fingerprint: $0.fingerprint, carryTimestamp: $0.committedCarry, path: $0.path)
        }
        try writePositions(intents: (batchTime, intents))
        for f in involved { f.seal() }
        inFlight = InFlight(files: involved, entries: builder.entries)
        let streams = builder.byTenant()[tenant] ?? []
        let store = self.store
        appendWorker.submit { try store.append(tenant: tenant, streams) }
    }

    /// Waits for the append in flight, if any. Success: its files' offsets advance (they reach the positions
    /// file with the next intent, or at the end of the round). Failure: everything read since the last durable
    /// append is read again after a pause; returns false.
    private func settle(_ candidates: [TailedFile]) throws -> Bool {
        guard let batch = inFlight else { return true }
        inFlight = nil
        switch appendWorker.wait() {
        case .success?, nil:
            break
        case .failure(let error)?:
            log("the store refused a batch of \(batch.entries) entries from \(batch.files.map(\.path)): \(error); retrying")
            for f in candidates { f.rewind() }
            builder.reset()
            try writePositions(intents: nil)
            control.sleep(nanos: 1_000_000_000)
            return false
        }
        if killAfterAppends > 0 {
            killAfterAppends -= 1
            if killAfterAppends == 0 { kill(getpid(), SIGKILL) }
        }
        var perSource: [Int: (Int, Int)] = [:]
        for f in batch.files {
            guard let s = f.sealed else { continue }
            let e = perSource[f.source.index] ?? (0, 0)
            perSource[f.source.index] = (e.0 + s.entries, e.1 + (s.end - f.committed))
            f.commitSealed()
        }
        for (i, c) in perSource { sources[i].counters.add(entries: c.0, bytes: c.1) }
        // The new offsets reach the positions file with the next batch's intent (one atomic write and fsync
        // per batch instead of two), or at the end of the round when nothing more was read. Until then the
        // intent just resolved stands in for them: a restart finds this batch in the store and moves past it.
        positionsDirty = true
        return true
    }

    // MARK: Positions

    private func writePositions(intents: (Int64, [Positions.Intent])?) throws {
        var p = Positions()
        for f in files where f.copyOf == nil && f.fingerprint.length > 0 {
            p.files.append(Positions.Entry(device: f.device, inode: f.inode, offset: f.committed,
                                           fingerprint: f.fingerprint, carryTimestamp: f.committedCarry, path: f.path))
        }
        p.files += restored
        if let (t, list) = intents {
            p.batchTime = t
            p.intents = list
        }
        try p.write(path: config.positionsFile)
        positionsDirty = false
    }

    // MARK: Time

    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

}

/// A value behind a mutex.
final class LockedValue<T>: @unchecked Sendable {
    private let lock = NSLockLite()
    private var value: T
    init(_ v: T) { value = v }
    func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}

/// A file's device and inode.
struct FileKey: Hashable {
    var device: UInt64
    var inode: UInt64
}

/// Creates the folder of a file if it is missing.
func makeParentDirectory(_ path: String) throws {
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
        try Storage.FS.makeDirectories(String(path[..<slash]))
    }
}

/// The stop request and an interruptible sleep.
final class StopSignal: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var requested = false
    private var finished = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    var isRequested: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return requested
    }

    func request() {
        pthread_mutex_lock(&mutex)
        requested = true
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Sleeps up to `nanos`, or until a stop is requested.
    func sleep(nanos: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let total = Int64(ts.tv_nsec) + nanos
        ts.tv_sec += Int(total / 1_000_000_000)
        ts.tv_nsec = Int(total % 1_000_000_000)
        pthread_mutex_lock(&mutex)
        if !requested { pthread_cond_timedwait(&cond, &mutex, &ts) }
        pthread_mutex_unlock(&mutex)
    }

    func markFinished() {
        pthread_mutex_lock(&mutex)
        finished = true
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    func waitFinished() {
        pthread_mutex_lock(&mutex)
        while !finished { pthread_cond_wait(&cond, &mutex) }
        pthread_mutex_unlock(&mutex)
    }
}

import Foundation
import Storage
