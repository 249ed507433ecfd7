/// Structured metadata of a batch's entries, stored column-wise: pair names interned in a small per-batch table,
/// values as byte ranges of one arena. Appending a pair copies its value bytes once and allocates nothing per
/// entry (an array of `Label`s per entry cost two `String`s per pair and was half of ingest's CPU time).
///
/// Entry i's pairs are `pairRange(i)`; pair p has name `names[pairNames[p]]` and value bytes `valueRange(p)` of
/// `values`. WAL records and pages encode these columns as they are (`WALRecord+Format.md`, `Block+Format.md`).
public struct EntryMetadata: Sendable, Equatable {
    /// Interned pair names, in first-use order.
    public private(set) var names: [String] = []
    /// UTF-8 length of each name (limit checks and encoders need it per pair).
    private(set) var nameSizes: [Int] = []
    /// Name → index, kept only once a batch has more names than a linear search handles well.
    private var nameIndex: [String: UInt32] = [:]
    /// Entry i's pairs end (exclusive) at `entryEnds[i]` in `pairNames` / `valueEnds`.
    public private(set) var entryEnds: [Int] = []
    /// Index into `names` of each pair.
    public private(set) var pairNames: [UInt32] = []
    /// End (exclusive) of each pair's value in `values`.
    public private(set) var valueEnds: [Int] = []
    /// Every value's bytes, concatenated.
    public private(set) var values: [UInt8] = []

    static let linearNames = 16

    public init() {}

    /// `entries` entries without pairs.
    init(emptyEntries entries: Int) { entryEnds = Array(repeating: 0, count: entries) }

