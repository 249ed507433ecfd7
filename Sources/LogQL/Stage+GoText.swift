/// Text rules Loki's parsers inherit from Go, applied to raw line bytes.
///
/// - Go decodes UTF-8 one rune at a time and turns every byte that does not start a valid sequence into
///   `utf8.RuneError` (U+FFFD) of width 1. Loki then replaces every `RuneError` in an extracted value with a
///   space (`removeInvalidUtf` in `pkg/logql/log/parser.go`), so each invalid byte and each U+FFFD becomes `" "`.
/// - `strings.TrimSpace` trims what `unicode.IsSpace` calls white space, which is more than ASCII.
enum GoText {
    /// Byte length of the valid UTF-8 sequence at `i` (Go's `utf8.DecodeRune`), or 0 when the byte at `i` is
    /// invalid (Go's width-1 `RuneError`). `i < end`.
    @inline(__always)
    static func runeLength(_ d: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        let c0 = d[i]
        if c0 < 0x80 { return 1 }
        @inline(__always) func isCont(_ k: Int) -> Bool { k < end && d[k] & 0xC0 == 0x80 }
        @inline(__always) func inRange(_ k: Int, _ lo: UInt8, _ hi: UInt8) -> Bool { k < end && d[k] >= lo && d[k] <= hi }
        switch c0 {
        case 0xC2...0xDF:
            return isCont(i + 1) ? 2 : 0
        case 0xE0...0xEF:
            let lo: UInt8 = c0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = c0 == 0xED ? 0x9F : 0xBF
            return inRange(i + 1, lo, hi) && isCont(i + 2) ? 3 : 0
        case 0xF0...0xF4:
            let lo: UInt8 = c0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = c0 == 0xF4 ? 0x8F : 0xBF
            return inRange(i + 1, lo, hi) && isCont(i + 2) && isCont(i + 3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Whether `d[s..<e]` holds U+FFFD or invalid UTF-8 (Go's `bytes.ContainsRune(b, utf8.RuneError)`).
    static func containsRuneError(_ d: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e {
            if d[i] < 0x80 { i += 1; continue }
            let n = runeLength(d, i, e)
            if n == 0 || isReplacementCharacter(d, i, n) { return true }
            i += n
        }
        return false
    }

    @inline(__always)
    static func isReplacementCharacter(_ d: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Bool {
        n == 3 && d[i] == 0xEF && d[i + 1] == 0xBF && d[i + 2] == 0xBD
    }

    /// A label value from raw bytes the way Loki makes one: invalid bytes and U+FFFD become spaces.
    static func labelValue(_ d: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> String {
        guard containsRuneError(d, s, e) else {
            return String(decoding: UnsafeRawBufferPointer(rebasing: d[s..<e]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var i = s
        while i < e {
            if d[i] < 0x80 { out.append(d[i]); i += 1; continue }
            let n = runeLength(d, i, e)
            if n == 0 {
                out.append(0x20)
                i += 1
            } else if isReplacementCharacter(d, i, n) {
                out.append(0x20)
                i += 3
            } else {
                for k in i..<(i + n) { out.append(d[k]) }
                i += n
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func labelValue(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { labelValue($0, 0, $0.count) }
    }

    /// Byte length of a `unicode.IsSpace` rune starting at `i`, or 0.
    @inline(__always)
    static func spaceLength(_ d: UnsafeRawBufferPointer, at i: Int, _ end: Int) -> Int {
        let c = d[i]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        if c < 0x80 { return 0 }
        if c == 0xC2, i + 1 < end, d[i + 1] == 0x85 || d[i + 1] == 0xA0 { return 2 }
        if i + 2 < end, isThreeByteSpace(d[i], d[i + 1], d[i + 2]) { return 3 }
        return 0
    }

    /// Byte length of a `unicode.IsSpace` rune ending just before `end`, or 0.
    @inline(__always)
    static func spaceLength(_ d: UnsafeRawBufferPointer, before end: Int, _ start: Int) -> Int {
        let c = d[end - 1]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return 1 }
        if c < 0x80 { return 0 }
        if end - 2 >= start, d[end - 2] == 0xC2, c == 0x85 || c == 0xA0 { return 2 }
        if end - 3 >= start, isThreeByteSpace(d[end - 3], d[end - 2], c) { return 3 }
        return 0
    }

    /// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    @inline(__always)
    private static func isThreeByteSpace(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch (a, b) {
        case (0xE1, 0x9A): return c == 0x80
        case (0xE2, 0x80): return c <= 0x8A && c >= 0x80 || c == 0xA8 || c == 0xA9 || c == 0xAF
        case (0xE2, 0x81): return c == 0x9F
        case (0xE3, 0x80): return c == 0x80
        default: return false
        }
    }

    /// `d[s..<e]` without leading and trailing `unicode.IsSpace` runes (Go's `bytes.TrimSpace`).
    static func trimSpace(_ d: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> (Int, Int) {
        var s = s, e = e
        while s < e {
            let n = spaceLength(d, at: s, e)
            if n == 0 { break }
            s += n
        }
        while e > s {
            let n = spaceLength(d, before: e, s)
            if n == 0 { break }
            e -= n
        }
        return (s, e)
    }

    /// Appends the UTF-8 encoding of `scalar` (a valid scalar value).
    @inline(__always)
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// The value of four hex digits at `d[i..<i+4]`, or nil.
    @inline(__always)
    static func hex4(_ d: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            let c = d[k]
            let h: UInt8
            switch c {
            case 0x30...0x39: h = c - 0x30
            case 0x41...0x46: h = c - 0x41 + 10
            case 0x61...0x66: h = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(h)
        }
        return v
    }
}
