import Testing
@testable import LogStore
import Storage

/// Structured metadata in columns: batches, WAL records (both types), pages (both forms) and the per-page
/// metadata filter that lets a select skip pages.
@Suite struct MetadataColumnsTests {
    static func sample() -> EntryBatch {
        var b = EntryBatch()
        b.append(timestamp: 3, line: "c", metadata: [Label("trace_id", "t3"), Label("status", "500")])
        b.append(timestamp: 1, line: "a")
        b.append(timestamp: 2, line: "b", metadata: [Label("status", "200")])
        b.append(timestamp: 2, line: "b", metadata: [Label("status", "200")])  // exact duplicate
        return b
    }

    @Test func batchesKeepMetadataAlignedThroughSortMergeAndSlices() {
        let b = Self.sample()
        #expect(b.metadata(0) == [Label("trace_id", "t3"), Label("status", "500")])
        #expect(b.metadata(1) == [])
        let sorted = b.sortedDeduplicated()
        #expect(sorted.timestamps == [1, 2, 3])
        #expect((0..<3).map(sorted.metadata) == [[], [Label("status", "200")], [Label("trace_id", "t3"), Label("status", "500")]])
        // Another batch with its names in another order: ids are mapped onto the first batch's table.
        var other = EntryBatch()
        other.append(timestamp: 9, line: "z", metadata: [Label("status", "404"), Label("path", "/x")])
        var merged = sorted
        merged.append(contentsOf: other)
        #expect(merged.metadata(3) == [Label("status", "404"), Label("path", "/x")])
        #expect(merged.metadata?.names == ["trace_id", "status", "path"])
        // A batch without metadata appended to one with: its entries get none.
        merged.append(contentsOf: batch([(10, "plain")]))
        #expect(merged.metadata(4) == [])
        #expect(merged.metadata?.count == merged.count)
        var one = EntryBatch()
        one.append(from: merged, 2)
        #expect(one.metadata(0) == [Label("trace_id", "t3"), Label("status", "500")])
    }

    @Test func reservedMetadataRoomStaysNilUntilAPairArrives() {
        var b = EntryBatch()
        b.reserveMetadata(entries: 8, pairs: 8, valueBytes: 64)
        b.append(timestamp: 1, line: "x")
        #expect(b.metadata == nil)
        let id = b.metadataNameID("status")
        b.append(timestamp: 2, line: "y")
        Array("500".utf8).withUnsafeBytes { b.appendMetadata(nameID: id, value: $0) }
        #expect(b.metadata?.count == 2)
        #expect(b.metadata(0) == [])
        #expect(b.metadata(1) == [Label("status", "500")])
    }

    @Test func byteAppendsNeedNoLabels() {
        var b = EntryBatch()
        let id = b.metadataNameID("client_ip")
        b.append(timestamp: 1, line: "x")
        Array("10.0.0.1".utf8).withUnsafeBytes { b.appendMetadata(nameID: id, value: $0) }
        b.append(timestamp: 2, line: "y")
        #expect(b.metadata(0) == [Label("client_ip", "10.0.0.1")])
        #expect(b.metadata(1) == [])
        #expect(b.metadata?.byteSize(0) == "client_ip".utf8.count + "10.0.0.1".utf8.count)
    }

    @Test func walRecordsRoundTripInColumns() throws {
        let b = Self.sample()
        let payload = WALRecord.encode(tenant: "t", streams: [(labels(["job": "a"]), b), (labels(["job": "b"]), batch([(5, "no md")]))])
        #expect(payload[0] == WALRecord.entriesType)
        let (tenant, streams) = try payload.withUnsafeBytes { try WALRecord.decode($0) }
        #expect(tenant == "t")
        #expect(streams.count == 2)
        let d = streams[0].1
        #expect(d.timestamps == b.timestamps)
        #expect((0..<d.count).map(d.lineString) == (0..<b.count).map(b.lineString))
        #expect((0..<d.count).map(d.metadata) == (0..<b.count).map(b.metadata))
        #expect(streams[1].1.metadata == nil)
    }

