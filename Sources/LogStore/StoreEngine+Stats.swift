/// Totals over a store, for `mclog stats` and `/metrics`.
public struct StoreStats: Sendable {
    public var tenants = 0
    public var streams = 0
    public var blocks = 0
    public var pages = 0
    public var entries = 0
    public var rawBytes = 0
    public var storedBytes = 0
    public var headEntries = 0
    public var headBytes = 0
    public var walSegments = 0
    public var minTime: Int64?
    public var maxTime: Int64?

    public var compressionRatio: Double { storedBytes == 0 ? 0 : Double(rawBytes) / Double(storedBytes) }
}

extension StoreEngine {
    /// Counts streams (distinct label sets across blocks and head), blocks, entries and bytes.
    func stats() -> StoreStats {
        cond.lock()
        defer { cond.unlock() }
        var s = StoreStats()
        var streams = Set<String>()
        for (tenant, list) in blocks {
            for b in list {
                s.blocks += 1
                s.entries += b.meta.entries
                s.rawBytes += b.meta.rawBytes
                s.storedBytes += b.storedBytes
                s.pages += b.streams.reduce(0) { $0 + $1.pages.count }
                for st in b.streams { streams.insert(tenant + st.labels.description) }
                s.minTime = min(s.minTime ?? b.meta.minTime, b.meta.minTime)
                s.maxTime = max(s.maxTime ?? b.meta.maxTime, b.meta.maxTime)
            }
        }
        for h in frozen.map(\.head) + [head] {
            for (tenant, t) in h.tenants {
                for (labels, st) in t {
                    streams.insert(tenant + labels.description)
                    for p in st.pages() {
                        s.headEntries += p.batch.count
                        s.headBytes += p.batch.rawBytes
                        s.minTime = min(s.minTime ?? p.minTime, p.minTime)
                        s.maxTime = max(s.maxTime ?? p.maxTime, p.maxTime)
                    }
                }
            }
        }
        s.tenants = Set(blocks.keys).union(head.tenants.keys).count
        s.streams = streams.count
        s.walSegments = (try? WALSegments.count(directory + "/wal")) ?? 0
        return s
    }

    /// Label names, or the values of one label, over the tenant's streams that have data in `[from, to)`.
    func labelValues(tenant: String, name: String?, from: Int64, to: Int64) -> [String] {
        cond.lock()
        defer { cond.unlock() }
        var out = Set<String>()
        func add(_ labels: LabelSet) {
            if let name {
                if let v = labels[name] { out.insert(v) }
            } else {
                for l in labels.labels { out.insert(l.name) }
            }
        }
        for b in blocks[tenant] ?? [] where b.meta.maxTime >= from && b.meta.minTime < to {
            for s in b.streams { add(s.labels) }
        }
        for h in frozen.map(\.head) + [head] {
            for (labels, _) in h.tenants[tenant] ?? [:] { add(labels) }
        }
        return out.sorted()
    }
}

import Storage

enum WALSegments {
    static func count(_ dir: String) throws -> Int { try WAL.segments(in: dir).count }
}
