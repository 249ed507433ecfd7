/// A sealed run of head entries: time-sorted, exact duplicates removed, immutable (shared with readers).
final class HeadPage: Sendable {
    let batch: EntryBatch
    let minTime: Int64
    let maxTime: Int64

    init(sorting batch: EntryBatch) {
        let b = batch.sortedDeduplicated()
        self.batch = b
        minTime = b.timestamps.first ?? 0
        maxTime = b.timestamps.last ?? 0
    }
}

/// One stream's unflushed entries: sealed pages plus the open page still being appended to.
final class HeadStream {
    let labels: LabelSet
    var sealed: [HeadPage] = []
    var open = EntryBatch()

    init(labels: LabelSet) { self.labels = labels }

    /// Sealed pages plus a sealed copy of the open page.
    func pages() -> [HeadPage] { open.isEmpty ? sealed : sealed + [HeadPage(sorting: open)] }

    func seal() {
        if !open.isEmpty {
            sealed.append(HeadPage(sorting: open))
            open = EntryBatch()
        }
    }
}

/// The in-memory part of the store: per tenant, per stream. Not thread-safe; `StoreEngine` guards it.
final class Head {
    var tenants: [String: [LabelSet: HeadStream]] = [:]
    var rawBytes = 0
    /// Monotonic seconds when the first entry since the last cut arrived.
    var firstArrival: Double?

    var isEmpty: Bool { rawBytes == 0 && tenants.values.allSatisfy { $0.isEmpty } }

    /// Streams in `streams` that the tenant does not have yet.
    func newStreamCount(tenant: String, _ streams: [(LabelSet, EntryBatch)]) -> Int {
        let existing = tenants[tenant]
        return Set(streams.map(\.0)).filter { existing?[$0] == nil }.count
    }

    func apply(tenant: String, _ streams: [(LabelSet, EntryBatch)], pageSize: Int, now: Double) {
        var t = tenants[tenant] ?? [:]
        for (labels, batch) in streams where !batch.isEmpty {
            let s: HeadStream
            if let e = t[labels] {
                s = e
            } else {
                s = HeadStream(labels: labels)
                t[labels] = s
            }
            if batch.rawBytes >= pageSize / 2 {
                // A batch of half a page or more (the tailer's multi-MiB appends) is a head page as it is:
                // appending it to the open page would copy it and regrow the open page's buffers. Blocks cut
                // their pages from the merged head pages of a stream, so the stored pages are the same.
                s.seal()
                s.sealed.append(HeadPage(sorting: batch))
            } else {
                s.open.append(contentsOf: batch)
                if s.open.rawBytes >= pageSize { s.seal() }
            }
            rawBytes += batch.rawBytes
        }
        tenants[tenant] = t
        if firstArrival == nil { firstArrival = now }
    }

    /// Matching streams of a tenant with their pages, for a query.
    func snapshot(tenant: String, matchers: [LabelMatcher]) -> [(LabelSet, [HeadPage])] {
        guard let t = tenants[tenant] else { return [] }
        return t.values.filter { s in matchers.allSatisfy { $0.matches(s.labels) } }.map { ($0.labels, $0.pages()) }
    }
}

/// A head taken out of service at a cut, waiting to be written as blocks.
final class FrozenHead: @unchecked Sendable {
    let head: Head
    /// The WAL segment opened at the cut: every record of this head is in an older segment.
    let walCut: UInt64

    init(head: Head, walCut: UInt64) {
        self.head = head
        self.walCut = walCut
        for t in head.tenants.values { for s in t.values { s.seal() } }
    }
}
