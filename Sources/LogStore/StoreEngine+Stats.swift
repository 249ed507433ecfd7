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

/// What the store holds for one stream in a time range: for Loki's `/series`, `/index/stats` and `/index/volume`.
/// Counts come from page metadata (a page overlapping the range counts whole), as Loki's come from chunk refs.
public struct StreamSummary: Sendable {
    public var labels: LabelSet
    public var pages = 0
    public var entries = 0
    public var bytes = 0
    public var minTime = Int64.max
    public var maxTime = Int64.min
}

extension StoreEngine {
    /// The tenant's streams that match all matchers and have data in `[from, to)`, sorted by labels.
    func streams(tenant: String, matchers: [LabelMatcher], from: Int64, to: Int64) -> [StreamSummary] {
        cond.lock()
        let blockList = blocks[tenant] ?? []
        var headPages = frozen.flatMap { $0.head.snapshot(tenant: tenant, matchers: matchers) }
        headPages += head.snapshot(tenant: tenant, matchers: matchers)
        cond.unlock()
        let through = to == Int64.min ? Int64.min : to - 1
        var out: [LabelSet: StreamSummary] = [:]
        func add(_ labels: LabelSet, count: Int, bytes: Int, minTime: Int64, maxTime: Int64) {
            var s = out[labels] ?? StreamSummary(labels: labels)
            s.pages += 1
            s.entries += count
            s.bytes += bytes
            s.minTime = min(s.minTime, minTime)
            s.maxTime = max(s.maxTime, maxTime)
            out[labels] = s
        }
        for b in blockList where b.meta.maxTime >= from && b.meta.minTime <= through {
            for si in b.matchingStreams(matchers) {
                let s = b.streams[si]
                for p in s.pages where p.overlaps(from: from, through: through) {
                    add(s.labels, count: p.count, bytes: p.rawSize, minTime: p.minTime, maxTime: p.maxTime)
                }
            }
        }
        for (labels, pages) in headPages {
            for p in pages where !p.batch.isEmpty && p.maxTime >= from && p.minTime <= through {
                add(labels, count: p.batch.count, bytes: p.batch.rawBytes, minTime: p.minTime, maxTime: p.maxTime)
            }
        }
        return out.values.sorted { $0.labels < $1.labels }
    }
}
