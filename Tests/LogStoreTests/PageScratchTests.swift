import Testing
@testable import LogStore
import Storage

/// The page encoder's buffers and filters are built in one pass with reused scratch; these pin that they hold
/// exactly what the plain definitions give (the bloom of every 4-gram of the lines region, the metadata columns
/// of the page's entries) so that what is stored does not depend on the shortcut.
@Suite struct PageScratchTests {
    /// One gram at a time, the definition the filter is queried by.
    static func referenceBloom(_ bytes: [UInt8]) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: NGramBloom.scratchBits / 64)
        guard bytes.count >= NGramBloom.gramSize else { return words }
        bytes.withUnsafeBytes { p in
            for i in 0...(bytes.count - NGramBloom.gramSize) {
                let h = NGramBloom.hash(p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) & UInt64(NGramBloom.scratchBits - 1)
                words[Int(h >> 6)] |= UInt64(1) << (h & 63)
            }
        }
        return words
    }

    static func pseudoRandomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        return (0..<n).map { _ in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return UInt8(truncatingIfNeeded: x >> 24)
        }
    }

    @Test("the 8-byte-load bloom sets the same bits as one load per gram", arguments: [0, 3, 4, 5, 7, 8, 9, 12, 13, 64, 1001])
    func bloomAddMatchesDefinition(_ n: Int) {
        let bytes = Self.pseudoRandomBytes(n, seed: UInt64(n) + 7)
        var b = NGramBloom.Builder()
        bytes.withUnsafeBytes { b.add($0) }
        #expect(b.scratch == Self.referenceBloom(bytes))
    }

    /// Lines with and without metadata, long enough that the page's bloom is built in several pieces.
    static func accessLines(_ n: Int, from: Int = 0, metadataEvery: Int = 3) -> EntryBatch {
        var b = EntryBatch()
        for i in from..<(from + n) {
            let line = "10.\(i % 250).\(i / 250).7 - - \"GET /item/\(i * 7919) HTTP/1.1\" \(200 + i % 5) \(i * 31)"
            let md = i % metadataEvery == 0 ? [] : [Label("client_ip", "10.\(i % 250)"), Label("status", "\(200 + i % 5)")]
            b.append(timestamp: Int64(1_700_000_000 + i / 4) * 1_000_000_000, line: line, metadata: md)
        }
        return b
    }

    @Test("pages built from one or several batches: bloom and metadata as the plain definitions give",
          arguments: [[2000], [700, 900, 1], [1, 1500]])
    func pageFiltersAndMetadataMatchDefinitions(_ sizes: [Int]) throws {
        var batches: [EntryBatch] = []
        var from = 0
        for n in sizes {
            batches.append(Self.accessLines(n, from: from))
            from += n
        }
        let stream = MergedStream(batches)
        var state = PageEncoderState()
        // Twice through the same state: the second page must not see the first one's scratch.
        for range in [0..<stream.count, 1..<(stream.count - 1)] {
            let page = try EncodedPage.make(stream, range: range, compressor: Compressor(codec: .zstd), state: &state)
            let d = DecodedPage()
            try page.stored.withUnsafeBytes {
                try Decompressor().decompress($0, codec: .zstd, rawSize: page.descriptor.rawSize, into: &d.raw)
            }
            try d.parse()
            #expect(d.count == range.count)
            var reference = NGramBloom.Builder()
            reference.scratch = Self.referenceBloom(Array(d.raw[d.textStart...]))
            #expect(page.descriptor.bloom == reference.finish())
            let columns = stream.metadataColumns(range)
            var expected = ByteWriter()
            columns.encode(into: &expected)
            var got = ByteWriter()
            d.metadata?.encode(into: &got)
            #expect(got.bytes == expected.bytes)
            #expect((0..<d.count).map { d.metadata($0) } == (0..<columns.count).map { columns.labels($0) })
        }
    }

    @Test("encoding a run of a batch's metadata equals copying it out first", arguments: [0..<6, 1..<5, 2..<4, 3..<6, 0..<2])
    func metadataRunEncoding(_ run: Range<Int>) {
        var b = EntryBatch()
        let pairs: [[Label]] = [[], [Label("a", "1")], [Label("b", "22"), Label("a", "3")], [], [Label("c", "x")], []]
        for (i, md) in pairs.enumerated() { b.append(timestamp: Int64(i), line: "l\(i)", metadata: md) }
        let md = b.metadata!
        var copy = EntryMetadata()
        copy.append(from: md, run)
        var expected = ByteWriter()
        copy.encode(into: &expected)
        var got = ByteWriter()
        md.encode(entries: run, into: &got)
        #expect(got.bytes == expected.bytes)
    }
}
