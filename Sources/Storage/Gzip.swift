import CZlib

/// In-memory gzip/zlib inflation for request bodies (`Content-Encoding: gzip`).
public enum Gzip {
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Inflates a gzip or zlib stream (header auto-detected); throws `SizeLimitExceeded` past `maxOutput` bytes so
    /// that a small compressed body cannot expand without bound.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Error(description: "gzip: cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: min(maxOutput, max(4096, input.count * 4)))
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(input.count)
        while true {
            if produced == out.count {
                guard out.count < maxOutput else {
                    throw SizeLimitExceeded("gzip body, inflated,", limit: maxOutput)
                }
                out.append(contentsOf: repeatElement(0, count: min(out.count, maxOutput - out.count)))
            }
            let rc = out.withUnsafeMutableBytes { o -> Int32 in
                stream.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self).advanced(by: produced)
                stream.avail_out = UInt32(o.count - produced)
                let rc = inflate(&stream, Z_NO_FLUSH)
                produced = o.count - Int(stream.avail_out)
                return rc
            }
            if rc == Z_STREAM_END { break }
            guard rc == Z_OK || rc == Z_BUF_ERROR else {
                throw Error(description: "gzip: corrupt data (zlib error \(rc))")
            }
            if rc == Z_BUF_ERROR && stream.avail_in == 0 { throw Error(description: "gzip: truncated data") }
        }
        out.removeLast(out.count - produced)
        return out
    }
}
