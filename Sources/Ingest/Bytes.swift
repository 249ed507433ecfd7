import CGlibcExtras
#if canImport(Glibc)
import Glibc
#endif

extension UnsafeRawBufferPointer {
    /// The index of the first `byte` in `from..<to` (to defaults to the end), or nil; memchr underneath.
    @inline(__always)
    func index(of byte: UInt8, from: Int, to: Int? = nil) -> Int? {
        let end = Swift.min(to ?? count, count)
        guard from < end, let base = baseAddress, let hit = memchr(base + from, Int32(byte), end - from) else {
            return nil
        }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Whether the bytes at `at` equal `literal` (ASCII, compared exactly).
    @inline(__always)
    func matches(_ literal: StaticString, at: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard at >= 0, at + n <= count else { return false }
        return memcmp(baseAddress! + at, literal.utf8Start, n) == 0
    }

    /// The index of the first occurrence of `literal` at or after `from` (before `to`), or nil.
    func find(_ literal: StaticString, from: Int = 0, to: Int? = nil) -> Int? {
        let end = Swift.min(to ?? count, count)
        let n = literal.utf8CodeUnitCount
        guard n > 0, from >= 0, end - from >= n, let base = baseAddress else { return nil }
        guard let hit = memmem(base + from, end - from, literal.utf8Start, n) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// The index of the first byte at or after `i` that is not a space or tab.
    @inline(__always)
    func skipBlanks(from i: Int) -> Int {
        var j = i
        while j < count, self[j] == ASCII.space || self[j] == ASCII.tab { j += 1 }
        return j
    }

    /// The end of the token starting at `i`: the first space, tab or the end.
    @inline(__always)
    func tokenEnd(from i: Int) -> Int {
        var j = i
        while j < count, self[j] != ASCII.space && self[j] != ASCII.tab { j += 1 }
        return j
    }

    /// Whether `range` holds a decimal number (`12`, `0.250`), the shape of nginx's `$request_time`.
    func isDecimal(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        var digits = 0, dots = 0
        for i in range {
            let b = self[i]
            if b &- ASCII.zero < 10 { digits += 1 } else if b == ASCII.dot { dots += 1 } else { return false }
        }
        return digits > 0 && dots <= 1 && self[range.lowerBound] != ASCII.dot
    }

    /// A `String` of the bytes in `range` (invalid UTF-8 repaired); for values that leave the hot path.
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: self[range]), as: UTF8.self)
    }
}
