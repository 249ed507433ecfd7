/// A per-page filter over the 4-byte substrings (4-grams) of every line, with one hash per gram.
///
/// A literal of n ≥ 4 bytes has n-3 grams; the page can contain the literal only if every gram's bit is set.
/// With one hash function and fill ratio f, a page passes falsely with probability ≈ f^a, where a is the number
/// of the literal's grams that the page really lacks. For an IP address in an access log most of its grams
/// ("203.", ".113") occur in every page and only one or two are missing, so the fill must stay low: at most 25 %
/// (measured on a 64 MiB access-log corpus: at 50 % fill and 1 MiB pages a rare-IP query read 61 of 72 pages;
/// at 25 % and 2 MiB pages it read only the 5 of 36 that hold the IP).
///
/// Built in a 2^20-bit scratch set, then folded in halves (OR of the two halves keeps every set bit reachable by
/// `hash & (size-1)`) until it is as small as it can be with fill ≤ `maxFill`.
public struct NGramBloom: Sendable, Equatable {
    public static let gramSize = 4
    static let scratchBits = 1 << 20
    static let minBits = 1 << 10
    static let maxFill = 0.25

    /// Bit set, `words.count * 64` bits, a power of two.
    public private(set) var words: [UInt64]

    public init(words: [UInt64]) { self.words = words }

    @inline(__always) static func hash(_ gram: UInt32) -> UInt64 {
        // Fibonacci hashing: multiply, take high bits.
        (UInt64(gram) &* 0x9E37_79B9_7F4A_7C15) >> 32
    }

    /// Incremental builder; add the bytes of every line, then `finish()`.
    public struct Builder {
        var scratch: [UInt64]
        /// Set bits in the scratch set (counted at `finish`).
        public var setBits: Int { scratch.reduce(0) { $0 + $1.nonzeroBitCount } }

        public init() { scratch = [UInt64](repeating: 0, count: NGramBloom.scratchBits / 64) }

        /// Adds all 4-grams of `bytes` (grams spanning line separators are harmless false content).
        ///
        /// On little-endian machines five grams come out of one 8-byte load (gram i+k is bits 8k..<8k+32 of
        /// the word loaded at i), which the bit setting then overlaps: the same bits as one 4-byte load per gram.
        public mutating func add(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count >= gramSize, let p = bytes.baseAddress else { return }
            let mask = UInt64(NGramBloom.scratchBits - 1)
            let n = bytes.count
            scratch.withUnsafeMutableBufferPointer { s in
                let words = s.baseAddress!
                @inline(__always) func set(_ gram: UInt32) {
                    let h = NGramBloom.hash(gram) & mask
                    words[Int(h >> 6)] |= UInt64(1) << (h & 63)
                }
                var i = 0
                #if _endian(little)
                while i + 8 <= n {
                    let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    set(UInt32(truncatingIfNeeded: w))
                    set(UInt32(truncatingIfNeeded: w >> 8))
                    set(UInt32(truncatingIfNeeded: w >> 16))
                    set(UInt32(truncatingIfNeeded: w >> 24))
                    set(UInt32(truncatingIfNeeded: w >> 32))
                    i += 5
                }
                #endif
                while i + gramSize <= n {
                    set(p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                    i += 1
                }
            }
        }

        /// Folds the scratch set down to the smallest power-of-two size whose fill stays ≤ maxFill.
        public func finish() -> NGramBloom {
            NGramBloom(words: NGramBloom.fold(scratch, minBits: NGramBloom.minBits, maxFill: NGramBloom.maxFill))
        }

        public mutating func reset() {
            scratch.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        }
    }

    /// False only if `literal` certainly does not occur in the page. Literals shorter than a gram always pass.
    public func mayContain(_ literal: [UInt8]) -> Bool {
        guard literal.count >= NGramBloom.gramSize else { return true }
        let mask = UInt64(words.count * 64 - 1)
        return literal.withUnsafeBytes { p in
            for i in 0...(p.count - NGramBloom.gramSize) {
                let h = NGramBloom.hash(p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) & mask
                if words[Int(h >> 6)] & (UInt64(1) << (h & 63)) == 0 { return false }
            }
            return true
        }
    }

    public var byteCount: Int { words.count * 8 }

    /// Folds a power-of-two bit set in halves (OR of the halves, so a bit found by `hash & (size-1)` stays
    /// findable) to the smallest size ≥ `minBits` whose estimated fill stays ≤ `maxFill`.
    static func fold(_ scratch: [UInt64], minBits: Int, maxFill: Double) -> [UInt64] {
        var bits = scratch.count * 64
        let setBits = scratch.reduce(0) { $0 + $1.nonzeroBitCount }
        // After folding to `bits`, at most setBits bits are set; estimate fill with the occupancy formula.
        while bits > minBits {
            let half = Double(bits / 2)
            let fill = 1 - _exp(-Double(setBits) / half)
            if fill > maxFill { break }
            bits /= 2
        }
        var words = Array(scratch[0..<(bits / 64)])
        var offset = bits / 64
        while offset < scratch.count {
            for i in 0..<words.count { words[i] |= scratch[offset + i] }
            offset += words.count
        }
        return words
    }
}

@inline(__always) func _exp(_ x: Double) -> Double {
    // e^x without Foundation: exp via repeated squaring of a Taylor seed is plenty for a fill estimate.
    var y = 1.0 + x / 1024.0
    for _ in 0..<10 { y *= y }
    return y
}