    /// A type-1 record, as written before the columns: metadata strings inside the entry loop.
    @Test func walRecordsOfTypeOneStillReplay() throws {
        var w = ByteWriter()
        w.u8(1)
        w.string("fake")
        w.uvarint(1)
        w.uvarint(1)
        w.string("job")
        w.string("api")
        w.uvarint(2)
        w.u8(1)
        w.svarint(10)
        w.uvarint(3)
        w.uvarint(1)
        w.string("trace_id")
        w.string("abc")
        w.svarint(20)
        w.uvarint(2)
        w.uvarint(0)
        w.raw(Array("onetw".utf8))
        let (_, streams) = try w.bytes.withUnsafeBytes { try WALRecord.decode($0) }
        let b = streams[0].1
        #expect(b.lineString(0) == "one")
        #expect(b.lineString(1) == "tw")
        #expect(b.metadata(0) == [Label("trace_id", "abc")])
        #expect(b.metadata(1) == [])
    }

    @Test func damagedColumnsAreDecodeErrors() throws {
        let payload = WALRecord.encode(tenant: "t", streams: [(labels(["job": "a"]), Self.sample())])
        // Cutting anywhere inside the record must throw, never trap or read out of bounds.
        for cut in stride(from: 1, to: payload.count, by: 1) {
            #expect(throws: DecodeError.self) { try payload[0..<cut].withUnsafeBytes { try WALRecord.decode($0) } }
        }
    }

    /// A page in the version-1 form (flag 2: metadata strings per entry) still parses.
    @Test func versionOnePagesStillParse() throws {
        var w = ByteWriter()
        w.u8(PageEncoder.flagMetadataV1)
        w.uvarint(2)
        w.i64(7)
        w.uvarint(1)
        w.uvarint(1)
        w.uvarint(1)
        w.string("status")
        w.string("500")
        w.uvarint(0)
        w.raw(Array("first\nsecond\n".utf8))
        let d = DecodedPage()
        d.raw = w.bytes
        #expect(try d.textOffset() == nil)
        try d.parse()
        #expect(d.timestamps == [7, 8])
        #expect(d.metadata(0) == [Label("status", "500")])
        #expect(d.metadata(1) == [])
        #expect(String(decoding: d.raw[d.lineRange(1)], as: UTF8.self) == "second")
    }

    @Test func pagesSkipTheirMetadataForALiteralSearch() throws {
        var state = PageEncoderState()
        let raw = PageEncoder.encode(Self.sample().sortedDeduplicated(), range: 0..<3, state: &state)
        let d = DecodedPage()
        d.raw = raw
        let text = try #require(try d.textOffset())
        try d.parse()
        #expect(text == d.textStart)
        #expect(String(decoding: d.raw[text...], as: UTF8.self) == "a\nb\nc\n")
    }

