import Foundation

/// Decoded search indexes of blocks, least recently used dropped first past a memory budget; and the index of
/// each head, rebuilt only when the head changed since the last search.
final class SearchTableCache: @unchecked Sendable {
    private let lock = NSLock()
    private let budget: Int
    private var tables: [String: (table: SpanTable, used: UInt64)] = [:]
    private var bytes = 0
    private var clock: UInt64 = 0
    private var heads: [String: (serial: UInt64, generation: Int, table: SpanTable)] = [:]

    init(budget: Int) { self.budget = budget }

    func table(for block: TraceBlock) throws -> SpanTable {
        lock.lock()
        clock += 1
        if let hit = tables[block.path] {
            tables[block.path] = (hit.table, clock)
            lock.unlock()
            return hit.table
        }
        lock.unlock()
        let t = try block.loadSearchTable()
        lock.lock()
        defer { lock.unlock() }
        tables[block.path] = (t, clock)
        bytes += t.memoryBytes
        while bytes > budget, tables.count > 1,
            let oldest = tables.filter({ $0.key != block.path }).min(by: { $0.value.used < $1.value.used })
        {
            bytes -= oldest.value.table.memoryBytes
            tables.removeValue(forKey: oldest.key)
        }
        return t
    }

    /// Drops the index of a block that was deleted (compaction, retention).
    func forget(_ block: TraceBlock) {
        lock.lock()
        defer { lock.unlock() }
        if let t = tables.removeValue(forKey: block.path) { bytes -= t.table.memoryBytes }
    }

    /// The index of `tenant`'s traces in `head`, or nil when it has none. Indexes of heads not in `live` (flushed
    /// since) are dropped.
    func headTable(_ head: TraceHead, tenant: String, live: Set<UInt64>) throws -> SpanTable? {
        let key = "\(head.serial)/\(tenant)"
        lock.lock()
        if let h = heads[key], h.generation == head.generation {
            lock.unlock()
            return h.table
        }
        lock.unlock()
        // Heads change under the store's lock; read them the same way.
        guard let (generation, traces) = head.readTraces(tenant: tenant) else { return nil }
        let t = try SpanTable.build(chunks: traces)
        lock.lock()
        heads = heads.filter { live.contains($0.value.serial) }
        heads[key] = (head.serial, generation, t)
        lock.unlock()
        return t
    }
}
