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

    /// A copy in time order with exact duplicates (same timestamp and line) removed, as Loki stores them.
    public func sortedDeduplicated() -> EntryBatch {
        let order: [Int]
        if isSorted {
            order = Array(0..<count)
        } else {
            order = (0..<count).sorted { a, b in
                timestamps[a] != timestamps[b] ? timestamps[a] < timestamps[b] : a < b
            }
        }
        var out = EntryBatch()
        out.reserve(entries: count, bytes: text.count)
        var groupStart = 0  // first index in `out` with the current timestamp
        for i in order {
            let t = timestamps[i]
            if out.count > 0 && out.timestamps[out.count - 1] == t {
                let l = line(i)
                var dup = false
                for j in groupStart..<out.count where out.line(j) == l {
                    dup = true
                    break
                }
                if dup { continue }
            } else {
                groupStart = out.count
            }
            out.append(from: self, i)
        }
        return out
    }
}
