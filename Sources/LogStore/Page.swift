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

/// Per-thread scratch of the page encoder: both filters' scratch sets and the buffers a page is built in, all
/// kept across pages (a fresh multi-MiB buffer per page is memory the kernel must fault in and zero).
struct PageEncoderState {
    var bloom = NGramBloom.Builder()
    var metadataBloom = MetadataBloom.Builder()
    /// The page's header (flags, timestamps, lengths, metadata section).
    var header = ByteWriter()
    /// The metadata section, encoded before its length is known.
    var section = ByteWriter()
    /// The whole raw page, as `PageEncoder.encodeInScratch` returns it.
    let page = ScratchBuffer()
}

/// A malloc'd byte buffer that only grows; its contents are overwritten by each use.
final class ScratchBuffer {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    /// The buffer, at least `size` bytes.
    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        if size > capacity || base == nil {
            free(base)
            // Grow by half again so pages of slightly varying size do not reallocate every time.
            capacity = max(size, capacity + capacity / 2)
            base = malloc(max(capacity, 1))
        }
        return base!
    }

    deinit { free(base) }
}

/// Encodes a time-ordered run of entries into a page's raw (uncompressed) bytes. Layout: `Block+Format.md`.
enum PageEncoder {
    static let flagExplicitLengths: UInt8 = 1
    /// Metadata as per-entry name/value strings (block version 1; still read).
    static let flagMetadataV1: UInt8 = 2
    /// Metadata columns preceded by their byte length (block version 2).
    static let flagMetadata: UInt8 = 4
    /// Lines are added to the 4-gram bloom in pieces of about this size, right after they are copied into the
    /// page (while they are in cache) instead of in a second pass over the whole multi-MiB page.
    static let bloomPiece = 32 << 10

    /// Encodes entries `range` of a merged stream, adding its lines and pairs to the filters in `state`.
    static func encode(_ stream: MergedStream, range: Range<Int>, state: inout PageEncoderState) -> [UInt8] {
        Array(encodeInScratch(stream, range: range, state: &state))
    }

    /// Encodes entries `range` of one time-sorted batch.
    static func encode(_ batch: EntryBatch, range: Range<Int>, state: inout PageEncoderState) -> [UInt8] {
        encode(MergedStream([batch]), range: range, state: &state)
    }

    /// Like `encode`, but returns the page in `state.page`: valid until the state encodes the next page.
    static func encodeInScratch(_ stream: MergedStream, range: Range<Int>,
                                state: inout PageEncoderState) -> UnsafeRawBufferPointer {
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
        let hasMetadata = stream.hasMetadata(range)
        state.header.bytes.removeAll(keepingCapacity: true)
        encodeHeader(stream, range: range, runs: runs, hasNewline: hasNewline, hasMetadata: hasMetadata,
                     state: &state)
        // Lines, each followed by '\n', so a whole-page memmem cannot match across two lines unnoticed. Copied
        // with memcpy into the reused page buffer; the 4-gram bloom follows the copy piece by piece (grams
        // spanning a '\n' are harmless extra content; the pieces overlap by 3 bytes so that every gram of the
        // lines region is added exactly as by one pass over it).
        let headerCount = state.header.count
        let total = headerCount + textBytes + range.count
        let base = state.page.reserve(total)
        state.header.bytes.withUnsafeBytes { _ = memcpy(base, $0.baseAddress!, headerCount) }
        var pos = headerCount
        var bloomFrom = headerCount
        for run in runs {
            let b = stream.batches[run.batch]
            b.text.withUnsafeBytes { t in
                b.lineEnds.withUnsafeBufferPointer { ends in
                    var start = run.entries.lowerBound == 0 ? 0 : ends[run.entries.lowerBound - 1]
                    for i in run.entries {
                        let end = ends[i]
                        if end > start { memcpy(base + pos, t.baseAddress! + start, end - start) }
                        pos += end - start
                        base.storeBytes(of: 10, toByteOffset: pos, as: UInt8.self)
                        pos += 1
                        start = end
                        if pos - bloomFrom >= bloomPiece {
                            state.bloom.add(UnsafeRawBufferPointer(start: base + bloomFrom, count: pos - bloomFrom))
                            bloomFrom = pos - (NGramBloom.gramSize - 1)
                        }
                    }
                }
            }
        }
        precondition(pos == total, "page size mismatch")
        state.bloom.add(UnsafeRawBufferPointer(start: base + bloomFrom, count: pos - bloomFrom))
        return UnsafeRawBufferPointer(start: base, count: total)
    }

    /// Writes the page header into `state.header`: flags, count, timestamps, explicit lengths, metadata.
    private static func encodeHeader(_ stream: MergedStream, range: Range<Int>, runs: [(batch: Int, entries: Range<Int>)],
                                     hasNewline: Bool, hasMetadata: Bool, state: inout PageEncoderState) {
        let count = range.count
        state.header.u8((hasNewline ? flagExplicitLengths : 0) | (hasMetadata ? flagMetadata : 0))
        state.header.uvarint(UInt64(count))
        guard count > 0 else { return }
        // Timestamps: first, then deltas divided by their common divisor (1e9 for second-resolution logs).
        // Walked run by run over each batch's buffer (no per-entry lookup through the merge's references).
        var g: UInt64 = 0
        var prev: Int64?
        for run in runs {
            stream.batches[run.batch].timestamps.withUnsafeBufferPointer { ts in
                for i in run.entries {
                    if let p = prev { g = gcd(g, UInt64(ts[i] - p)) }
                    prev = ts[i]
                }
            }
        }
        if g == 0 { g = 1 }
        let first = stream.batches[runs[0].batch].timestamps[runs[0].entries.lowerBound]
        state.header.bytes.reserveCapacity(count * 3 + 32)
        state.header.i64(first)
        state.header.uvarint(g)
        var last = first
        for (r, run) in runs.enumerated() {
            stream.batches[run.batch].timestamps.withUnsafeBufferPointer { ts in
                // Deltas to the previous entry (the first entry of the page has none).
                let from = r == 0 ? run.entries.lowerBound + 1 : run.entries.lowerBound
                let before = last
                state.header.uvarints(count: run.entries.upperBound - from) { k in
                    UInt64(ts[from + k] - (k == 0 ? before : ts[from + k - 1])) / g
                }
                last = ts[run.entries.upperBound - 1]
            }
        }
        if hasNewline {
            for run in runs {
                stream.batches[run.batch].lineEnds.withUnsafeBufferPointer { ends in
                    let from = run.entries.lowerBound
                    state.header.uvarints(count: run.entries.count) { k in
                        UInt64(ends[from + k] - (from + k == 0 ? 0 : ends[from + k - 1]))
                    }
                }
            }
        }
        guard hasMetadata else { return }
        state.section.bytes.removeAll(keepingCapacity: true)
        if runs.count == 1 && runs[0].entries.count > 1, let md = stream.batches[runs[0].batch].metadata {
            // One run of one batch: its columns as they are (the same bytes as copying them out first: a
            // multi-entry copy keeps the batch's whole name table).
            let entries = runs[0].entries
            md.encode(entries: entries, into: &state.section)
            state.metadataBloom.add(md, entries)
        } else {
            let md = stream.metadataColumns(range)
            md.encode(entries: 0..<md.count, into: &state.section)
            state.metadataBloom.add(md, 0..<md.count)
        }
        state.header.uvarint(UInt64(state.section.count))
        state.header.raw(state.section.bytes)
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
