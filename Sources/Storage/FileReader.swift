import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file sequentially in large chunks, transparently inflating gzip (`.gz`, or a gzip magic number).
public final class FileReader {
    public let path: String
    let file: FileHandle
    private var stream = z_stream()
    private var gzip = false
    private let input = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
    private var fileOffset = 0
    private var inputEOF = false
    public private(set) var compressedBytesRead = 0

    public init(path: String) throws {
        self.path = path
        file = try FileHandle.openForReading(path)
        let size = try file.size
        if size >= 2 {
            let magic = try file.read(at: 0, count: 2)
            gzip = magic == [0x1F, 0x8B]
        }
        if gzip {
            // 15 + 32: zlib or gzip header, auto-detected.
            let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw IOError("inflateInit", path, errno: 0) }
        }
    }

    deinit {
        if gzip { inflateEnd(&stream) }
        input.deallocate()
    }

    /// Fills `buffer` with up to `capacity` bytes; returns 0 at end of file.
    public func read(into buffer: inout [UInt8], capacity: Int) throws -> Int {
        if buffer.count < capacity { buffer.append(contentsOf: repeatElement(0, count: capacity - buffer.count)) }
        if !gzip {
            let total = try file.size
            let n = min(capacity, total - fileOffset)
            if n <= 0 { return 0 }
            let got = buffer.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, n, off_t(fileOffset)) }
            guard got >= 0 else { throw IOError("read", path) }
            fileOffset += got
            compressedBytesRead += got
            return got
        }
        var produced = 0
        while produced < capacity {
            if stream.avail_in == 0 && !inputEOF {
                let total = try file.size
                let n = min(1 << 20, total - fileOffset)
                if n <= 0 {
                    inputEOF = true
                } else {
                    let got = pread(file.fd, input, n, off_t(fileOffset))
                    guard got > 0 else { throw IOError("read", path) }
                    fileOffset += got
                    compressedBytesRead += got
                    stream.next_in = input
                    stream.avail_in = UInt32(got)
                }
            }
            if stream.avail_in == 0 && inputEOF { break }
            let rc: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(capacity - produced)
                    let before = stream.avail_out
                    let rc = inflate(&stream, Z_NO_FLUSH)
                    produced += Int(before - stream.avail_out)
                    return rc
            }
            if rc == Z_STREAM_END {
                // Concatenated gzip members: continue with the next one.
                if stream.avail_in == 0 && inputEOF { break }
                inflateReset(&stream)
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                throw IOError("inflate (corrupt gzip data)", path, errno: 0)
            } else if rc == Z_BUF_ERROR && stream.avail_in == 0 && inputEOF {
                throw IOError("inflate (truncated gzip file)", path, errno: 0)
            }
        }
        return produced
    }
}
