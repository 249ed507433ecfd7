import Storage

/// An immutable, checksummed file of spans grouped by trace, with a trace-id index (bloom filter + sorted ids)
/// and a search index. Written once by `TraceBlock.write` (temp file, fsync, rename), never modified.
/// Layout: `TraceBlock+Format.md`.
final class TraceBlock: @unchecked Sendable {
    static let magic: UInt32 = 0x4254_434D  // "MCTB" little-endian
    /// 2 added per-trace span and byte counts to the index and `replaces` to the meta; 1 is still read.
    static let version: UInt32 = 2
    static let fileExtension = ".mctb"
    static let footerSize = 4 * 16 + 8

    struct Meta: Sendable {
        var id: String
        var tenant: String
        var minTime: Int64
        var maxTime: Int64
        var traceCount: Int
        var spanCount: Int
        /// Every WAL record in a segment numbered below this is in this block (or an earlier one).
        var walCoverage: UInt64
        /// Blocks this one replaces (compaction); if they still exist when the store opens, they are dropped.
        var replaces: [String] = []
    }

    struct PageRef: Sendable {
        var offset: Int
        var size: Int
        var rawSize: Int
        var crc: UInt32
    }

    let path: String
    let meta: Meta
    let codec: Codec
    private let file: FileHandle
    private let bloom: TraceIDBloom
    /// The block's trace ids, ascending.
    let ids: [TraceID]
    private let idPage: [UInt32]
    /// Spans and encoded bytes of each trace (parallel to `ids`), for the per-trace limits.
    private var idSpans: [UInt32]
    private var idBytes: [UInt32]
    private let pages: [PageRef]
    private let searchRef: (offset: Int, length: Int, crc: UInt32)
    let fileSize: Int

