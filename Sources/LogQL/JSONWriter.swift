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
            for i in 0..<buf.count {
                let c = buf[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i]))
                run = i + 1
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

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
