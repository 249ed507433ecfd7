import Foundation
import Storage
import Testing
@testable import TraceStore

func temporaryDirectory(_ name: String = #function) -> String {
    let d = NSTemporaryDirectory() + "mclog-traces-" + name.filter { $0.isLetter } + "-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

func testOptions() -> TraceStoreOptions {
    var o = TraceStoreOptions()
    o.backgroundIntervalSeconds = 0
    return o
}

/// A span of trace `t` with the given fields (ids are small numbers, printed as hex).
func span(_ t: UInt64, _ id: UInt64, parent: UInt64 = 0, name: String, start: Int64, ms: Int64,
          status: StatusCode = .unset, kind: SpanKind = .internal, attrs: [Attribute] = []) -> Span {
    var s = Span(traceID: TraceID(high: 0xabc, low: t), spanID: SpanID(id), parentSpanID: SpanID(parent), name: name,
                 start: start, end: start + ms * 1_000_000)
    s.status = status
    s.kind = kind
    s.attributes = attrs
    return s
}

func batch(_ service: String, _ spans: [Span], resource: [Attribute] = []) -> ResourceSpans {
    ResourceSpans(resource: [Attribute("service.name", .string(service))] + resource,
                  scopes: [ScopeSpans(scope: InstrumentationScope(name: "test"), spans: spans)])
}

let t0: Int64 = 1_700_000_000_000_000_000

@Suite struct StoreTests {
    @Test func spansAreFoundByIdInHeadAfterFlushAndAfterReopen() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let batches = try OTLPJSON.decode(try readShared("otlp-proto-examples/trace.json"))
        let id = TraceID(hex: "5B8EFFF798038103D269B633813FC60C")!
        do {
            let store = try TraceStore(directory: dir, options: testOptions())
            let r = try store.append(tenant: "fake", batches)
            #expect(r.acceptedSpans == 1 && r.rejectedSpans == 0)
            #expect(try store.trace(tenant: "fake", id: id)?.batches == batches)
            #expect(try store.trace(tenant: "other", id: id) == nil)
            store.close()
        }
        do {
            // Not flushed: the WAL brings it back.
            let store = try TraceStore(directory: dir, options: testOptions())
            #expect(store.openReport.replayedSpans == 1)
            #expect(try store.trace(tenant: "fake", id: id)?.batches == batches)
            try store.flush()
            #expect(store.stats().blocks == 1)
            #expect(try store.trace(tenant: "fake", id: id)?.batches == batches)
            store.close()
        }
        do {
            // Flushed: from the block, and the WAL replays nothing.
            let store = try TraceStore(directory: dir, options: testOptions())
            #expect(store.openReport.replayedSpans == 0)
            #expect(store.openReport.blocks == 1)
            #expect(try store.trace(tenant: "fake", id: id)?.batches == batches)
            #expect(try store.trace(tenant: "fake", id: TraceID(high: 1, low: 2)) == nil)
            store.close()
        }
    }

    @Test func spansOfOneTraceInSeveralBatchesAndBlocksFormOneTrace() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        try store.append(tenant: "fake", [batch("web", [span(1, 1, name: "GET /", start: t0, ms: 900, kind: .server)])])
        try store.flush()
        // Minutes later, the downstream service reports its spans.
        try store.append(tenant: "fake", [batch("api", [span(1, 2, parent: 1, name: "SELECT", start: t0 + 1_000_000, ms: 300)])])
        try store.flush()
        try store.append(tenant: "fake", [batch("db", [span(1, 3, parent: 2, name: "query", start: t0 + 2_000_000, ms: 200,
                                                            status: .error)])])
        let trace = try #require(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 1)))
        #expect(trace.spanCount == 3)
        #expect(Set(trace.spans.map(\.service)) == ["web", "api", "db"])
        // The structural search sees the parts of different blocks as one trace only within one part; the
        // trace still matches by its spans.
        var req = TraceSearchRequest(query: try TraceQL.parse("{ status = error }"))
        req.limit = 10
        let found = try store.search(tenant: "fake", req)
        #expect(found.traces.map(\.traceID) == [TraceID(high: 0xabc, low: 1)])
    }

    @Test func manyTracesAcrossPagesAreFoundByIdAndBloomRejectsOthers() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.pageSize = 4096
        let store = try TraceStore(directory: dir, options: o)
        defer { store.close() }
        var spans: [Span] = []
        for t in 1...2000 as ClosedRange<UInt64> {
            spans.append(span(t, t * 10, name: "op\(t % 7)", start: t0 + Int64(t) * 1000, ms: Int64(t % 50),
                              attrs: [Attribute("n", .int(Int64(t)))]))
        }
        try store.append(tenant: "fake", [batch("svc", spans)])
        try store.flush()
        for t in stride(from: 1, through: 2000, by: 97) as StrideThrough<UInt64> {
            let tr = try #require(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: t)))
            #expect(tr.spans.map(\.span.spanID) == [SpanID(t * 10)])
        }
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 5000)) == nil)
        let blocks = store.blocks["fake"]!
        #expect(blocks.count == 1)
        // ~1 % false positives for the bloom filter over ids not in the block.
        let fp = (10_000..<20_000).filter { blocks[0].pageIndex(of: TraceID(high: 7, low: UInt64($0))) != nil }.count
        #expect(fp == 0)  // the sorted ids settle the bloom filter's false positives
    }

    @Test func limitsRejectSpansWithClearReasonsAndKeepTheRest() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.limits.maxSpansPerTrace = 3
        o.limits.maxAttributeBytes = 100
        o.limits.maxTraceBytes = 100_000
        let store = try TraceStore(directory: dir, options: o)
        defer { store.close() }
        let long = String(repeating: "x", count: 101)
        let r1 = try store.append(tenant: "fake", [batch("svc", [
            span(1, 1, name: "a", start: t0, ms: 1), span(1, 2, name: "b", start: t0, ms: 1),
            span(2, 3, name: "c", start: t0, ms: 1, attrs: [Attribute("sql", .string(long))]),
        ])])
        #expect(r1.acceptedSpans == 2)
        #expect(r1.rejectedSpans == 1)
        #expect(r1.message.contains("attribute sql of span 0000000000000003 of trace 0000000000000abc0000000000000002 is 101 bytes long, more than the limit max_attribute_bytes=100"))
        let r2 = try store.append(tenant: "fake", [batch("svc", [span(1, 4, name: "d", start: t0, ms: 1),
                                                                 span(1, 5, name: "e", start: t0, ms: 1)])])
        #expect(r2.acceptedSpans == 0 && r2.rejectedSpans == 2)
        #expect(r2.message == "trace 0000000000000abc0000000000000001 would have 4 spans, more than the limit max_spans_per_trace=3")
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 0, low: 1)) == nil)
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 1))?.spanCount == 2)
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 2)) == nil)
        #expect(throws: TraceStoreError.self) { try store.append(tenant: "../x", []) }
    }

    @Test func tornWALTailIsTruncatedAndReportedAndEarlierSpansSurvive() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try TraceStore(directory: dir, options: testOptions())
            try store.append(tenant: "fake", [batch("svc", [span(1, 1, name: "a", start: t0, ms: 1)])])
            try store.append(tenant: "fake", [batch("svc", [span(2, 2, name: "b", start: t0, ms: 1)])])
            store.close()
        }
        let seg = try WAL.segments(in: dir + "/wal").last!
        let path = dir + "/wal/" + String(repeating: "0", count: 16 - String(seg).count) + String(seg) + ".wal"
        let size = FS.fileSize(path)!
        try FileHandle(path: path, flags: O_WRONLY).truncate(to: size - 5)
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        #expect(store.openReport.damage.count == 1)
        #expect(store.openReport.replayedSpans == 1)
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 1)) != nil)
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 2)) == nil)
    }

    @Test func damagedBlockIsReportedNotFatal() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try TraceStore(directory: dir, options: testOptions())
            try store.append(tenant: "fake", [batch("svc", [span(1, 1, name: "a", start: t0, ms: 1)])])
            try store.flush()
            store.close()
        }
        let blockDir = dir + "/tenants/fake/blocks"
        let name = try FS.list(blockDir).first { $0.hasSuffix(".mctb") }!
        var bytes = try FS.readFile(blockDir + "/" + name)
        bytes[bytes.count - 80] ^= 0xFF  // inside the meta section
        try FS.publishAtomically(bytes, to: blockDir + "/" + name)
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        #expect(store.openReport.damage.count == 1)
        #expect(store.openReport.damage[0].contains("checksum mismatch"))
    }
}
