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
    /// The page's structured-metadata pairs; nil in blocks written before these filters (always read).
    public var metadataBloom: MetadataBloom?

    public func overlaps(from: Int64, through: Int64) -> Bool { maxTime >= from && minTime <= through }
}

/// Per-thread scratch of the page encoder: both filters' scratch sets.
struct PageEncoderState {
    var bloom = NGramBloom.Builder()
    var metadataBloom = MetadataBloom.Builder()
}

/// Encodes a time-ordered run of entries into a page's raw (uncompressed) bytes. Layout: `Block+Format.md`.
enum PageEncoder {
    static let flagExplicitLengths: UInt8 = 1
    /// Metadata as per-entry name/value strings (block version 1; still read).
    static let flagMetadataV1: UInt8 = 2
    /// Metadata columns preceded by their byte length (block version 2).
    static let flagMetadata: UInt8 = 4

    /// Encodes entries `range` of a merged stream, adding its lines and pairs to the filters in `state`.
    static func encode(_ stream: MergedStream, range: Range<Int>, state: inout PageEncoderState) -> [UInt8] {
        let runs = stream.runs(range)
        var textBytes = 0
        var hasNewline = false
        for run in runs {
            let b = stream.batches[run.batch]
            let bytes = (run.entries.lowerBound == 0 ? 0 : b.lineEnds[run.entries.lowerBound - 1])..<b.lineEnds[run.entries.upperBound - 1]
            textBytes += bytes.count
            if !hasNewline && !bytes.isEmpty {
                hasNewline = b.text.withUnsafeBytes { memchr($0.baseAddress! + bytes.lowerBound, 10, bytes.count) != nil }
            }
        }
        let md: EntryMetadata? = stream.hasMetadata(range) ? stream.metadataColumns(range) : nil
        var w = ByteWriter(capacity: range.count * 4 + (md?.encodedSizeBound ?? 0) + 64)
        w.u8((hasNewline ? flagExplicitLengths : 0) | (md != nil ? flagMetadata : 0))
        w.uvarint(UInt64(range.count))
        guard !range.isEmpty else { return w.bytes }
        // Timestamps: first, then deltas divided by their common divisor (1e9 for second-resolution logs).
        let first = stream.timestamp(range.lowerBound)
        var g: UInt64 = 0
        for k in range.dropFirst() { g = gcd(g, UInt64(stream.timestamp(k) - stream.timestamp(k - 1))) }
        if g == 0 { g = 1 }
        w.i64(first)
        w.uvarint(g)
        for k in range.dropFirst() { w.uvarint(UInt64(stream.timestamp(k) - stream.timestamp(k - 1)) / g) }
        if hasNewline {
            for k in range { w.uvarint(UInt64(stream.lineSize(k))) }
        }
        if let md {
            var section = ByteWriter(capacity: md.encodedSizeBound)
            md.encode(into: &section)
            w.uvarint(UInt64(section.count))
            w.raw(section.bytes)
            state.metadataBloom.add(md, 0..<md.count)
        }
        // Lines, each followed by '\n', so a whole-page memmem cannot match across two lines unnoticed. Copied
        // with memcpy into an array of the exact size (appending line by line cost a capacity check per byte run).
        let header = w.bytes
        let total = header.count + textBytes + range.count
        let page = [UInt8](unsafeUninitializedCapacity: total) { out, n in
            let base = out.baseAddress!
            header.withUnsafeBytes { _ = memcpy(base, $0.baseAddress!, header.count) }
            var pos = header.count
            for run in runs {
                let b = stream.batches[run.batch]
                b.text.withUnsafeBytes { t in
                    b.lineEnds.withUnsafeBufferPointer { ends in
                        var start = run.entries.lowerBound == 0 ? 0 : ends[run.entries.lowerBound - 1]
                        for i in run.entries {
                            let end = ends[i]
                            if end > start { memcpy(base + pos, t.baseAddress! + start, end - start) }
                            pos += end - start
                            base[pos] = 10
                            pos += 1
                            start = end
                        }
                    }
                }
            }
            precondition(pos == total, "page size mismatch")
            n = pos
        }
        // One pass over the whole lines region (grams spanning a '\n' are harmless extra content).
        page.withUnsafeBytes { state.bloom.add(UnsafeRawBufferPointer(rebasing: $0[header.count...])) }
        return page
    }

