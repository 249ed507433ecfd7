/// A per-page filter over the structured-metadata pairs (name and value) of its entries, so that a query with
/// `| trace_id="4bf9…"` skips pages whose entries cannot carry that pair. Exact values only: a pair is one key.
///
/// Each pair sets `hashes` bits of a 2^20-bit scratch set, derived from one 64-bit hash by double hashing; the
/// set is then folded in halves like `NGramBloom` while its fill stays ≤ `maxFill`. A pair the page lacks passes
/// with probability ≈ fill^hashes (≤ 0.25³ ≈ 1.6 %). Repeated pairs (`method="GET"`) set the same bits, so the
/// size follows the distinct pairs of the page: trace ids and client addresses, not statuses.
///
/// A page without metadata has an empty filter and passes no pair; a page from a block written before these
/// filters existed has none at all (nil in its descriptor) and is always read.
public struct MetadataBloom: Sendable, Equatable {
    static let hashes = 3
    static let scratchBits = 1 << 20
    static let minBits = 1 << 9
    static let maxFill = 0.25

    /// Bit set, `words.count * 64` bits, a power of two; empty when the page has no pairs.
    public let words: [UInt64]

    public init(words: [UInt64]) { self.words = words }

    /// Hash of a pair: the name's hash seeds the value's, so `a="bc"` and `ab="c"` differ.
    @inline(__always) static func hash(nameHash: UInt64, value: UnsafeRawBufferPointer) -> UInt64 {
        mix(bytesHash(value, seed: nameHash))
    }

    static func nameHash(_ name: String) -> UInt64 {
        var n = name
        return n.withUTF8 { bytesHash(UnsafeRawBufferPointer($0), seed: 0x6D63_6C6F_675F_6D64) }
    }

    /// Eight bytes at a time, multiply-xorshift; the length is mixed in so that trailing zero bytes count.
    @inline(__always) static func bytesHash(_ b: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(b.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        let n = b.count
        while i + 8 <= n {
            h = (h ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            for k in i..<n { tail |= UInt64(b[k]) << UInt64((k - i) * 8) }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        return h
    }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Bit positions of a pair, before masking to the set's size (so folding keeps them findable).
    @inline(__always) static func position(_ h: UInt64, _ j: Int) -> UInt64 {
        (h &+ UInt64(j) &* ((h >> 32) | 1))
    }

    /// False only if no entry of the page carries `name` = `value`.
    public func mayContain(name: String, value: String) -> Bool {
        guard !words.isEmpty else { return false }
        var v = value
        let h = v.withUTF8 { MetadataBloom.hash(nameHash: MetadataBloom.nameHash(name), value: UnsafeRawBufferPointer($0)) }
        let mask = UInt64(words.count * 64 - 1)
        for j in 0..<MetadataBloom.hashes {
            let bit = MetadataBloom.position(h, j) & mask
            if words[Int(bit >> 6)] & (UInt64(1) << (bit & 63)) == 0 { return false }
        }
        return true
    }

    public var byteCount: Int { words.count * 8 }

    /// Incremental builder, one per encoding thread; `reset`, add every pair of a page, `finish`.
    struct Builder {
        var scratch = [UInt64](repeating: 0, count: MetadataBloom.scratchBits / 64)
        var pairs = 0

        mutating func reset() {
            if pairs > 0 { scratch.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            pairs = 0
        }

        /// Adds every pair of `md`'s entries `range`.
        mutating func add(_ md: EntryMetadata, _ range: Range<Int>) {
            guard !range.isEmpty else { return }
            let nameHashes = md.names.map(MetadataBloom.nameHash)
            let pairs = md.pairRange(range.lowerBound).lowerBound..<md.pairRange(range.upperBound - 1).upperBound
            guard !pairs.isEmpty else { return }
            self.pairs += pairs.count
            let mask = UInt64(MetadataBloom.scratchBits - 1)
            md.values.withUnsafeBytes { v in
                scratch.withUnsafeMutableBufferPointer { s in
                    let words = s.baseAddress!
                    for p in pairs {
                        let h = MetadataBloom.hash(nameHash: nameHashes[Int(md.pairNames[p])],
                                                   value: UnsafeRawBufferPointer(rebasing: v[md.valueRange(p)]))
                        for j in 0..<MetadataBloom.hashes {
                            let bit = MetadataBloom.position(h, j) & mask
                            words[Int(bit >> 6)] |= UInt64(1) << (bit & 63)
                        }
                    }
                }
            }
        }

        func finish() -> MetadataBloom {
            guard pairs > 0 else { return MetadataBloom(words: []) }
            return MetadataBloom(words: NGramBloom.fold(scratch, minBits: MetadataBloom.minBits,
                                                        maxFill: MetadataBloom.maxFill))
        }
    }
}
