import Storage

/// One stream inside a block: its labels and its pages in time order (pages never overlap in time).
public struct BlockStream: Sendable {
    public let labels: LabelSet
    public let pages: [PageDescriptor]
}

/// Facts about a block recorded in its index.
public struct BlockMeta: Sendable {
    public var id: String
    public var tenant: String
    public var minTime: Int64
    public var maxTime: Int64
    /// Every WAL record in segments numbered below this is contained in this block (or an older one).
    public var walCoverage: UInt64
    /// Blocks this one replaces (compaction); if they still exist when the store opens, they are deleted.
    public var replaces: [String]
    public var entries: Int
    public var rawBytes: Int
}

/// An immutable, checksummed block file opened for reading. Byte layout in `Block+Format.md`.
public final class Block: @unchecked Sendable {
    static let magic = Array("MCLOGBLK".utf8)
    static let endMagic = Array("MCBLKEND".utf8)
    /// 2: pages may hold metadata columns (page flag 4) and the index a metadata filter per page.
    static let version: UInt8 = 2
    /// Oldest version still read (pages with per-entry metadata strings, no metadata filters).
    static let oldestReadableVersion: UInt8 = 1
    static let footerSize = 28
    public static let fileExtension = ".mcb"

    public let path: String
    public let meta: BlockMeta
    public let streams: [BlockStream]
    /// label name → value → indices into `streams`, ascending.
    public let postings: [String: [String: [Int32]]]
    public let storedBytes: Int
    let file: FileHandle

    /// Opens a block, verifying its magic, footer and index checksum. Pages are verified when read.
    public init(path: String) throws {
        self.path = path
        file = try FileHandle.openForReading(path)
        let size = try file.size
        storedBytes = size
        guard size >= Block.magic.count + 1 + Block.footerSize else {
            throw DecodeError("block \(path) is too short (\(size) bytes)")
        }
        let footer = try file.read(at: size - Block.footerSize, count: Block.footerSize)
        let (indexOffset, indexLength, indexCRC) = try footer.withUnsafeBytes { b -> (Int, Int, UInt32) in
            var r = ByteReader(b)
            let o = try r.u64(), l = try r.u64(), c = try r.u32()
            guard Array(try r.slice(8)) == Block.endMagic else { throw DecodeError("block \(path): bad footer magic") }
            return (Int(o), Int(l), c)
        }
        guard indexOffset + indexLength + Block.footerSize == size else {
            throw DecodeError("block \(path): index bounds do not match file size")
        }
        let index = try file.read(at: indexOffset, count: indexLength)
        guard CRC32C.checksum(index) == indexCRC else {
            throw DecodeError("block \(path): index checksum mismatch")
        }
        (meta, streams, postings) = try index.withUnsafeBytes { try Block.decodeIndex($0, path: path) }
    }

