#if canImport(Glibc)
import Glibc
#endif

/// One entry of a `MergedStream`: which batch, which entry in it.
struct EntryRef {
    var batch: Int32
    var index: Int32
}

/// A stream's entries from several time-sorted batches, in time order with exact duplicates removed, as
/// references into the batches: merging out-of-order head pages at flush costs no copy of the lines.
struct MergedStream {
    let batches: [EntryBatch]
    private(set) var refs: [EntryRef] = []

    /// `batches` must each be sorted by timestamp.
    init(_ batches: [EntryBatch]) {
        let batches = batches.filter { !$0.isEmpty }.sorted { $0.timestamps[0] < $1.timestamps[0] }
        self.batches = batches
        refs.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        var overlapping = false
        for (b, batch) in batches.enumerated() {
            if b > 0 && batch.timestamps[0] <= batches[b - 1].timestamps[batches[b - 1].count - 1] { overlapping = true }
            for i in 0..<batch.count { refs.append(EntryRef(batch: Int32(b), index: Int32(i))) }
        }
        guard overlapping else { return }
        // Nearly sorted in practice (pages overlap at their edges): the stable merge sort runs in about linear time.
        refs.sort { batches[Int($0.batch)].timestamps[Int($0.index)] < batches[Int($1.batch)].timestamps[Int($1.index)] }
        removeDuplicates()
    }

    var count: Int { refs.count }

    @inline(__always) func timestamp(_ k: Int) -> Int64 {
        let r = refs[k]
        return batches[Int(r.batch)].timestamps[Int(r.index)]
    }

    @inline(__always) func lineSize(_ k: Int) -> Int {
        let r = refs[k]
        return batches[Int(r.batch)].lineRange(Int(r.index)).count
    }

    /// Whether any entry of `range` has structured metadata.
    func hasMetadata(_ range: Range<Int>) -> Bool {
        runs(range).contains { run in
            guard let md = batches[run.batch].metadata else { return false }
            return md.pairRange(run.entries.lowerBound).lowerBound < md.pairRange(run.entries.upperBound - 1).upperBound
        }
    }

    /// The structured metadata of entries `range`, in their order, as one column set (copied run by run).
    func metadataColumns(_ range: Range<Int>) -> EntryMetadata {
        var out = EntryMetadata()
        for run in runs(range) {
            if let md = batches[run.batch].metadata {
                out.append(from: md, run.entries)
            } else {
                out.appendEmptyEntries(run.entries.count)
            }
        }
        return out
    }

    /// Entries `range` as runs of consecutive entries of one batch (long runs unless batches interleave).
    func runs(_ range: Range<Int>) -> [(batch: Int, entries: Range<Int>)] {
        var out: [(batch: Int, entries: Range<Int>)] = []
        var k = range.lowerBound
        while k < range.upperBound {
            let first = refs[k]
            var end = k + 1
            while end < range.upperBound && refs[end].batch == first.batch
                && refs[end].index == refs[end - 1].index + 1 { end += 1 }
            out.append((Int(first.batch), Int(first.index)..<(Int(first.index) + end - k)))
            k = end
        }
        return out
    }

    /// Calls `body` with the bytes of entry `k`'s line.
    @inline(__always) func withLine<T>(_ k: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let r = refs[k]
        let b = batches[Int(r.batch)]
        return try b.text.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[b.lineRange(Int(r.index))])) }
    }

    /// Drops entries equal (timestamp and line) to an earlier one; compares bytes only when lengths agree.
    private mutating func removeDuplicates() {
        var kept: [EntryRef] = []
        kept.reserveCapacity(refs.count)
        var groupStart = 0  // first index in `kept` with the current timestamp
        for k in 0..<refs.count {
            let t = timestamp(k)
            if let last = kept.last, batches[Int(last.batch)].timestamps[Int(last.index)] == t {
                let size = lineSize(k)
                var dup = false
                for j in groupStart..<kept.count {
                    let o = kept[j]
                    let ob = batches[Int(o.batch)]
                    guard ob.lineRange(Int(o.index)).count == size else { continue }
                    dup = withLine(k) { a in
                        ob.text.withUnsafeBytes { t in
                            size == 0 || memcmp(a.baseAddress!, t.baseAddress! + ob.lineRange(Int(o.index)).lowerBound, size) == 0
                        }
                    }
                    if dup { break }
                }
                if dup { continue }
            } else {
                groupStart = kept.count
            }
            kept.append(refs[k])
        }
        refs = kept
    }

    /// Consecutive ranges of entries holding about `maxBytes` of line bytes each.
    func pageRanges(maxBytes: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0, bytes = 0
        for k in 0..<refs.count {
            let s = lineSize(k)
            if k > start && bytes + s > maxBytes {
                out.append(start..<k)
                start = k
                bytes = 0
            }
            bytes += s
        }
        if start < refs.count { out.append(start..<refs.count) }
        return out
    }
}
