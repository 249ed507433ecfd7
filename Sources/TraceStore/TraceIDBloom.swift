import Storage

/// A bloom filter over a block's trace ids: a lookup of an id that is not in the block costs a few bit probes
/// and never touches the block's id list or pages. About 10 bits per id and 7 probes: ~1 % false positives.
struct TraceIDBloom: Sendable {
    private(set) var words: [UInt64]
    static let probes = 7

    init(capacity: Int) {
        words = [UInt64](repeating: 0, count: max(1, (capacity * 10 + 63) / 64))
    }

    init(words: [UInt64]) { self.words = words }

    /// Double hashing over a mix of the id (ids are random already, but zero-padded 64-bit ids are not).
    @inline(__always) private static func hashes(_ id: TraceID) -> (UInt64, UInt64) {
        var h1 = (id.low ^ (id.high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        h1 ^= h1 >> 31
        var h2 = (id.high ^ (id.low &* 0x94D0_49BB_1331_11EB)) &* 0x9E37_79B9_7F4A_7C15
        h2 = (h2 ^ (h2 >> 29)) | 1
        return (h1, h2)
    }

    mutating func insert(_ id: TraceID) {
        let (h1, h2) = Self.hashes(id)
        let bits = UInt64(words.count * 64)
        for i in 0..<UInt64(Self.probes) {
            let p = Int((h1 &+ i &* h2) % bits)
            words[p >> 6] |= 1 << UInt64(p & 63)
        }
    }

    func mayContain(_ id: TraceID) -> Bool {
        let (h1, h2) = Self.hashes(id)
        let bits = UInt64(words.count * 64)
        for i in 0..<UInt64(Self.probes) {
            let p = Int((h1 &+ i &* h2) % bits)
            if words[p >> 6] & (1 << UInt64(p & 63)) == 0 { return false }
        }
        return true
    }

    func encode(_ w: inout ByteWriter) {
        w.u32(UInt32(words.count))
        for x in words { w.u64(x) }
    }

    static func decode(_ r: inout ByteReader) throws -> TraceIDBloom {
        let n = Int(try r.u32())
        guard n <= r.remaining / 8 else { throw DecodeError("bloom of \(n) words past the end of its section") }
        var words = [UInt64](repeating: 0, count: n)
        for i in 0..<n { words[i] = try r.u64() }
        return TraceIDBloom(words: words)
    }
}