    init(path: String) throws {
        let file = try FileHandle.openForReading(path)
        let fs = try file.size
        guard fs >= Self.footerSize + 8 else { throw DecodeError("\(path): too short for a trace block") }
        let footer = try file.read(at: fs - Self.footerSize, count: Self.footerSize)
        var sections: [(Int, Int, UInt32)] = []
        var version: UInt32 = 0
        try footer.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            for _ in 0..<4 { sections.append((Int(try r.u64()), Int(try r.u32()), try r.u32())) }
            guard try r.u32() == Self.magic else { throw DecodeError("\(path): not a trace block (bad magic)") }
            let v = try r.u32()
            guard v == 1 || v == Self.version else {
                throw DecodeError("\(path): trace block version \(v), want \(Self.version)")
            }
            version = v
        }
        func section(_ i: Int) throws -> [UInt8] {
            let (off, len, crc) = sections[i]
            guard off >= 8, off + len <= fs - Self.footerSize else { throw DecodeError("\(path): section \(i) out of bounds") }
            let b = try file.read(at: off, count: len)
            guard CRC32C.checksum(b) == crc else { throw DecodeError("\(path): checksum mismatch in section \(i)") }
            return b
        }
        var ids: [TraceID] = [], idPage: [UInt32] = [], pages: [PageRef] = []
        var idSpans: [UInt32] = [], idBytes: [UInt32] = []
        try section(0).withUnsafeBytes { raw in
            var r = ByteReader(raw)
            let n = try r.int()
            guard n <= r.remaining / 16 else { throw DecodeError("\(path): trace id index truncated") }
            ids.reserveCapacity(n)
            for _ in 0..<n { ids.append(TraceID(high: try r.u64(), low: try r.u64())) }
            idPage.reserveCapacity(n)
            for _ in 0..<n { idPage.append(UInt32(try r.int())) }
            if version >= 2 {
                idSpans.reserveCapacity(n)
                idBytes.reserveCapacity(n)
                for _ in 0..<n { idSpans.append(UInt32(truncatingIfNeeded: try r.uvarint())) }
                for _ in 0..<n { idBytes.append(UInt32(truncatingIfNeeded: try r.uvarint())) }
            }
            let np = try r.int()
            for _ in 0..<np {
                pages.append(PageRef(offset: Int(try r.u64()), size: Int(try r.u32()), rawSize: Int(try r.u32()),
                                     crc: try r.u32()))
            }
        }
        guard idPage.allSatisfy({ Int($0) < pages.count }),
            pages.allSatisfy({ $0.offset >= 8 && $0.offset + $0.size <= fs - Self.footerSize })
        else { throw DecodeError("\(path): trace id index points outside the block") }
        self.ids = ids
        self.idPage = idPage
        self.pages = pages
        self.idSpans = idSpans
        self.idBytes = idBytes
        bloom = try section(1).withUnsafeBytes { raw in
            var r = ByteReader(raw)
            return try TraceIDBloom.decode(&r)
        }
        var codec = Codec.none
        meta = try section(3).withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var m = Meta(id: try r.string(), tenant: try r.string(), minTime: try r.i64(), maxTime: try r.i64(),
                         traceCount: try r.int(), spanCount: try r.int(), walCoverage: try r.u64())
            guard let c = Codec(rawValue: try r.u8()) else { throw DecodeError("\(path): unknown codec") }
            codec = c
            if version >= 2 {
                let n = try r.int()
                guard n <= r.remaining else { throw DecodeError("\(path): meta truncated") }
                for _ in 0..<n { m.replaces.append(try r.string()) }
            }
            return m
        }
        self.codec = codec
        searchRef = sections[2]
        self.path = path
        self.file = file
        fileSize = fs
        if version == 1 { try countTracesOfVersion1() }
    }

    /// Version 1 blocks carry no per-trace counts: take spans from the search index and bytes from the pages.
    private func countTracesOfVersion1() throws {
        let table = try loadSearchTable()
        guard table.traceIDs == ids else { throw DecodeError("\(path): search index and trace ids disagree") }
        idSpans = (0..<ids.count).map { UInt32(table.traceSpans[$0 + 1] - table.traceSpans[$0]) }
        var bytes: [TraceID: UInt32] = [:]
        try forEachPage { r in
            let n = try r.int()
            for _ in 0..<n {
                let tid = TraceID(high: try r.u64(), low: try r.u64())
                var total = 0
                for _ in 0..<(try r.int()) { total += try r.slice(try r.int()).count }
                bytes[tid] = UInt32(truncatingIfNeeded: total)
            }
        }
        idBytes = ids.map { bytes[$0] ?? 0 }
    }

    /// Spans and encoded bytes of trace `id` in this block, or nil when it has none.
    func counts(of id: TraceID) -> (spans: Int, bytes: Int)? {
        guard let i = position(of: id) else { return nil }
        return (Int(idSpans[i]), Int(idBytes[i]))
    }

    /// Where `id` is in `ids`: the bloom filter first, then a binary search.
    func position(of id: TraceID) -> Int? {
        guard bloom.mayContain(id) else { return nil }
        var lo = 0, hi = ids.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ids[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < ids.count && ids[lo] == id ? lo : nil
    }

    /// The page holding the spans of `id`, or nil when the block has none.
    func pageIndex(of id: TraceID) -> Int? { position(of: id).map { Int(idPage[$0]) } }

    /// Calls `body` with a reader over each decompressed page, in order.
    func forEachPage(_ body: (inout ByteReader) throws -> Void) throws {
        let d = Decompressor()
        var raw: [UInt8] = []
        for (p, ref) in pages.enumerated() {
            let compressed = try file.read(at: ref.offset, count: ref.size)
            guard CRC32C.checksum(compressed) == ref.crc else {
                throw DecodeError("\(path): checksum mismatch in page \(p)")
            }
            try compressed.withUnsafeBytes { try d.decompress($0, codec: codec, rawSize: ref.rawSize, into: &raw) }
            try raw.withUnsafeBytes { buf in
                var r = ByteReader(buf)
                try body(&r)
            }
        }
    }

    /// The trace's batches stored in this block, or nil. Reads and decompresses one page.
    func trace(_ id: TraceID, decompressor: Decompressor = Decompressor()) throws -> [ResourceSpans]? {
        guard let chunks = try chunks(of: id, decompressor: decompressor) else { return nil }
        var out: [ResourceSpans] = []
        for c in chunks {
            try c.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                out += try SpanCodec.decodeBatches(&r)
            }
        }
        return out
    }

    /// The trace's encoded chunks stored in this block, or nil. Reads and decompresses one page.
    func chunks(of id: TraceID, decompressor: Decompressor = Decompressor()) throws -> [[UInt8]]? {
        guard let p = pageIndex(of: id) else { return nil }
        let ref = pages[p]
        let compressed = try file.read(at: ref.offset, count: ref.size)
        guard CRC32C.checksum(compressed) == ref.crc else {
            throw DecodeError("\(path): checksum mismatch in page \(p)")
        }
        var raw: [UInt8] = []
        try compressed.withUnsafeBytes { try decompressor.decompress($0, codec: codec, rawSize: ref.rawSize, into: &raw) }
        return try raw.withUnsafeBytes { buf -> [[UInt8]]? in
            var r = ByteReader(buf)
            let n = try r.int()
            for _ in 0..<n {
                let tid = TraceID(high: try r.u64(), low: try r.u64())
                let chunks = try r.int()
                if tid != id {
                    for _ in 0..<chunks { _ = try r.slice(try r.int()) }
                    continue
                }
                var out: [[UInt8]] = []
                for _ in 0..<chunks { out.append(Array(try r.slice(try r.int()))) }
                return out
            }
            return nil
        }
    }

    /// Every trace of the block with its encoded chunks as stored, in id order (compaction), reading each page
    /// once.
    func forEachTrace(_ body: (TraceID, [[UInt8]]) throws -> Void) throws {
        try forEachPage { r in
            let n = try r.int()
            for _ in 0..<n {
                let tid = TraceID(high: try r.u64(), low: try r.u64())
                var chunks: [[UInt8]] = []
                for _ in 0..<(try r.int()) { chunks.append(Array(try r.slice(try r.int()))) }
                try body(tid, chunks)
            }
        }
    }

    /// Reads, checks and decodes the search index.
    func loadSearchTable() throws -> SpanTable {
        let b = try file.read(at: searchRef.offset, count: searchRef.length)
        guard CRC32C.checksum(b) == searchRef.crc else { throw DecodeError("\(path): checksum mismatch in search index") }
        return try b.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            let rawSize = try r.int()
            var out: [UInt8] = []
            try Decompressor().decompress(UnsafeRawBufferPointer(rebasing: raw[r.offset...]), codec: codec,
                                          rawSize: rawSize, into: &out)
            return try out.withUnsafeBytes { try SpanTable.decode($0) }
        }
    }

    // MARK: Writing

    /// One trace going into a block: its encoded chunks, stored as they are and indexed from their bytes.
    struct Input {
        var id: TraceID
        var chunks: [[UInt8]]
    }

    /// Writes and publishes a block of `traces` (any order) at `directory/<id>.mctb`; returns it opened.
    static func write(directory: String, tenant: String, traces input: [Input], walCoverage: UInt64,
                      replaces: [String] = [], options: TraceStoreOptions) throws -> TraceBlock? {
        guard !input.isEmpty else { return nil }
        let traces = input.sorted { $0.id < $1.id }
        // The search index first: it reads every span's bytes, and its columns give the per-trace counts and the
        // block's time range. Spans repeated within a trace are not counted (nor indexed).
        let tableBuilt = try SpanTable.build(chunks: traces.map { ($0.id, $0.chunks) })
        let compressor = Compressor(codec: options.codec, level: options.zstdLevel)
        var file = ByteWriter(capacity: traces.reduce(1024) { $0 + $1.chunks.reduce(0) { $0 + $1.count } } / 3)
        file.u32(magic)
        file.u32(version)
        var pages: [PageRef] = []
        var idPage: [UInt32] = []
        var page = ByteWriter(capacity: options.pageSize + 4096)
        var pageTraces = 0
        var body = ByteWriter(capacity: options.pageSize + 4096)
        func flushPage() throws {
            guard pageTraces > 0 else { return }
            page.uvarint(UInt64(pageTraces))
            page.raw(body.bytes)
            var compressed: [UInt8] = []
            try page.bytes.withUnsafeBytes { try compressor.compress($0, into: &compressed) }
            pages.append(PageRef(offset: file.count, size: compressed.count, rawSize: page.count,
                                 crc: CRC32C.checksum(compressed)))
            file.raw(compressed)
            page = ByteWriter(capacity: options.pageSize + 4096)
            body = ByteWriter(capacity: options.pageSize + 4096)
            pageTraces = 0
        }
        var minT = Int64.max, maxT = Int64.min
        let spans = tableBuilt.spanCount
        var bloom = TraceIDBloom(capacity: traces.count)
        var idSpans: [Int] = [], idBytes: [Int] = []
        idSpans.reserveCapacity(traces.count)
        idBytes.reserveCapacity(traces.count)
        for (i, t) in traces.enumerated() {
            body.u64(t.id.high)
            body.u64(t.id.low)
            body.uvarint(UInt64(t.chunks.count))
            var bytes = 0
            for c in t.chunks {
                body.blob(c)
                bytes += c.count
            }
            pageTraces += 1
            idPage.append(UInt32(pages.count))
            bloom.insert(t.id)
            let n = Int(tableBuilt.traceSpans[i + 1] - tableBuilt.traceSpans[i])
            if n > 0 {
                minT = min(minT, tableBuilt.traceStart[i])
                maxT = max(maxT, tableBuilt.traceEnd[i])
            }
            idSpans.append(n)
            idBytes.append(bytes)
            if body.count >= options.pageSize { try flushPage() }
        }
        try flushPage()
        var sections: [(Int, Int, UInt32)] = []
        func addSection(_ b: [UInt8]) {
            sections.append((file.count, b.count, CRC32C.checksum(b)))
            file.raw(b)
        }
        var index = ByteWriter(capacity: traces.count * 20 + pages.count * 20 + 16)
        index.uvarint(UInt64(traces.count))
        for t in traces {
            index.u64(t.id.high)
            index.u64(t.id.low)
        }
        for p in idPage { index.uvarint(UInt64(p)) }
        for n in idSpans { index.uvarint(UInt64(n)) }
        for n in idBytes { index.uvarint(UInt64(n)) }
        index.uvarint(UInt64(pages.count))
        for p in pages {
            index.u64(UInt64(p.offset))
            index.u32(UInt32(p.size))
            index.u32(UInt32(p.rawSize))
            index.u32(p.crc)
        }
        addSection(index.bytes)
        var bw = ByteWriter()
        bloom.encode(&bw)
        addSection(bw.bytes)
        let table = tableBuilt.encode()
        var search = ByteWriter(capacity: table.count / 3 + 16)
        search.uvarint(UInt64(table.count))
        try table.withUnsafeBytes { try compressor.compress($0, into: &search.bytes) }
        addSection(search.bytes)
        let id = blockID(minTime: minT == .max ? 0 : minT)
        var meta = ByteWriter()
        meta.string(id)
        meta.string(tenant)
        meta.i64(minT == .max ? 0 : minT)
        meta.i64(maxT == .min ? 0 : maxT)
        meta.uvarint(UInt64(traces.count))
        meta.uvarint(UInt64(spans))
        meta.u64(walCoverage)
        meta.u8(options.codec.rawValue)
        meta.uvarint(UInt64(replaces.count))
        for r in replaces { meta.string(r) }
        addSection(meta.bytes)
        for (off, len, crc) in sections {
            file.u64(UInt64(off))
            file.u32(UInt32(len))
            file.u32(crc)
        }
        file.u32(magic)
        file.u32(version)
        try FS.makeDirectories(directory)
        let path = directory + "/" + id + fileExtension
        try FS.publishAtomically(file.bytes, to: path)
        return try TraceBlock(path: path)
    }

    /// `<min start, 16 hex digits>-<random, 16 hex digits>`: sorts by time, never collides.
    static func blockID(minTime: Int64) -> String {
        let t = String(UInt64(bitPattern: minTime), radix: 16)
        let r = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return String(repeating: "0", count: 16 - t.count) + t + "-" + String(repeating: "0", count: 16 - r.count) + r
    }
}
