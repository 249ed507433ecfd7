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
/// with the offsets committed so far and this batch's intent, append (the store fsyncs its WAL before
/// returning), then advance the offsets in memory; they reach the file with the next intent, or when a round
/// reads nothing.
/// Because the next batch is read only after the previous append returned, a slow store slows reading, and
/// memory stays at one batch plus one read buffer plus what each file holds unfinished (at most a line or an
/// entry). Rotation and restart behaviour is described in README.md ("Tailing").
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

    /// CPU time the tailer's thread has spent in finished `run` calls: reading, parsing, encoding and writing
    /// the WAL, positions (the store's background flushing and compaction run on other threads).
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

    /// Reads one batch of a tenant's files and appends it; whether anything was appended.
    private func readBatch(tenant: String, now: Int64) throws -> Bool {
        builder.reset()
        let batchTime = LineParser.nowNanos()
        let candidates = files.filter { $0.source.config.tenant == tenant && $0.copyOf == nil }
        guard !candidates.isEmpty else { return false }
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
                    if n > 0 && !f.fingerprint.matches(fd: f.fd) {
                        for c in candidates { c.rewind() }
                        builder.reset()
                        return false
                    }
                    if n == 0 || f.atEOF { break }
                }
                if f.atEOF && f.assembler.hasBuffered {
                    let idle = now - f.lastDataNanos
                    let timeout = f.assembler.hasPartialLine ? settings.partialLineTimeoutNanos
                        : f.source.config.multiline.maxWaitNanos
                    if once || idle >= timeout { try f.finish(builder: builder, batchTime: batchTime) }
                }
            } catch {
                // A file that cannot be read or an entry that cannot be stored: nothing of the batch is kept (its
                // other entries would otherwise advance past the failed one), and the round is tried again later.
                log("\(f.path): \(error); retrying")
                for c in candidates { c.rewind() }
                builder.reset()
                control.sleep(nanos: 1_000_000_000)
                return false
            }
            if builder.bytes >= settings.batchBytes { break }
        }
        guard !builder.isEmpty else { return false }
        let involved = candidates.filter { $0.emitted > $0.committed }
        let intents = involved.map {
            Positions.Intent(device: $0.device, inode: $0.inode, from: $0.committed, to: $0.emitted,
                             fingerprint: $0.fingerprint, carryTimestamp: $0.committedCarry, path: $0.path)
        }
        try writePositions(intents: (batchTime, intents))
        do {
            try store.append(tenant: tenant, builder.byTenant()[tenant] ?? [])
        } catch {
            log("the store refused a batch of \(builder.entries) entries from \(involved.map(\.path)): \(error); retrying")
            for f in candidates { f.rewind() }
            try writePositions(intents: nil)
            control.sleep(nanos: 1_000_000_000)
            return false
        }
        if killAfterAppends > 0 {
            killAfterAppends -= 1
            if killAfterAppends == 0 { kill(getpid(), SIGKILL) }
        }
        var perSource: [Int: (Int, Int)] = [:]
        for f in involved {
            let e = perSource[f.source.index] ?? (0, 0)
            perSource[f.source.index] = (e.0 + f.batchEntries, e.1 + (f.emitted - f.committed))
            f.commit()
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
