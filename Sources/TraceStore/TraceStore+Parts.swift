/// Traces in parts: the spans of one trace may arrive minutes apart and so sit in several blocks and heads
/// until compaction merges the blocks. The store keeps track of which traces are split, so that a search can
/// evaluate them whole (root, duration, span count, structural operators across parts) and the per-trace limits
/// count every part.
extension TraceStore {
    /// What the tenant's blocks and heads waiting for their blocks hold of trace `id` (the live head's own part is
    /// in its entry). Caller holds `cond`.
    func earlierParts(tenant: String, id: TraceID) -> TraceCounts? {
        var c = TraceCounts()
        var found = false
        for b in blocks[tenant] ?? [] {
            if let n = b.counts(of: id) {
                c.spans += n.spans
                c.bytes += n.bytes
                found = true
            }
        }
        for f in frozen {
            if let e = f.head.entry(tenant: tenant, id: id) {
                c.spans += e.spanCount
                c.bytes += e.bytes
                found = true
            }
        }
        return found ? c : nil
    }

    /// Records the traces of a new block that earlier blocks also hold. Caller holds `cond`; `block` is not yet in
    /// `blocks`.
    func noteSplitTraces(of block: TraceBlock, tenant: String) {
        let others = blocks[tenant] ?? []
        guard !others.isEmpty else { return }
        for id in block.ids where others.contains(where: { $0.position(of: id) != nil }) {
            splitIDs[tenant, default: []].insert(id)
        }
    }

    /// Every trace id that more than one of `blocks` holds: a k-way merge of their sorted ids.
    static func sharedIDs(_ blocks: [TraceBlock]) -> Set<TraceID> {
        guard blocks.count > 1 else { return [] }
        var out = Set<TraceID>()
        var heap = IDHeap()
        var next = [Int](repeating: 0, count: blocks.count)
        for (b, block) in blocks.enumerated() where !block.ids.isEmpty { heap.push(block.ids[0], b) }
        var last: TraceID? = nil
        while let top = heap.pop() {
            let (id, b) = top
            if id == last { out.insert(id) }
            last = id
            next[b] += 1
            if next[b] < blocks[b].ids.count { heap.push(blocks[b].ids[next[b]], b) }
        }
        return out
    }
}

/// A binary min-heap of (trace id, block index) for the k-way merge.
private struct IDHeap {
    private var items: [(TraceID, Int)] = []

    mutating func push(_ id: TraceID, _ b: Int) {
        items.append((id, b))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[i].0 < items[p].0 else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (TraceID, Int)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l].0 < items[m].0 { m = l }
                if r < items.count && items[r].0 < items[m].0 { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
