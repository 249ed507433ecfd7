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
    /// Structured metadata per entry, column-wise; nil while no entry has any.
    public var metadata: EntryMetadata? {
        get { hasMetadata ? columns : nil }
        set {
            columns = newValue ?? EntryMetadata()
            hasMetadata = newValue != nil
        }
    }
    /// The storage of `metadata`, valid while `hasMetadata`. Not optional so that the per-pair hot path mutates
    /// it in place (through an optional, every test or mutation copied the struct: seven retains and releases).
    var columns = EntryMetadata()
    var hasMetadata = false

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
        append(timestamp: timestamp, line: line)
        if md.isEmpty { return }
        if !hasMetadata { startMetadata() }
        for l in md {
            let id = columns.nameID(l.name)
            var v = l.value
            v.withUTF8 { columns.addPair(nameID: id, value: UnsafeRawBufferPointer($0)) }
        }
    }

    /// Reserves room for structured metadata (`reserveMetadata`) while there is none yet: the columns stay empty,
    /// so `metadata` stays nil until a pair is added.
    public mutating func reserveMetadata(entries: Int, pairs: Int, valueBytes: Int) {
        guard !hasMetadata else { return }
        columns.reserve(entries: entries, pairs: pairs, valueBytes: valueBytes)
    }

    /// Gives every entry so far an empty metadata entry (in the columns' reserved room, if any).
    private mutating func startMetadata() {
        if columns.count == 0 && columns.names.isEmpty {
            columns.appendEmptyEntries(timestamps.count)
        } else {
            columns = EntryMetadata(emptyEntries: timestamps.count)
        }
        hasMetadata = true
    }

    /// Appends an entry; its structured-metadata pairs, if any, follow with `appendMetadata`.
    @inline(__always)
    public mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer) {
        timestamps.append(timestamp)
        text.append(contentsOf: line)
        lineEnds.append(text.count)
        if hasMetadata { columns.beginEntry() }
    }

    /// Appends an entry with the structured metadata of entry `i` of `md` (a decoded page's, for a reader).
    mutating func append(timestamp: Int64, line: UnsafeRawBufferPointer, metadataOf md: EntryMetadata?, _ i: Int) {
        append(timestamp: timestamp, line: line)
        guard let md, !md.pairRange(i).isEmpty else { return }
        if !hasMetadata { startMetadata() }
        columns.addPairs(from: md, entry: i)
    }

    /// The id of a structured-metadata name in this batch (interned on first use), for `appendMetadata`.
    public mutating func metadataNameID(_ name: String) -> UInt32 {
        if !hasMetadata { startMetadata() }
        return columns.nameID(name)
    }

    /// Adds a structured-metadata pair to the last entry; the value's bytes are copied, nothing else allocated.
    @inline(__always)
    public mutating func appendMetadata(nameID: UInt32, value: UnsafeRawBufferPointer) {
        columns.addPair(nameID: nameID, value: value)
    }

    /// Adds a structured-metadata pair to the last entry.
    public mutating func appendMetadata(name: String, value: UnsafeRawBufferPointer) {
        let id = metadataNameID(name)
        columns.addPair(nameID: id, value: value)
    }

    public mutating func append(timestamp: Int64, line: String, metadata md: [Label] = []) {
        var l = line
        l.withUTF8 { append(timestamp: timestamp, line: UnsafeRawBufferPointer($0), metadata: md) }
    }

    public func lineRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : lineEnds[i - 1])..<lineEnds[i] }

    public func line(_ i: Int) -> ArraySlice<UInt8> { text[lineRange(i)] }

    public func lineString(_ i: Int) -> String { String(decoding: line(i), as: UTF8.self) }

    /// Entry i's structured metadata as labels (built on demand).
    public func metadata(_ i: Int) -> [Label] { hasMetadata ? columns.labels(i) : [] }

    /// Appends entry `i` of `other`.
    public mutating func append(from other: EntryBatch, _ i: Int) { appendRun(from: other, i..<(i + 1)) }

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
    public mutating func appendRun(from other: EntryBatch, _ run: Range<Int>) {
        guard !run.isEmpty else { return }
        let start = run.lowerBound == 0 ? 0 : other.lineEnds[run.lowerBound - 1]
        let end = other.lineEnds[run.upperBound - 1]
        let shift = text.count - start
        timestamps.append(contentsOf: other.timestamps[run])
        text.append(contentsOf: other.text[start..<end])
        lineEnds.append(contentsOf: other.lineEnds[run].lazy.map { $0 + shift })
        appendMetadata(of: other, run)
    }

    /// Appends the metadata of entries `run` of `other`, which were just appended.
    private mutating func appendMetadata(of other: EntryBatch, _ run: Range<Int>) {
        if other.hasMetadata {
            if !hasMetadata {
                columns = EntryMetadata(emptyEntries: count - run.count)
                hasMetadata = true
            }
            columns.append(from: other.columns, run)
        } else if hasMetadata {
            columns.appendEmptyEntries(run.count)
        }
    }

    /// Appends every entry of `other` (one bulk copy of its text).
    public mutating func append(contentsOf other: EntryBatch) {
        if isEmpty && !hasMetadata {
            self = other
            return
        }
        let base = text.count
        timestamps.append(contentsOf: other.timestamps)
        text.append(contentsOf: other.text)
        lineEnds.append(contentsOf: other.lineEnds.lazy.map { $0 + base })
        appendMetadata(of: other, 0..<other.count)
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
        if hasMetadata {
            out.columns.reserve(entries: count, pairs: columns.pairCount, valueBytes: columns.values.count)
            out.hasMetadata = true
        }
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