    @Test func metadataBloomHasNoFalseNegativesAndRejectsMostAbsentPairs() {
        var b = EntryBatch()
        for i in 0..<5000 {
            b.append(timestamp: Int64(i), line: "l", metadata: [Label("trace_id", "trace-\(i)"), Label("status", "200")])
        }
        var builder = MetadataBloom.Builder()
        builder.add(b.metadata!, 0..<b.count)
        let bloom = builder.finish()
        for i in 0..<5000 { #expect(bloom.mayContain(name: "trace_id", value: "trace-\(i)")) }
        #expect(bloom.mayContain(name: "status", value: "200"))
        let falsePasses = (5000..<15000).filter { bloom.mayContain(name: "trace_id", value: "trace-\($0)") }.count
        #expect(falsePasses < 10000 * 3 / 100)
        // The name is part of the key.
        #expect(!bloom.mayContain(name: "status", value: "trace-1") || !bloom.mayContain(name: "span_id", value: "trace-1"))
        #expect(MetadataBloom.Builder().finish().words.isEmpty)
        #expect(!MetadataBloom(words: []).mayContain(name: "a", value: "b"))
    }

    /// Pages whose metadata filter lacks a hinted pair are skipped; the rest is returned exactly as before.
    @Test func selectSkipsPagesByMetadataHints() throws {
        let dir = temporaryDirectory()
        let store = try LogStore(directory: dir, options: smallOptions())
        // 40 pages of ~4 KiB; trace "wanted" only in entries 2000 and 5001; one stream has trace_id as a label.
        var b = EntryBatch()
        for i in 0..<8000 {
            let trace = i == 2000 || i == 5001 ? "wanted" : "t\(i)"
            b.append(timestamp: Int64(i) * 1_000_000, line: "GET /api/\(i) 200", metadata: [Label("trace_id", trace)])
        }
        try store.append(tenant: "fake", [(labels(["job": "api"]), b),
                                          (labels(["job": "api", "trace_id": "wanted"]), batch([(1, "labelled")]))])
        try store.flush()
        func run(_ hints: [Label]) throws -> ([String], SelectStats) {
            var out: [String] = []
            var r = SelectRequest(matchers: [eq("job", "api")], direction: .forward)
            r.metadataHints = hints
            let stats = try store.select(r) { e in
                if (e.metadata.first { $0.name == "trace_id" }?.value ?? e.labels["trace_id"]) == "wanted" {
                    out.append(String(decoding: e.line, as: UTF8.self))
                }
                return true
            }
            return (out, stats)
        }
        let (all, full) = try run([])
        let (hinted, stats) = try run([Label("trace_id", "wanted")])
        #expect(all == ["labelled", "GET /api/2000 200", "GET /api/5001 200"])
        #expect(hinted == all)
        #expect(full.pagesSkippedByMetadata == 0)
        #expect(stats.pagesTotal > 20)
        #expect(stats.pagesSkippedByMetadata >= stats.pagesTotal - 6)
        #expect(stats.pagesScanned <= 6)
        // A pair no page has: the labelled stream's label is another value, and its page has no metadata.
        let (_, noneStats) = try run([Label("trace_id", "absent")])
        #expect(noneStats.pagesScanned <= 3)
        #expect(noneStats.pagesSkippedByMetadata >= noneStats.pagesTotal - 3)
        store.close()
        // Reopened: the blocks' filters are read back from the index.
        let again = try LogStore(directory: dir, options: smallOptions())
        var r = SelectRequest(matchers: [eq("job", "api")])
        r.metadataHints = [Label("trace_id", "wanted")]
        var n = 0
        let st = try again.select(r) { _ in
            n += 1
            return true
        }
        #expect(st.pagesSkippedByMetadata == stats.pagesSkippedByMetadata)
        #expect(n > 0)
        again.close()
    }

    /// The index keeps "no filter" (a page compaction copied from a version-1 block: always read) apart from
    /// "no metadata" (an empty filter: skipped by any hint).
    @Test func blockIndexKeepsMissingFiltersApartFromEmptyOnes() throws {
        let dir = temporaryDirectory()
        var withMD = EntryBatch()
        withMD.append(timestamp: 1, line: "x", metadata: [Label("trace_id", "a")])
        var state = PageEncoderState()
        var copied = try EncodedPage.make(withMD, range: 0..<1, compressor: Compressor(codec: .zstd), state: &state)
        copied.descriptor.metadataBloom = nil
        let plain = try EncodedPage.make(batch([(2, "y")]), range: 0..<1, compressor: Compressor(codec: .zstd), state: &state)
        let filtered = try EncodedPage.make(withMD, range: 0..<1, compressor: Compressor(codec: .zstd), state: &state)
        let writer = try BlockWriter(path: dir + "/b.mcb")
        writer.beginStream(labels(["job": "a"]))
        try writer.append(copied)
        writer.beginStream(labels(["job": "b"]))
        try writer.append(plain)
        writer.beginStream(labels(["job": "c"]))
        try writer.append(filtered)
        let block = try writer.finish(id: "b", tenant: "fake", walCoverage: 0, replaces: [])
        let pages = block.streams.map { $0.pages[0].metadataBloom }
        #expect(pages[0] == nil)
        #expect(pages[1] == MetadataBloom(words: []))
        #expect(pages[2]?.mayContain(name: "trace_id", value: "a") == true)
    }

    @Test func metadataSurvivesWALReplay() throws {
        let dir = temporaryDirectory()
        let store = try LogStore(directory: dir, options: smallOptions())
        try store.append(tenant: "fake", [(labels(["job": "a"]), Self.sample())])
        store.close()
        let again = try LogStore(directory: dir, options: smallOptions())
        var got: [[Label]] = []
        try again.select(SelectRequest(matchers: [eq("job", "a")], direction: .forward)) { e in
            got.append(e.metadata)
            return true
        }
        #expect(got == [[], [Label("status", "200")], [Label("trace_id", "t3"), Label("status", "500")]])
        again.close()
    }
}
