#if canImport(Glibc)
import Glibc
#endif

/// Columnar entries of one stream: timestamps, line bytes in one arena, optional structured metadata.
/// The unit of append, WAL records and head pages; appending a line copies its bytes once into the arena.
public struct EntryBatch: Sendable {
    public var timestamps: [Int64] = []
    /// End offset of each line in `text`; line i spans `lineEnds[i-1]..<lineEnds[i]`.
    public var lineEnds: [Int] = []
    public var text: [UInt8] = []
    /// Structured metadata per entry; nil while no entry has any.
    public var metadata: [[Label]]?

    public init() {}

    public var count: Int { timestamps.count }
    public var isEmpty: Bool { timestamps.isEmpty }
    public var rawBytes: Int { text.count }

    public mutating func reserve(entries: Int, bytes: Int) {
        timestamps.reserveCapacity(entries)
        lineEnds.reserveCapacity(entries)
        text.reserveCapacity(bytes)
    }

    public mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadata md: [Label] = []) {
        timestamps.append(timestamp)
        text.append(contentsOf: line)
        lineEnds.append(text.count)
        if !md.isEmpty && metadata == nil {
            metadata = Array(repeating: [], count: timestamps.count - 1)
        }
        metadata?.append(md)
    }

    public mutating func append(timestamp: Int64, line: String, metadata md: [Label] = []) {
        var l = line
        l.withUTF8 { append(timestamp: timestamp, line: UnsafeRawBufferPointer($0), metadata: md) }
    }

    public func lineRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : lineEnds[i - 1])..<lineEnds[i] }

    public func line(_ i: Int) -> ArraySlice<UInt8> { text[lineRange(i)] }

    public func lineString(_ i: Int) -> String { String(decoding: line(i), as: UTF8.self) }

    public func metadata(_ i: Int) -> [Label] { metadata?[i] ?? [] }

    /// Appends entry `i` of `other`.
    public mutating func append(from other: EntryBatch, _ i: Int) {
        other.text.withUnsafeBytes { t in
            let r = other.lineRange(i)
            append(timestamp: other.timestamps[i], line: UnsafeRawBufferPointer(rebasing: t[r]),
                   metadata: other.metadata(i))
        }
    }

    public var minTime: Int64 { timestamps.min() ?? 0 }
    public var maxTime: Int64 { timestamps.max() ?? 0 }

    /// Whether timestamps never decrease.
    public var isSorted: Bool {
        var prev = Int64.min
        for t in timestamps {
            if t < prev { return false }
            prev = t
        }
        return true
    }

    /// Appends entries `run` of `other` with one copy of their text.
    mutating func appendRun(from other: EntryBatch, _ run: Range<Int>) {
        let start = run.lowerBound == 0 ? 0 : other.lineEnds[run.lowerBound - 1]
        let end = other.lineEnds[run.upperBound - 1]
        let shift = text.count - start
        timestamps.append(contentsOf: other.timestamps[run])
        text.append(contentsOf: other.text[start..<end])
        lineEnds.append(contentsOf: other.lineEnds[run].lazy.map { $0 + shift })
        if metadata != nil { metadata! += other.metadata?[run] ?? ArraySlice(repeating: [], count: run.count) }
    }

    /// Appends every entry of `other` (one bulk copy of its text).
    public mutating func append(contentsOf other: EntryBatch) {
        if isEmpty && metadata == nil {
            self = other
            return
        }
        let base = text.count
        timestamps.append(contentsOf: other.timestamps)
        text.append(contentsOf: other.text)
        lineEnds.append(contentsOf: other.lineEnds.lazy.map { $0 + base })
        if other.metadata != nil || metadata != nil {
            if metadata == nil { metadata = Array(repeating: [], count: count - other.count) }
            metadata! += other.metadata ?? Array(repeating: [], count: other.count)
        }
    }

    /// Positions (in `order`) of entries that repeat an earlier entry with the same timestamp and line.
    /// `order` must list entries by timestamp. Lines are compared only when timestamp and length agree.
    private func duplicatePositions(_ order: [Int]) -> [Int] {
        var dups: [Int] = []
        var isDup: [Bool] = []
        text.withUnsafeBytes { t in
            var start = 0
            while start < order.count {
                var end = start + 1
                let ts = timestamps[order[start]]
                while end < order.count && timestamps[order[end]] == ts { end += 1 }
                if end - start > 1 {
                    if isDup.isEmpty { isDup = Array(repeating: false, count: order.count) }
                    for p in (start + 1)..<end {
                        let r = lineRange(order[p])
                        // Compare against kept entries only; a repeat of a repeat is caught by its first.
                        for q in start..<p where !isDup[q] && lineRange(order[q]).count == r.count {
                            let rq = lineRange(order[q])
                            if r.isEmpty || memcmp(t.baseAddress! + r.lowerBound, t.baseAddress! + rq.lowerBound, r.count) == 0 {
                                isDup[p] = true
                                dups.append(p)
                                break
                            }
                        }
                    }
                }
                start = end
            }
        }
        return dups
    }

    /// This batch in time order with exact duplicates (same timestamp and line) removed, as Loki stores them.
    /// Entries with equal timestamps keep their arrival order. Returns `self` unchanged when already clean.
    public func sortedDeduplicated() -> EntryBatch {
        let sorted = isSorted
        let order: [Int] = sorted ? Array(0..<count) : (0..<count).sorted { a, b in
            timestamps[a] != timestamps[b] ? timestamps[a] < timestamps[b] : a < b
        }
        let dups = duplicatePositions(order)
        if sorted && dups.isEmpty { return self }
        var out = EntryBatch()
        out.reserve(entries: count - dups.count, bytes: text.count)
        if metadata != nil { out.metadata = [] }
        // Copy runs of consecutive entries in one go: nearly sorted input has long runs.
        var d = 0
        var p = 0
        while p < order.count {
            if d < dups.count && dups[d] == p {
                d += 1
                p += 1
                continue
            }
            var q = p + 1
            while q < order.count && order[q] == order[q - 1] + 1 && !(d < dups.count && dups[d] == q) { q += 1 }
            out.appendRun(from: self, order[p]..<(order[q - 1] + 1))
            p = q
        }
        return out
    }
}
