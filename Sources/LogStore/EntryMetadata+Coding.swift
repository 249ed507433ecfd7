import Storage

/// The column encoding of structured metadata shared by WAL records (type 2) and pages (flag 4):
///
/// ```
/// uvarint name count, then blob name per name
/// uvarint pair count      × entries
/// uvarint name index      × pairs
/// uvarint value length    × pairs
/// bytes   values, concatenated
/// ```
///
/// Like columns sit together (small integers, then the values), so zstd compresses them well, and decoding
/// fills the arrays of an `EntryMetadata` without building a `String` per value.
extension EntryMetadata {
    /// Encoded size upper bound, for sizing a buffer once.
    var encodedSizeBound: Int {
        names.reduce(10) { $0 + $1.utf8.count + 10 } + count * 5 + pairCount * 10 + values.count
    }

    func encode(into w: inout ByteWriter) { encode(entries: 0..<count, into: &w) }

    /// Encodes entries `run` without copying them out first. For a run of two or more entries with at least one
    /// pair the bytes are those of `append(from:_:)` into empty columns and `encode(into:)` (that copy keeps the
    /// whole name table); the page encoder relies on it.
    func encode(entries run: Range<Int>, into w: inout ByteWriter) {
        w.uvarint(UInt64(names.count))
        for n in names { w.string(n) }
        guard !run.isEmpty else { return }
        let pairs = pairRange(run.lowerBound).lowerBound..<pairRange(run.upperBound - 1).upperBound
        let valueStart = pairs.isEmpty ? 0 : valueRange(pairs.lowerBound).lowerBound
        let valueEnd = pairs.isEmpty ? valueStart : valueEnds[pairs.upperBound - 1]
        w.bytes.reserveCapacity(w.count + run.count + pairs.count * 3 + (valueEnd - valueStart))
        entryEnds.withUnsafeBufferPointer { ends in
            let first = run.lowerBound
            w.uvarints(count: run.count) { k in
                UInt64(ends[first + k] - (k == 0 ? pairs.lowerBound : ends[first + k - 1]))
            }
        }
        pairNames.withUnsafeBufferPointer { ids in
            w.uvarints(count: pairs.count) { UInt64(ids[pairs.lowerBound + $0]) }
        }
        valueEnds.withUnsafeBufferPointer { ends in
            let first = pairs.lowerBound
            w.uvarints(count: pairs.count) { k in
                UInt64(ends[first + k] - (k == 0 ? valueStart : ends[first + k - 1]))
            }
        }
        values.withUnsafeBytes { w.raw(UnsafeRawBufferPointer(rebasing: $0[valueStart..<valueEnd])) }
    }

    static func decode(_ r: inout ByteReader, entries: Int) throws -> EntryMetadata {
        let nn = try r.int()
        guard nn <= r.base.count - r.offset else { throw DecodeError("structured-metadata name count too large") }
        var names: [String] = []
        names.reserveCapacity(nn)
        for _ in 0..<nn { names.append(try r.string()) }
        var counts: [Int] = []
        counts.reserveCapacity(entries)
        var pairs = 0
        for _ in 0..<entries {
            let c = try r.int()
            counts.append(c)
            pairs += c
        }
        // Every pair takes at least two bytes below; a larger count is damage, not a reason to allocate.
        guard pairs <= r.base.count - r.offset else { throw DecodeError("structured-metadata pair count too large") }
        var ids: [UInt32] = []
        ids.reserveCapacity(pairs)
        for _ in 0..<pairs {
            let id = try r.uvarint()
            guard id < UInt64(nn) else { throw DecodeError("structured-metadata name index out of range") }
            ids.append(UInt32(id))
        }
        var lengths: [Int] = []
        lengths.reserveCapacity(pairs)
        var total = 0
        for _ in 0..<pairs {
            let l = try r.int()
            lengths.append(l)
            total += l
        }
        let values = Array(try r.slice(total))
        return try EntryMetadata(names: names, pairCounts: counts, pairNames: ids, valueLengths: lengths,
                                 values: values)
    }
}
