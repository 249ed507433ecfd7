import CLZ4
import CZstd

/// Page compression codec. Stored as one byte in every page header so a store may mix codecs.
public enum Codec: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case zstd = 1
    case lz4 = 2

    public var description: String {
        switch self {
        case .none: "none"
        case .zstd: "zstd"
        case .lz4: "lz4"
        }
    }

    public init?(name: String) {
        guard let c = Codec.allCases.first(where: { $0.description == name }) else { return nil }
        self = c
    }
}

public struct CodecError: Error, CustomStringConvertible {
    public let description: String
}

/// Reusable compression state; one per thread (zstd contexts are not thread-safe).
///
/// Compresses into a scratch buffer kept across calls and appends only the compressed bytes to the caller's
/// array: sizing the output for the worst case (`ZSTD_compressBound`, about the input's size) in the caller's
/// array zero-filled multi-MiB of memory per page and left every stored page holding that capacity.
public final class Compressor {
    public let codec: Codec
    public let level: Int32
    private var cctx: OpaquePointer?
    private var scratch: UnsafeMutableRawPointer?
    private var scratchSize = 0

    public init(codec: Codec, level: Int32 = 3) {
        self.codec = codec
        self.level = level
        if codec == .zstd { cctx = ZSTD_createCCtx() }
    }

    deinit {
        if let cctx { ZSTD_freeCCtx(cctx) }
        free(scratch)
    }

    /// The scratch buffer, grown to at least `size` bytes (contents not kept).
    private func scratchBuffer(_ size: Int) -> UnsafeMutableRawPointer {
        if size > scratchSize || scratch == nil {
            free(scratch)
            scratch = malloc(max(size, 1))
            scratchSize = size
        }
        return scratch!
    }

    /// Compresses `src`, appending the compressed bytes to `out`.
    public func compress(_ src: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        switch codec {
        case .none:
            out.append(contentsOf: src)
        case .zstd:
            let bound = ZSTD_compressBound(src.count)
            let dst = scratchBuffer(bound)
            let n = ZSTD_compressCCtx(cctx, dst, bound, src.baseAddress, src.count, level)
            if ZSTD_isError(n) != 0 {
                throw CodecError(description: "zstd compress: \(String(cString: ZSTD_getErrorName(n)))")
            }
            out.append(contentsOf: UnsafeRawBufferPointer(start: dst, count: n))
        case .lz4:
            let bound = Int(LZ4_compressBound(Int32(src.count)))
            let dst = scratchBuffer(bound)
            let n = LZ4_compress_default(
                src.baseAddress?.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                Int32(src.count), Int32(bound))
            if n <= 0 && src.count > 0 { throw CodecError(description: "lz4 compress failed") }
            out.append(contentsOf: UnsafeRawBufferPointer(start: dst, count: Int(max(n, 0))))
        }
    }
}

/// Reusable decompression state; one per thread.
public final class Decompressor {
    private var dctx: OpaquePointer?

    public init() { dctx = ZSTD_createDCtx() }
    deinit { ZSTD_freeDCtx(dctx) }

    /// Decompresses `src` (which must expand to exactly `rawSize` bytes) into `out`, replacing its contents.
    public func decompress(_ src: UnsafeRawBufferPointer, codec: Codec, rawSize: Int, into out: inout [UInt8]) throws {
        out.resize(to: rawSize)
        if rawSize == 0 { return }
        try out.withUnsafeMutableBytes { dst in
            switch codec {
            case .none:
                guard src.count == rawSize else { throw CodecError(description: "stored page size mismatch") }
                dst.copyMemory(from: src)
            case .zstd:
                let n = ZSTD_decompressDCtx(dctx, dst.baseAddress, rawSize, src.baseAddress, src.count)
                if ZSTD_isError(n) != 0 {
                    throw CodecError(description: "zstd decompress: \(String(cString: ZSTD_getErrorName(n)))")
                }
                guard n == rawSize else { throw CodecError(description: "zstd: expected \(rawSize) bytes, got \(n)") }
            case .lz4:
                let n = LZ4_decompress_safe(
                    src.baseAddress?.assumingMemoryBound(to: CChar.self),
                    dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(src.count), Int32(rawSize))
                guard n == rawSize else { throw CodecError(description: "lz4 decompress failed (\(n))") }
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// Sets the count, zero-filling only bytes beyond the old count and keeping capacity when shrinking, so a
    /// reused buffer costs no memset per page.
    @inline(__always) public mutating func resize(to n: Int) {
        if count < n {
            append(contentsOf: repeatElement(0, count: n - count))
        } else if count > n {
            removeLast(count - n)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
