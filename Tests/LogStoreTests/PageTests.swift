import Testing
@testable import LogStore
import Storage

@Suite struct PageTests {
    static let cases: [(String, [(Int64, String)], [[Label]]?)] = [
        ("second-resolution access log", (0..<100).map { (Int64(1_700_000_000 + $0 / 3) * 1_000_000_000, "GET /item/\($0) 200") }, nil),
        ("nanosecond timestamps", [(1, "a"), (2, "b"), (1_000_000_007, "c")], nil),
        ("equal timestamps", [(5, "x"), (5, "y"), (5, "z")], nil),
        ("empty and unicode lines", [(1, ""), (2, "ünïcödé ✓"), (3, "")], nil),
        ("embedded newlines", [(1, "Traceback (most recent call last):\n  File \"x.py\"\nValueError"), (2, "next")], nil),
        ("structured metadata", [(1, "a"), (2, "b")], [[Label("trace_id", "abc123")], []]),
        ("negative timestamps", [(-5_000_000_000, "before epoch"), (0, "epoch")], nil),
    ]

    @Test("pages round-trip", arguments: cases.indices)
    func roundTrip(_ i: Int) throws {
        let (_, entries, md) = PageTests.cases[i]
        var b = EntryBatch()
        for (k, (t, l)) in entries.enumerated() { b.append(timestamp: t, line: l, metadata: md?[k] ?? []) }
        for codec in Codec.allCases {
            var state = PageEncoderState()
            let page = try EncodedPage.make(b, range: 0..<b.count, compressor: Compressor(codec: codec), state: &state)
            #expect(page.descriptor.count == entries.count)
            #expect(page.descriptor.minTime == entries.first!.0)
            #expect(page.descriptor.maxTime == entries.last!.0)
            #expect(page.descriptor.checksum == CRC32C.checksum(page.stored))
            let d = DecodedPage()
            try page.stored.withUnsafeBytes {
                try Decompressor().decompress($0, codec: codec, rawSize: page.descriptor.rawSize, into: &d.raw)
            }
            try d.parse()
            #expect(d.count == entries.count)
            #expect(d.timestamps == entries.map(\.0))
            for k in 0..<d.count {
                #expect(String(decoding: d.raw[d.lineRange(k)], as: UTF8.self) == entries[k].1)
                #expect(d.metadata(k) == (md?[k] ?? []))
            }
        }
    }

    @Test func subrangeEncodesOnlyThoseEntries() throws {
        let b = batch([(1, "one"), (2, "two"), (3, "three"), (4, "four")])
        var state = PageEncoderState()
        let raw = PageEncoder.encode(b, range: 1..<3, state: &state)
        let d = DecodedPage()
        d.raw = raw
        try d.parse()
        #expect(d.timestamps == [2, 3])
        #expect(String(decoding: d.raw[d.lineRange(1)], as: UTF8.self) == "three")
    }

    @Test func truncatedPageIsAnError() {
        let b = batch([(1, "one"), (2, "two")])
        var state = PageEncoderState()
        let raw = PageEncoder.encode(b, range: 0..<2, state: &state)
        let d = DecodedPage()
        d.raw = Array(raw.dropLast(2))
        #expect(throws: DecodeError.self) { try d.parse() }
    }

    @Test("bloom answers substring questions", arguments: [
        ("203.0.113.77", true), ("GET /api", true), ("Mozilla/5.0", true), ("113.77 -", true),
        ("no-such-literal", false), ("203.0.113.78", false), ("198.51.100.1", false),
        ("abc", true),  // shorter than a gram: cannot be ruled out
    ])
    func bloom(_ literal: String, _ present: Bool) {
        var builder = NGramBloom.Builder()
        for line in ["203.0.113.77 - - \"GET /api/v1 HTTP/1.1\" 200 Mozilla/5.0", "10.0.0.1 POST /login 302"] {
            var l = line
            l.withUTF8 { builder.add(UnsafeRawBufferPointer($0)) }
        }
        let bloom = builder.finish()
        if present {
            #expect(bloom.mayContain(Array(literal.utf8)))
        } else {
            #expect(!bloom.mayContain(Array(literal.utf8)))
        }
    }

    @Test func bloomShrinksForSmallPagesAndStaysUsefulForLargeOnes() {
        var small = NGramBloom.Builder()
        var l = "tiny page"
        l.withUTF8 { small.add(UnsafeRawBufferPointer($0)) }
        #expect(small.finish().byteCount == NGramBloom.minBits / 8)
        var big = NGramBloom.Builder()
        for i in 0..<20000 {
            var line = "10.\(i % 250).\(i / 250).\(i % 7) GET /item/\(i * 7919) 200 \(i * 31)\n"
            line.withUTF8 { big.add(UnsafeRawBufferPointer($0)) }
        }
        let f = big.finish()
        #expect(f.byteCount < 64 << 10)
        #expect(!f.mayContain(Array("POST /login".utf8)))
    }
}


@Suite struct PostingsTests {
    static let streams: [[String: String]] = [
        ["job": "nginx", "zone": "kzone", "host": "edge-1"],
        ["job": "nginx", "zone": "univprepai", "host": "edge-2"],
        ["job": "backend", "zone": "kzone"],
        ["job": "ai-engine", "zone": "kzone", "engine": "vllm"],
        ["job": "ai-engine", "zone": "skillprepai", "engine": "whisper"],
    ]

    /// Matchers in, indices (into `streams`) of the selected streams out.
    @Test("postings select the right streams", arguments: [
        ([("job", LabelMatcher.Op.eq, "nginx")], [0, 1]),
        ([("zone", .eq, "kzone")], [0, 2, 3]),
        ([("job", .eq, "nginx"), ("zone", .eq, "kzone")], [0]),
        ([("job", .eq, "nginx"), ("zone", .eq, "skillprepai")], []),
        ([("job", .re, "ai-.*|backend")], [2, 3, 4]),
        ([("job", .re, "ai-engine"), ("engine", .neq, "vllm")], [4]),
        ([("zone", .eq, "kzone"), ("engine", .eq, "")], [0, 2]),
        ([("zone", .eq, "kzone"), ("engine", .re, ".+")], [3]),
        ([("host", .nre, "edge-1"), ("job", .eq, "nginx")], [1]),
        ([("job", .eq, "nope")], []),
        ([("job", .re, ".*"), ("zone", .neq, "kzone")], [1, 4]),
    ] as [([(String, LabelMatcher.Op, String)], [Int])])
    func select(_ spec: [(String, LabelMatcher.Op, String)], _ expected: [Int]) throws {
        let dir = temporaryDirectory()
        let store = try LogStore(directory: dir, options: smallOptions())
        let sets = try PostingsTests.streams.map { try LabelSet($0.map { Label($0.key, $0.value) }) }
        try store.append(tenant: "fake", sets.enumerated().map { ($0.element, batch([(1, "stream \($0.offset)")])) })
        try store.flush()
        let block = try Block(path: dir + "/tenants/fake/blocks/" + (try FS.list(dir + "/tenants/fake/blocks")[0]))
        let matchers = try spec.map { try LabelMatcher($0.0, $0.1, $0.2) }
        let got = block.matchingStreams(matchers).map { block.streams[$0].labels }
        #expect(Set(got) == Set(expected.map { sets[$0] }))
        #expect(Set(try store.lines(matchers).map(\.2)) == Set(expected.map { "stream \($0)" }))
    }
}