    public static func == (a: EntryMetadata, b: EntryMetadata) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { a.labels($0) == b.labels($0) }
    }

    /// Number of entries.
    public var count: Int { entryEnds.count }
    /// Number of pairs over all entries.
    public var pairCount: Int { pairNames.count }

    @inline(__always) public func pairRange(_ entry: Int) -> Range<Int> {
        (entry == 0 ? 0 : entryEnds[entry - 1])..<entryEnds[entry]
    }

    @inline(__always) public func valueRange(_ pair: Int) -> Range<Int> {
        (pair == 0 ? 0 : valueEnds[pair - 1])..<valueEnds[pair]
    }

    /// Calls `body` with the bytes of pair `pair`'s value.
    @inline(__always)
    public func withValue<T>(_ pair: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let r = valueRange(pair)
        return try values.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }

    /// Entry i's pairs as labels (built on demand, for readers that want `String`s).
    public func labels(_ entry: Int) -> [Label] {
        let r = pairRange(entry)
        guard !r.isEmpty else { return [] }
        return values.withUnsafeBytes { v in
            r.map { p in Label(names[Int(pairNames[p])], String(decoding: UnsafeRawBufferPointer(rebasing: v[valueRange(p)]), as: UTF8.self)) }
        }
    }

    /// Name and value bytes of entry i's pairs (the store's max_structured_metadata_size counts both).
    public func byteSize(_ entry: Int) -> Int {
        var n = 0
        for p in pairRange(entry) { n += nameSizes[Int(pairNames[p])] + valueRange(p).count }
        return n
    }

    /// The index of `name`, interned on first use.
    public mutating func nameID(_ name: String) -> UInt32 {
        if names.count <= EntryMetadata.linearNames {
            // Lengths first: comparing two different small strings is a call per name (seen in ingest profiles),
            // comparing equal ones only a check of their bits.
            let size = name.utf8.count
            for i in names.indices where nameSizes[i] == size && names[i] == name { return UInt32(i) }
        } else if let i = nameIndex[name] {
            return i
        }
        names.append(name)
        nameSizes.append(name.utf8.count)
        let id = UInt32(names.count - 1)
        if names.count > EntryMetadata.linearNames {
            if nameIndex.isEmpty { for (i, n) in names.enumerated() { nameIndex[n] = UInt32(i) } }
            nameIndex[name] = id
        }
        return id
    }

    /// Starts an entry without pairs; `addPair` adds to the last entry.
    @inline(__always) public mutating func beginEntry() { entryEnds.append(pairNames.count) }

    /// Adds a pair to the last entry.
    @inline(__always) public mutating func addPair(nameID: UInt32, value: UnsafeRawBufferPointer) {
        pairNames.append(nameID)
        values.append(contentsOf: value)
        valueEnds.append(values.count)
        entryEnds[entryEnds.count - 1] = pairNames.count
    }

    /// Adds an entry with `pairs`.
    public mutating func appendEntry(_ pairs: [Label]) {
        beginEntry()
        for l in pairs {
            let id = nameID(l.name)
            var v = l.value
            v.withUTF8 { addPair(nameID: id, value: UnsafeRawBufferPointer($0)) }
        }
    }

    /// Adds `n` entries without pairs.
    public mutating func appendEmptyEntries(_ n: Int) {
        entryEnds.append(contentsOf: repeatElement(pairNames.count, count: n))
    }

    /// Adds the pairs of `other`'s entry `entry` to the last entry (names looked up one by one: no allocation).
    public mutating func addPairs(from other: EntryMetadata, entry: Int) {
        let pairs = other.pairRange(entry)
        guard !pairs.isEmpty else { return }
        other.values.withUnsafeBytes { v in
            for p in pairs {
                let id = nameID(other.names[Int(other.pairNames[p])])
                addPair(nameID: id, value: UnsafeRawBufferPointer(rebasing: v[other.valueRange(p)]))
            }
        }
    }

    /// Appends entries `run` of `other`: bulk copies of the value bytes, names mapped onto this table.
    public mutating func append(from other: EntryMetadata, _ run: Range<Int>) {
        guard !run.isEmpty else { return }
        if run.count == 1 {
            beginEntry()
            addPairs(from: other, entry: run.lowerBound)
            return
        }
        let pairs = (run.lowerBound == 0 ? 0 : other.entryEnds[run.lowerBound - 1])..<other.entryEnds[run.upperBound - 1]
        let pairShift = pairNames.count - pairs.lowerBound
        entryEnds.append(contentsOf: other.entryEnds[run].lazy.map { $0 + pairShift })
        guard !pairs.isEmpty else { return }
        let map = other.names.map { nameID($0) }
        let identity = map.enumerated().allSatisfy { UInt32($0.offset) == $0.element }
        if identity {
            pairNames.append(contentsOf: other.pairNames[pairs])
        } else {
            pairNames.append(contentsOf: other.pairNames[pairs].lazy.map { map[Int($0)] })
        }
        let vStart = pairs.lowerBound == 0 ? 0 : other.valueEnds[pairs.lowerBound - 1]
        let vEnd = other.valueEnds[pairs.upperBound - 1]
        let valueShift = values.count - vStart
        values.append(contentsOf: other.values[vStart..<vEnd])
        valueEnds.append(contentsOf: other.valueEnds[pairs].lazy.map { $0 + valueShift })
    }

    /// Appends every entry of `other`.
    public mutating func append(contentsOf other: EntryMetadata) { append(from: other, 0..<other.count) }

    public mutating func reserve(entries: Int, pairs: Int, valueBytes: Int) {
        entryEnds.reserveCapacity(entries)
        pairNames.reserveCapacity(pairs)
        valueEnds.reserveCapacity(pairs)
        values.reserveCapacity(valueBytes)
    }

    /// Empties the columns, keeping the name table (ids stay valid) and the capacity.
    public mutating func removeAll() {
        entryEnds.removeAll(keepingCapacity: true)
        pairNames.removeAll(keepingCapacity: true)
        valueEnds.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// Rebuilds from decoded columns (WAL records, pages), validating that every index and offset is in range.
    init(names: [String], pairCounts: [Int], pairNames: [UInt32], valueLengths: [Int], values: [UInt8]) throws {
        for n in names { _ = nameID(n) }
        guard names.count == self.names.count else { throw DecodeError("duplicate structured-metadata name") }
        var end = 0
        entryEnds.reserveCapacity(pairCounts.count)
        for c in pairCounts {
            end += c
            entryEnds.append(end)
        }
        guard end == pairNames.count, pairNames.count == valueLengths.count else {
            throw DecodeError("structured-metadata pair counts do not add up")
        }
        guard pairNames.allSatisfy({ Int($0) < names.count }) else {
            throw DecodeError("structured-metadata name index out of range")
        }
        self.pairNames = pairNames
        var v = 0
        valueEnds.reserveCapacity(valueLengths.count)
        for l in valueLengths {
            v += l
            valueEnds.append(v)
        }
        guard v == values.count else { throw DecodeError("structured-metadata value bytes do not add up") }
        self.values = values
    }
}

import Storage
