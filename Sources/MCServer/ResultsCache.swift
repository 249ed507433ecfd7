import Foundation
import LogQL
import LogStore

/// Metric range query results by time split (the query frontend's results cache, as Loki's), bounded by bytes
/// with the least recently used splits evicted first, and the log of writes that keeps it from ever answering
/// with stale data.
///
/// Unlike Loki's, this cache sees every write: the store tells it of each durable batch (`recordWrite`), and every
/// cached split whose entries (`dataRange`, its windows' reach including lookback and offset) overlap the batch's
/// timestamps is dropped, out-of-order and old timestamps included. A split computed while such a write landed
/// is not stored (`put` checks the write log since the computation began), and blocks deleted by retention
/// empty the whole cache. One lock covers the entries and the log, so no write can slip between the check and
/// the insert.
final class ResultsCache: @unchecked Sendable {
    /// A split's identity: everything the values at its evaluation times depend on.
    struct Key: Hashable, Sendable {
        var tenant: String
        /// The query as the parser prints it back (normalized spacing and quoting).
        var query: String
        var step: Int64
        /// `start mod step`: which grid of evaluation times the split holds.
        var phase: Int64
        /// The split's index: its times lie in `[split·interval, (split+1)·interval)`.
        var split: Int64
        var interval: Int64
    }

    private final class Node {
        let key: Key
        let series: [Series]
        let bytes: Int
        let dataRange: ClosedRange<Int64>
        /// Toward the most (`newer`) and least (`older`) recently used.
        var newer: Node?
        var older: Node?

        init(key: Key, series: [Series], bytes: Int, dataRange: ClosedRange<Int64>) {
            self.key = key
            self.series = series
            self.bytes = bytes
            self.dataRange = dataRange
        }
    }

    /// The counters `/metrics` shows.
    struct Counters: Sendable, Equatable {
        var entries = 0, bytes = 0, hits = 0, misses = 0, stored = 0, evicted = 0, invalidated = 0
    }

    let maxBytes: Int
    private let lock = NSLock()
    private var nodes: [Key: Node] = [:]
    private var newest: Node?
    private var oldest: Node?
    private var counters = Counters()
    /// Per tenant, the latest entry timestamp any split stored so far reads: writes after it touch no split.
    private var reach: [String: Int64] = [:]

    /// Writes in order: a sequence number, the tenant (nil: every tenant) and the timestamps written.
    private var writes: [(seq: UInt64, tenant: String?, range: ClosedRange<Int64>)] = []
    private var lastSequence: UInt64 = 0
    /// Writes up to this sequence number are no longer in `writes`.
    private var forgottenThrough: UInt64 = 0
    private var blocksDeleted: Int?
    /// Writes remembered for computations in flight; one that began before the oldest is treated as overlapped.
    static let writeLogCapacity = 4096

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// The sequence number of the latest write; a computation notes it before it reads.
    var sequence: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return lastSequence
    }

    /// Takes note of a durable write of `tenant` with entry timestamps in `range`: drops the splits that read
    /// any of them and logs it for computations in flight.
    func recordWrite(tenant: String?, range: ClosedRange<Int64>) {
        lock.lock()
        defer { lock.unlock() }
        logLocked(tenant: tenant, range: range)
        if let tenant, range.lowerBound > reach[tenant] ?? .min { return }
        var n = newest
        while let node = n {
            n = node.older
            if tenant == nil || node.key.tenant == tenant, node.dataRange.overlaps(range) {
                removeLocked(node)
                counters.invalidated += 1
            }
        }
    }

    /// Empties the cache when the store has deleted blocks (retention) since the last call: their entries are
    /// gone from every answer.
    func noteBlocksDeleted(_ count: Int) {
        lock.lock()
        let changed = blocksDeleted != nil && blocksDeleted != count
        blocksDeleted = count
        lock.unlock()
        if changed { recordWrite(tenant: nil, range: Int64.min...Int64.max) }
    }

    /// Whether a write of `tenant` touching `range` became durable after write `since`.
    func changed(tenant: String, since: UInt64, range: ClosedRange<Int64>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return changedLocked(tenant: tenant, since: since, range: range)
    }

    /// A split's series, or nil; a hit makes it the most recently used.
    func get(_ key: Key) -> [Series]? {
        lock.lock()
        defer { lock.unlock() }
        guard let node = nodes[key] else {
            counters.misses += 1
            return nil
        }
        counters.hits += 1
        unlinkLocked(node)
        linkNewestLocked(node)
        return node.series
    }

    /// Stores a split computed from the store as of write `computedSince`, unless a write since then touched
    /// `dataRange` or the split alone exceeds the cache. Evicts least recently used splits to make room.
    /// Returns the bytes stored, nil when it was not.
    @discardableResult
    func put(_ key: Key, _ series: [Series], dataRange: ClosedRange<Int64>, computedSince: UInt64) -> Int? {
        let size = Self.size(key, series)
        lock.lock()
        defer { lock.unlock() }
        guard size <= maxBytes, !changedLocked(tenant: key.tenant, since: computedSince, range: dataRange) else {
            return nil
        }
        if let old = nodes[key] { removeLocked(old) }
        while counters.bytes + size > maxBytes, let victim = oldest {
            removeLocked(victim)
            counters.evicted += 1
        }
        let node = Node(key: key, series: series, bytes: size, dataRange: dataRange)
        nodes[key] = node
        linkNewestLocked(node)
        counters.bytes += size
        counters.entries += 1
        counters.stored += 1
        reach[key.tenant] = max(reach[key.tenant] ?? .min, dataRange.upperBound)
        return size
    }

    /// The keys held and the entry timestamps each split reads (for tests and debugging).
    func contents() -> [(key: Key, dataRange: ClosedRange<Int64>)] {
        lock.lock()
        defer { lock.unlock() }
        return nodes.values.map { ($0.key, $0.dataRange) }
    }

    func snapshot() -> Counters {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }

    /// An estimate of the memory a split holds: its labels' bytes, 16 bytes a point, and fixed overheads.
    static func size(_ key: Key, _ series: [Series]) -> Int {
        var n = 128 + key.tenant.utf8.count + key.query.utf8.count
        for s in series {
            n += 64 + s.points.count * 16
            for l in s.labels { n += 32 + l.name.utf8.count + l.value.utf8.count }
        }
        return n
    }

    // MARK: Locked helpers

    private func logLocked(tenant: String?, range: ClosedRange<Int64>) {
        lastSequence += 1
        writes.append((lastSequence, tenant, range))
        if writes.count > Self.writeLogCapacity {
            let drop = writes.count / 2
            forgottenThrough = writes[drop - 1].seq
            writes.removeFirst(drop)
        }
    }

    private func changedLocked(tenant: String, since: UInt64, range: ClosedRange<Int64>) -> Bool {
        if since < forgottenThrough { return true }
        for w in writes.reversed() {
            if w.seq <= since { break }
            if (w.tenant == nil || w.tenant == tenant) && w.range.overlaps(range) { return true }
        }
        return false
    }

    private func removeLocked(_ node: Node) {
        unlinkLocked(node)
        nodes[node.key] = nil
        counters.bytes -= node.bytes
        counters.entries -= 1
    }

    private func unlinkLocked(_ node: Node) {
        if let n = node.newer { n.older = node.older } else { newest = node.older }
        if let o = node.older { o.newer = node.newer } else { oldest = node.newer }
        node.newer = nil
        node.older = nil
    }

    private func linkNewestLocked(_ node: Node) {
        node.older = newest
        newest?.newer = node
        newest = node
        if oldest == nil { oldest = node }
    }
}
