import Storage

/// Where a page lives and what it holds; kept in the block index so a query can skip the page unread.
public struct PageDescriptor: Sendable {
    public var offset: Int
    public var storedSize: Int
    public var rawSize: Int
    public var codec: Codec
    /// CRC-32C of the stored (compressed) bytes.
    public var checksum: UInt32
    public var minTime: Int64
    public var maxTime: Int64
    public var count: Int
    public var bloom: NGramBloom

    public func overlaps(from: Int64, through: Int64) -> Bool { maxTime >= from && minTime <= through }
}

/// Encodes a time-ordered run of entries into a page's raw (uncompressed) bytes. Layout: `Block+Format.md`.
enum PageEncoder {
    static let flagExplicitLengths: UInt8 = 1
    static let flagMetadata: UInt8 = 2

    /// `batch` must be sorted by timestamp.
    static func encode(_ batch: EntryBatch, range: Range<Int>, bloom: inout NGramBloom.Builder) -> [UInt8] {
        let textStart = range.lowerBound == 0 ? 0 : batch.lineEnds[range.lowerBound - 1]
        let textEnd = range.isEmpty ? textStart : batch.lineEnds[range.upperBound - 1]
        var w = ByteWriter(capacity: textEnd - textStart + range.count * 3 + 32)
        let hasNewline = batch.text.withUnsafeBytes { t in
            t[textStart..<textEnd].contains(10)
        }
        let hasMD = batch.metadata.map { md in range.contains { !md[$0].isEmpty } } ?? false
        w.u8((hasNewline ? flagExplicitLengths : 0) | (hasMD ? flagMetadata : 0))
        w.uvarint(UInt64(range.count))
        guard !range.isEmpty else { return w.bytes }
        // Timestamps: first, then deltas divided by their common divisor (1e9 for second-resolution logs).
        let first = batch.timestamps[range.lowerBound]
        var g: UInt64 = 0
        for i in range.dropFirst() { g = gcd(g, UInt64(batch.timestamps[i] - batch.timestamps[i - 1])) }
        if g == 0 { g = 1 }
        w.i64(first)
        w.uvarint(g)
        for i in range.dropFirst() { w.uvarint(UInt64(batch.timestamps[i] - batch.timestamps[i - 1]) / g) }
        if hasNewline {
            for i in range { w.uvarint(UInt64(batch.lineRange(i).count)) }
        }
        if hasMD {
            for i in range {
                let md = batch.metadata![i]
                w.uvarint(UInt64(md.count))
                for l in md {
                    w.string(l.name)
                    w.string(l.value)
                }
            }
        }
        // Lines, each followed by '\n', so a whole-page memmem cannot match across two lines unnoticed.
        w.bytes.reserveCapacity(w.count + textEnd - textStart + range.count)
        batch.text.withUnsafeBytes { t in
            var start = textStart
            for i in range {
                let end = batch.lineEnds[i]
                let line = UnsafeRawBufferPointer(rebasing: t[start..<end])
                w.raw(line)
                w.u8(10)
                bloom.add(line)
                start = end
            }
        }
        return w.bytes
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

/// A decoded page: timestamps and line boundaries parsed into reusable arrays, lines left in place.
/// One per worker thread; `decode` overwrites it.
final class DecodedPage {
    var raw: [UInt8] = []
    var timestamps: [Int64] = []
    /// Line i spans `lineStarts[i] ..< lineStarts[i+1] - 1` in `raw` (each line is followed by '\n').
    var lineStarts: [Int] = []
    var metadata: [[Label]]?
    var textStart = 0
    var count = 0

    /// Parses `raw` (already decompressed).
    func parse() throws {
        timestamps.removeAll(keepingCapacity: true)
        lineStarts.removeAll(keepingCapacity: true)
        metadata = nil
        try raw.withUnsafeBytes { buf in
            var r = ByteReader(buf)
            let flags = try r.u8()
            count = try r.int()
            guard count > 0 else {
                textStart = r.offset
                lineStarts.append(r.offset)
                return
            }
            var t = try r.i64()
            let g = Int64(bitPattern: try r.uvarint())
            timestamps.append(t)
            for _ in 1..<count {
                t += Int64(bitPattern: try r.uvarint()) &* g
                timestamps.append(t)
            }
            var lengths: [Int] = []
            if flags & PageEncoder.flagExplicitLengths != 0 {
                lengths.reserveCapacity(count)
                for _ in 0..<count { lengths.append(try r.int()) }
            }
            if flags & PageEncoder.flagMetadata != 0 {
                var all: [[Label]] = []
                all.reserveCapacity(count)
                for _ in 0..<count {
                    let n = try r.int()
                    var md: [Label] = []
                    for _ in 0..<n { md.append(Label(try r.string(), try r.string())) }
                    all.append(md)
                }
                metadata = all
            }
            textStart = r.offset
            var pos = textStart
            lineStarts.reserveCapacity(count + 1)
            if lengths.isEmpty {
                guard let base = buf.baseAddress else { throw DecodeError("empty page") }
                for _ in 0..<count {
                    lineStarts.append(pos)
                    guard pos < buf.count, let nl = memchr(base + pos, 10, buf.count - pos) else {
                        throw DecodeError("page line \(lineStarts.count) has no terminator")
                    }
                    pos = base.distance(to: UnsafeRawPointer(nl)) + 1
                }
            } else {
                for len in lengths {
                    lineStarts.append(pos)
                    pos += len + 1
                }
            }
            guard pos == buf.count else { throw DecodeError("page text length mismatch") }
            lineStarts.append(pos)
        }
    }

    @inline(__always) func lineRange(_ i: Int) -> Range<Int> { lineStarts[i]..<(lineStarts[i + 1] - 1) }

    /// Index of the line containing byte `offset` of `raw` (binary search on line starts).
    func lineIndex(containing offset: Int) -> Int {
        var lo = 0, hi = count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

#if canImport(Glibc)
import Glibc
#endif
