import Foundation

/// Counters the store keeps for `/metrics` and progress output. Thread-safe.
public final class StoreMetrics: @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var linesByTenant: [String: Int] = [:]
    public private(set) var bytesByTenant: [String: Int] = [:]
    public private(set) var fsyncCount = 0
    public private(set) var fsyncSeconds = 0.0
    public private(set) var blocksFlushed = 0
    public private(set) var blocksCompacted = 0
    public private(set) var blocksDeleted = 0

    func recordAppend(tenant: String, lines: Int, bytes: Int) {
        lock.lock()
        linesByTenant[tenant, default: 0] += lines
        bytesByTenant[tenant, default: 0] += bytes
        lock.unlock()
    }

    func observeFsync(_ seconds: Double) {
        lock.lock()
        fsyncCount += 1
        fsyncSeconds += seconds
        lock.unlock()
    }

    func recordFlush(blocks: Int) {
        lock.lock()
        blocksFlushed += blocks
        lock.unlock()
    }

    func recordCompaction(merged: Int, deleted: Int) {
        lock.lock()
        blocksCompacted += merged
        blocksDeleted += deleted
        lock.unlock()
    }
}
