import LogStore

/// Builds JSON text as UTF-8 bytes in one buffer. Query answers hold thousands of lines; appending bytes avoids the
/// per-line Strings that interpolation and concatenation would allocate.
struct JSONWriter {
    var bytes: [UInt8] = []

    mutating func reserve(_ n: Int) { bytes.reserveCapacity(n) }

    @inline(__always)
    mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// Appends text that needs no escaping (JSON punctuation and keys).
    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends text that needs no escaping, built at run time (numbers, pre-built objects).
    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A decimal integer, without going through a String.
    mutating func integer(_ v: Int64) {
        if v == 0 { bytes.append(0x30); return }
        var m = v.magnitude
        if v < 0 { bytes.append(0x2D) }
        let start = bytes.count
        while m > 0 {
            bytes.append(0x30 + UInt8(m % 10))
            m /= 10
        }
        bytes[start...].reverse()
    }

    /// `{"name":"value",…}`
    mutating func labels(_ labels: [Label]) {
        bytes.append(0x7B)
        for (i, l) in labels.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            string(l.name)
            bytes.append(0x3A)
            string(l.value)
        }
        bytes.append(0x7D)
    }

    /// `[seconds,"value"]`, a Prometheus sample.
    mutating func sample(_ ns: Int64, _ v: Double) {
        bytes.append(0x5B)
        raw(ResultJSON.seconds(ns))
        raw(",\"")
        raw(ResultJSON.number(v))
        raw("\"]")
    }

    /// A JSON string literal. Works on the UTF-8 bytes, copying the runs between escapes whole; control characters
    /// become `\u00XX` in lower-case hex, as Go writes them.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            bytes.append(0x22)
            var run = 0
            var i = 0
            let n = buf.count
            let base = UnsafeRawPointer(buf.baseAddress)
            while i < n {
                // Skip eight bytes at a time while none needs escaping: most of a log line is plain text.
                if let base, n - i >= 8 {
                    let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    if !Self.needsEscape(w) {
                        i += 8
                        continue
                    }
                }
                let c = buf[i]
                i += 1
                if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
                let at = i - 1
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<at]))
                run = i
                bytes.append(0x5C)
                switch c {
                case 0x22, 0x5C: bytes.append(c)
                case 0x0A: bytes.append(0x6E)  // \n
                case 0x0D: bytes.append(0x72)  // \r
                case 0x09: bytes.append(0x74)  // \t
                default:
                    bytes.append(0x75); bytes.append(0x30); bytes.append(0x30)
                    bytes.append(Self.hexDigit(c >> 4)); bytes.append(Self.hexDigit(c & 15))
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count]))
            bytes.append(0x22)
        }
    }

    /// Whether any byte of `w` is a control character, `"` or `\\` (the SWAR "has a byte less than / equal to"
    /// tests; exact for bytes below 0x80, and bytes of 0x80 and above never need escaping).
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- ones &* 0x20) & ~w & high
        let q = w ^ (ones &* 0x22)
        let quote = (q &- ones) & ~q & high
        let b = w ^ (ones &* 0x5C)
        let backslash = (b &- ones) & ~b & high
        return (control | quote | backslash) != 0
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
