import Storage

/// A page ready to be written: its stored bytes and its descriptor (offset filled in by the writer).
struct EncodedPage {
    var stored: [UInt8]
    var descriptor: PageDescriptor
}

extension EncodedPage {
    /// Encodes and compresses entries `range` of a time-sorted batch.
    static func make(_ batch: EntryBatch, range: Range<Int>, compressor: Compressor,
                     state: inout PageEncoderState) throws -> EncodedPage {
        try make(MergedStream([batch]), range: range, compressor: compressor, state: &state)
    }

    /// Encodes and compresses entries `range` of a merged stream.
    static func make(_ stream: MergedStream, range: Range<Int>, compressor: Compressor,
                     state: inout PageEncoderState) throws -> EncodedPage {
        state.bloom.reset()
        state.metadataBloom.reset()
        let raw = PageEncoder.encodeInScratch(stream, range: range, state: &state)
        var stored: [UInt8] = []
        try compressor.compress(raw, into: &stored)
        let crc = stored.withUnsafeBytes { CRC32C.checksum($0) }
        return EncodedPage(
            stored: stored,
            descriptor: PageDescriptor(
                offset: 0, storedSize: stored.count, rawSize: raw.count, codec: compressor.codec, checksum: crc,
                minTime: stream.timestamp(range.lowerBound), maxTime: stream.timestamp(range.upperBound - 1),
                count: range.count, bloom: state.bloom.finish(), metadataBloom: state.metadataBloom.finish()))
    }
}

/// Writes a block file to `<path>.tmp`, then fsyncs and renames it into place.
final class BlockWriter {
    let path: String
    let tmp: String
    let file: FileHandle
    var offset = 0
    var streams: [(LabelSet, [PageDescriptor])] = []
    var minTime = Int64.max, maxTime = Int64.min
    var entries = 0, rawBytes = 0

    init(path: String) throws {
        self.path = path
        tmp = path + ".tmp"
        file = try FileHandle(path: tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        var header = Block.magic
        header.append(Block.version)
        try file.write(header)
        offset = header.count
    }

    func beginStream(_ labels: LabelSet) { streams.append((labels, [])) }

    func append(_ page: EncodedPage) throws {
        var d = page.descriptor
        d.offset = offset
        try file.write(page.stored)
        offset += page.stored.count
        streams[streams.count - 1].1.append(d)
        minTime = min(minTime, d.minTime)
        maxTime = max(maxTime, d.maxTime)
        entries += d.count
        rawBytes += d.rawSize
    }

    /// Writes the index and footer, makes the file durable and publishes it. Streams without pages are dropped.
    func finish(id: String, tenant: String, walCoverage: UInt64, replaces: [String]) throws -> Block {
        let kept = streams.filter { !$0.1.isEmpty }.sorted { $0.0 < $1.0 }
        var w = ByteWriter(capacity: 4096)
        w.u8(Block.version)
        w.string(id)
        w.string(tenant)
        w.i64(kept.isEmpty ? 0 : minTime)
        w.i64(kept.isEmpty ? 0 : maxTime)
        w.u64(walCoverage)
        w.uvarint(UInt64(replaces.count))
        for r in replaces { w.string(r) }
        w.uvarint(UInt64(entries))
        w.uvarint(UInt64(rawBytes))
        w.uvarint(UInt64(kept.count))
        var postings: [String: [String: [Int32]]] = [:]
        for (i, (labels, pages)) in kept.enumerated() {
            w.uvarint(UInt64(labels.labels.count))
            for l in labels.labels {
                w.string(l.name)
                w.string(l.value)
                postings[l.name, default: [:]][l.value, default: []].append(Int32(i))
            }
            w.uvarint(UInt64(pages.count))
            for p in pages {
                w.uvarint(UInt64(p.offset))
                w.uvarint(UInt64(p.storedSize))
                w.uvarint(UInt64(p.rawSize))
                w.u8(p.codec.rawValue)
                w.u32(p.checksum)
                w.i64(p.minTime)
                w.i64(p.maxTime)
                w.uvarint(UInt64(p.count))
                w.uvarint(UInt64(p.bloom.words.count))
                for word in p.bloom.words { w.u64(word) }
                // 0: no filter (a page copied from a version-1 block); else 1 + words (0 words: no metadata).
                if let md = p.metadataBloom {
                    w.uvarint(UInt64(md.words.count) + 1)
                    for word in md.words { w.u64(word) }
                } else {
                    w.uvarint(0)
                }
            }
        }
        w.uvarint(UInt64(postings.count))
        for name in postings.keys.sorted() {
            let values = postings[name]!
            w.string(name)
            w.uvarint(UInt64(values.count))
            for value in values.keys.sorted() {
                w.string(value)
                let ids = values[value]!
                w.uvarint(UInt64(ids.count))
                var prev: Int32 = 0
                for id in ids {
                    w.uvarint(UInt64(id - prev))
                    prev = id
                }
            }
        }
        let indexOffset = offset
        try file.write(w.bytes)
        var footer = ByteWriter(capacity: Block.footerSize)
        footer.u64(UInt64(indexOffset))
        footer.u64(UInt64(w.count))
        footer.u32(CRC32C.checksum(w.bytes))
        footer.raw(Block.endMagic)
        try file.write(footer.bytes)
        try file.sync()
        try FS.rename(tmp, path)
        try FS.syncDirectory(FS.parentDirectory(path))
        return try Block(path: path)
    }

    /// Removes the temp file after a failed write.
    func abandon() { try? FS.remove(tmp) }
}

#if canImport(Glibc)
import Glibc
#endif