    /// Encodes entries `range` of one time-sorted batch.
    static func encode(_ batch: EntryBatch, range: Range<Int>, state: inout PageEncoderState) -> [UInt8] {
        encode(MergedStream([batch]), range: range, state: &state)
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
    var metadata: EntryMetadata?
    var textStart = 0
    var count = 0

    /// Offset of the lines region, found by skipping the timestamp (and length) varints without decoding them;
    /// nil when the page has metadata in the old per-entry form (then only a full `parse` finds it).
    func textOffset() throws -> Int? {
        try raw.withUnsafeBytes { buf in
            var r = ByteReader(buf)
            let flags = try r.u8()
            if flags & PageEncoder.flagMetadataV1 != 0 { return nil }
            let n = try r.int()
            guard n > 0 else { return r.offset }
            _ = try r.i64()
            _ = try r.uvarint()
            let varints = (n - 1) + (flags & PageEncoder.flagExplicitLengths != 0 ? n : 0)
            var pos = r.offset
            var seen = 0
            while seen < varints {
                guard pos < buf.count else { throw DecodeError("page header runs past its end") }
                if buf[pos] < 0x80 { seen += 1 }
                pos += 1
            }
            if flags & PageEncoder.flagMetadata != 0 {
                r.offset = pos
                let size = try r.int()
                pos = r.offset + size
                guard pos <= buf.count else { throw DecodeError("page metadata runs past its end") }
            }
            return pos
        }
    }

    /// Parses `raw` (already decompressed). Works on local arrays (no per-element class access) and keeps
    /// their capacity across pages.
    func parse() throws {
        var ts = timestamps
        var starts = lineStarts
        timestamps = []
        lineStarts = []
        ts.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        var md: EntryMetadata?
        var n = 0
        var text = 0
        defer {
            timestamps = ts
            lineStarts = starts
            metadata = md
            count = n
            textStart = text
        }
        try raw.withUnsafeBytes { buf in
            var r = ByteReader(buf)
            let flags = try r.u8()
            n = try r.int()
            guard n > 0 else {
                text = r.offset
                starts.append(r.offset)
                return
            }
            var t = try r.i64()
            let g = Int64(bitPattern: try r.uvarint())
            ts.reserveCapacity(n)
            ts.append(t)
            for _ in 1..<n {
                t += Int64(bitPattern: try r.uvarint()) &* g
                ts.append(t)
            }
            var lengths: [Int] = []
            if flags & PageEncoder.flagExplicitLengths != 0 {
                lengths.reserveCapacity(n)
                for _ in 0..<n { lengths.append(try r.int()) }
            }
            if flags & PageEncoder.flagMetadata != 0 {
                let size = try r.int()
                let end = r.offset + size
                md = try EntryMetadata.decode(&r, entries: n)
                guard r.offset == end else { throw DecodeError("page metadata length mismatch") }
            } else if flags & PageEncoder.flagMetadataV1 != 0 {
                guard n <= buf.count else { throw DecodeError("page entry count too large") }
                var all = EntryMetadata()
                for _ in 0..<n {
                    var pairs: [Label] = []
                    for _ in 0..<(try r.int()) { pairs.append(Label(try r.string(), try r.string())) }
                    all.appendEntry(pairs)
                }
                md = all
            }
            text = r.offset
            var pos = text
            starts.reserveCapacity(n + 1)
            if lengths.isEmpty {
                guard let base = buf.baseAddress else { throw DecodeError("empty page") }
                for _ in 0..<n {
                    starts.append(pos)
                    guard pos < buf.count, let nl = memchr(base + pos, 10, buf.count - pos) else {
                        throw DecodeError("page line \(starts.count) has no terminator")
                    }
                    pos = base.distance(to: UnsafeRawPointer(nl)) + 1
                }
            } else {
                for len in lengths {
                    starts.append(pos)
                    pos += len + 1
                }
            }
            guard pos == buf.count else { throw DecodeError("page text length mismatch") }
            starts.append(pos)
        }
    }

    @inline(__always) func lineRange(_ i: Int) -> Range<Int> { lineStarts[i]..<(lineStarts[i + 1] - 1) }

    /// Entry i's structured metadata as labels.
    func metadata(_ i: Int) -> [Label] { metadata?.labels(i) ?? [] }

    /// The page's entries as a batch (compaction re-encodes overlapping pages through this).
    func entries() -> EntryBatch {
        var b = EntryBatch()
        b.reserve(entries: count, bytes: raw.count - textStart)
        raw.withUnsafeBytes { r in
            for k in 0..<count {
                b.append(timestamp: timestamps[k], line: UnsafeRawBufferPointer(rebasing: r[lineRange(k)]))
            }
        }
        b.metadata = metadata
        return b
    }

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
