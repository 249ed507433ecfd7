import Storage

/// Snappy block-format decompression (the framing Loki's protobuf push bodies use: `Content-Type:
/// application/x-protobuf`, body = snappy block of the encoded `PushRequest`).
///
/// Format (github.com/google/snappy/format_description.txt): a varint of the uncompressed length, then elements
/// whose tag's low two bits select a literal (00) or a copy with a 1-, 2- or 4-byte offset (01, 10, 11).
public enum Snappy {
    public struct CorruptInput: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Most bytes a body may expand to; guards against a forged length header allocating without bound.
    public static let defaultMaxOutput = 256 << 20

    /// Decompresses one snappy block.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int = defaultMaxOutput) throws -> [UInt8] {
        var pos = 0
        func fail(_ what: String) -> CorruptInput { CorruptInput(description: "snappy: \(what) at byte \(pos)") }
        var length = 0, shift = 0
        while true {
            guard pos < input.count, shift <= 28 else { throw fail("bad length header") }
            let b = Int(input[pos])
            pos += 1
            length |= (b & 0x7f) << shift
            if b < 0x80 { break }
            shift += 7
        }
        guard length <= maxOutput else { throw SizeLimitExceeded("snappy body of \(length) bytes uncompressed", limit: maxOutput) }
        var out = [UInt8](repeating: 0, count: length)
        var o = 0
        try out.withUnsafeMutableBytes { dst in
            while pos < input.count {
                let tag = Int(input[pos])
                pos += 1
                switch tag & 3 {
                case 0:
                    var n = tag >> 2
                    if n >= 60 {
                        let extra = n - 59
                        guard pos + extra <= input.count else { throw fail("truncated literal length") }
                        n = 0
                        for i in 0..<extra { n |= Int(input[pos + i]) << (8 * i) }
                        pos += extra
                    }
                    n += 1
                    guard pos + n <= input.count, o + n <= length else { throw fail("literal overruns") }
                    dst.baseAddress!.advanced(by: o).copyMemory(from: input.baseAddress!.advanced(by: pos), byteCount: n)
                    pos += n
                    o += n
                default:
                    let n: Int, offset: Int
                    switch tag & 3 {
                    case 1:
                        guard pos < input.count else { throw fail("truncated copy") }
                        n = 4 + ((tag >> 2) & 7)
                        offset = ((tag >> 5) << 8) | Int(input[pos])
                        pos += 1
                    case 2:
                        guard pos + 2 <= input.count else { throw fail("truncated copy") }
                        n = (tag >> 2) + 1
                        offset = Int(input[pos]) | Int(input[pos + 1]) << 8
                        pos += 2
                    default:
                        guard pos + 4 <= input.count else { throw fail("truncated copy") }
                        n = (tag >> 2) + 1
                        offset = Int(input[pos]) | Int(input[pos + 1]) << 8 | Int(input[pos + 2]) << 16
                            | Int(input[pos + 3]) << 24
                        pos += 4
                    }
                    guard offset > 0, offset <= o, o + n <= length else { throw fail("bad copy offset \(offset)") }
                    // Copies may overlap their own output (offset < n): copy byte by byte forward.
                    let p = dst.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    if offset >= n {
                        (p + o).update(from: p + o - offset, count: n)
                    } else {
                        for i in 0..<n { p[o + i] = p[o - offset + i] }
                    }
                    o += n
                }
            }
        }
        guard o == length else { throw CorruptInput(description: "snappy: decoded \(o) bytes, header says \(length)") }
        return out
    }

    /// Compresses into a valid snappy block using literals only and runs of repeated bytes. Used by tests and
    /// benchmarks that need snappy bodies; mclog never sends snappy itself.
    public static func compressLiterals(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var n = input.count
        while n >= 0x80 {
            out.append(UInt8(n & 0x7f | 0x80))
            n >>= 7
        }
        out.append(UInt8(n))
        var i = 0
        while i < input.count {
            let chunk = min(65536, input.count - i)
            let m = chunk - 1
            if m < 60 {
                out.append(UInt8(m << 2))
            } else if m < 256 {
                out.append(60 << 2)
                out.append(UInt8(m))
            } else {
                out.append(61 << 2)
                out.append(UInt8(m & 0xff))
                out.append(UInt8(m >> 8))
            }
            out.append(contentsOf: input[i..<i + chunk])
            i += chunk
        }
        return out
    }
}