    static func decodeIndex(_ b: UnsafeRawBufferPointer, path: String) throws
        -> (BlockMeta, [BlockStream], [String: [String: [Int32]]])
    {
        var r = ByteReader(b)
        let v = try r.u8()
        guard v >= oldestReadableVersion && v <= version else {
            throw DecodeError("block \(path): unsupported index version \(v)")
        }
        let id = try r.string()
        let tenant = try r.string()
        let minT = try r.i64(), maxT = try r.i64()
        let cov = try r.u64()
        var replaces: [String] = []
        for _ in 0..<(try r.int()) { replaces.append(try r.string()) }
        let entries = try r.int(), raw = Int(try r.uvarint())
        let meta = BlockMeta(id: id, tenant: tenant, minTime: minT, maxTime: maxT, walCoverage: cov,
                             replaces: replaces, entries: entries, rawBytes: raw)
        var streams: [BlockStream] = []
        let ns = try r.int()
        streams.reserveCapacity(ns)
        for _ in 0..<ns {
            var labels: [Label] = []
            for _ in 0..<(try r.int()) { labels.append(Label(try r.string(), try r.string())) }
            var pages: [PageDescriptor] = []
            for _ in 0..<(try r.int()) {
                let offset = Int(try r.uvarint()), stored = try r.int(), rawSize = try r.int()
                guard let codec = Codec(rawValue: try r.u8()) else { throw DecodeError("block \(path): unknown codec") }
                let crc = try r.u32()
                let pmin = try r.i64(), pmax = try r.i64()
                let count = try r.int()
                let words = try r.int()
                let bits = try Block.words(&r, words)
                var mdBloom: MetadataBloom?
                if v >= 2 {
                    let m = try r.int()
                    if m > 0 { mdBloom = MetadataBloom(words: try Block.words(&r, m - 1)) }
                }
                pages.append(PageDescriptor(offset: offset, storedSize: stored, rawSize: rawSize, codec: codec,
                                            checksum: crc, minTime: pmin, maxTime: pmax, count: count,
                                            bloom: NGramBloom(words: bits), metadataBloom: mdBloom))
            }
            streams.append(BlockStream(labels: LabelSet(trusted: labels), pages: pages))
        }
        var postings: [String: [String: [Int32]]] = [:]
        for _ in 0..<(try r.int()) {
            let name = try r.string()
            var values: [String: [Int32]] = [:]
            for _ in 0..<(try r.int()) {
                let value = try r.string()
                var ids: [Int32] = []
                var prev: Int32 = 0
                for _ in 0..<(try r.int()) {
                    prev += Int32(try r.int())
                    ids.append(prev)
                }
                values[value] = ids
            }
            postings[name] = values
        }
        return (meta, streams, postings)
    }

    /// `n` little-endian u64 words of a bit set.
    static func words(_ r: inout ByteReader, _ n: Int) throws -> [UInt64] {
        let raw = try r.slice(n * 8)
        return [UInt64](unsafeUninitializedCapacity: n) { buf, count in
            UnsafeMutableRawBufferPointer(buf).copyMemory(from: raw)
            count = n
        }
    }

    /// Reads a page's stored bytes and verifies its checksum.
    func readPage(_ p: PageDescriptor, into buffer: inout [UInt8]) throws {
        try file.read(at: p.offset, count: p.storedSize, into: &buffer)
        guard buffer.withUnsafeBytes({ CRC32C.checksum($0) }) == p.checksum else {
            throw CorruptPageError(path: path, offset: p.offset)
        }
    }

    /// Indices of the streams whose labels satisfy every matcher, using the postings for equality matchers.
    public func matchingStreams(_ matchers: [LabelMatcher]) -> [Int] {
        var candidates: [Int32]?
        for m in matchers where m.op == .eq && !m.value.isEmpty {
            let ids = postings[m.name]?[m.value] ?? []
            candidates = candidates.map { intersectSorted($0, ids) } ?? ids
            if candidates!.isEmpty { return [] }
        }
        for m in matchers where (m.op == .re) && !m.matchesEmpty {
            // Union of the postings of every value the regex accepts.
            var ids = Set<Int32>()
            for (value, list) in postings[m.name] ?? [:] where m.matches(value) { ids.formUnion(list) }
            let sorted = ids.sorted()
            candidates = candidates.map { intersectSorted($0, sorted) } ?? sorted
            if candidates!.isEmpty { return [] }
        }
        let base = candidates.map { $0.map(Int.init) } ?? Array(streams.indices)
        return base.filter { i in matchers.allSatisfy { $0.matches(streams[i].labels) } }
    }
}

/// A page whose stored bytes fail their checksum.
public struct CorruptPageError: Error, CustomStringConvertible {
    public let path: String
    public let offset: Int
    public var description: String { "corrupt page at offset \(offset) in block \(path): checksum mismatch" }
}

func intersectSorted(_ a: [Int32], _ b: [Int32]) -> [Int32] {
    var out: [Int32] = []
    var i = 0, j = 0
    while i < a.count && j < b.count {
        if a[i] == b[j] {
            out.append(a[i])
            i += 1
            j += 1
        } else if a[i] < b[j] { i += 1 } else { j += 1 }
    }
    return out
}
