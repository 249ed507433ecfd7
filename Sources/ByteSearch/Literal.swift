import CGlibcExtras

/// A byte-string needle searched with glibc `memmem` (two-way / SIMD; ~8 GB/s on a whole buffer; `memchr` for one
/// byte, and `memchr` plus a compare in short haystacks such as one line), or, for a
/// case-insensitive ASCII needle (Loki's rewrite of `|~ "(?i)literal"`), with an ASCII case-folding scan.
public struct Literal: Sendable, Hashable {
    /// The needle; lowercased when `caseInsensitive`.
    public let bytes: [UInt8]
    /// ASCII letters match either case. Page blooms hold exact 4-grams, so they cannot rule such a needle out.
    public let caseInsensitive: Bool

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        caseInsensitive = false
    }

    public init(_ s: String) { self.init(Array(s.utf8)) }

    /// A needle whose ASCII letters match in either case (other bytes match exactly).
    public init(caseInsensitive s: String) {
        bytes = s.utf8.map(Literal.lower)
        caseInsensitive = true
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    /// Offset of the first occurrence at or after `from` in `haystack`, or nil.
    @inline(__always)
    public func firstIndex(in haystack: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard bytes.count > 0 else { return from }
        guard from < haystack.count, let base = haystack.baseAddress else { return nil }
        if caseInsensitive { return foldedIndex(in: haystack, from: from) }
        return bytes.withUnsafeBytes { needle -> Int? in
            guard let p = mclog_find(base + from, haystack.count - from, needle.baseAddress, needle.count) else {
                return nil
            }
            return base.distance(to: p)
        }
    }

    /// ASCII case-folding search: candidates by the first byte in either case, then a folded compare.
    private func foldedIndex(in haystack: UnsafeRawBufferPointer, from: Int) -> Int? {
        let m = bytes.count
        let n = haystack.count
        guard n - from >= m else { return nil }
        let h = haystack.bindMemory(to: UInt8.self)
        return bytes.withUnsafeBufferPointer { needle -> Int? in
            let first = needle[0]
            let firstUpper = first >= 97 && first <= 122 ? first & ~0x20 : first
            var i = from
            let last = n - m
            while i <= last {
                let c = h[i]
                if c == first || c == firstUpper {
                    var j = 1
                    while j < m && Literal.lower(h[i + j]) == needle[j] { j += 1 }
                    if j == m { return i }
                }
                i += 1
            }
            return nil
        }
    }

    /// Whether `haystack` contains the literal.
    @inline(__always)
    public func occurs(in haystack: UnsafeRawBufferPointer) -> Bool { firstIndex(in: haystack) != nil }
}
