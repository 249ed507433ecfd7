import Foundation
import Storage
import Testing
@testable import TraceStore

/// Spans of one trace that arrive in several requests, minutes apart, so that the first part is already in a
/// block (or in a head waiting for its block) when the rest comes: reads, searches and limits see one trace.
@Suite struct SplitTraceTests {
    static let id = TraceID(high: 0xabc, low: 1)

    /// Appends the three parts of trace 1 (web → api → db), flushing between them, plus an unrelated trace 2.
    /// `flushLast` puts the third part in a block too.
    static func threeParts(_ store: TraceStore, flushLast: Bool) throws {
        try store.append(tenant: "fake", [batch("web", [span(1, 1, name: "GET /", start: t0, ms: 900, kind: .server)])])
        try store.append(tenant: "fake", [batch("other", [span(2, 9, name: "cron", start: t0, ms: 5)])])
        try store.flush()
        try store.append(tenant: "fake", [batch("api", [
            span(1, 2, parent: 1, name: "SELECT", start: t0 + 100_000_000, ms: 300, kind: .client),
        ])])
        try store.flush()
        try store.append(tenant: "fake", [batch("db", [
            span(1, 3, parent: 2, name: "query", start: t0 + 200_000_000, ms: 2_000, status: .error, kind: .server),
        ])])
        if flushLast { try store.flush() }
    }

    static func search(_ store: TraceStore, _ q: String) throws -> [TraceSearchResult] {
        var req = TraceSearchRequest(query: try TraceQL.parse(q))
        req.limit = 10
        return try store.search(tenant: "fake", req).traces
    }

    @Test(arguments: [false, true])
    func searchSeesAllPartsAsOneTrace(flushLast: Bool) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        try Self.threeParts(store, flushLast: flushLast)
        // The part with the error span alone has no root; the trace's root is web's span in another block,
        // its duration runs from web's start to db's end, and it has three spans.
        let r = try #require(try Self.search(store, "{ status = error }").first)
        #expect(r.traceID == Self.id)
        #expect(r.rootServiceName == "web")
        #expect(r.rootTraceName == "GET /")
        #expect(r.spanCount == 3)
        #expect(r.errorCount == 1)
        #expect(r.start == t0)
        #expect(r.duration == 2_200_000_000)
        #expect(r.matched == 1)
        // Trace-level conditions over parts in different blocks.
        #expect(try Self.search(store, "{ traceDuration > 2s }").map(\.traceID) == [Self.id])
        #expect(try Self.search(store, "{ rootServiceName = \"web\" && status = error }").map(\.traceID) == [Self.id])
        #expect(try Self.search(store, "{ resource.service.name = \"web\" } && { resource.service.name = \"db\" }")
                    .map(\.traceID) == [Self.id])
        // A trace matching in one part is reported once, with the whole trace's counts.
        let all = try Self.search(store, "{ }")
        #expect(all.count == 2)
        #expect(all.first { $0.traceID == Self.id }?.spanCount == 3)
        var req = TraceSearchRequest(query: try TraceQL.parse("{ name = \"GET /\" }"))
        req.minDuration = 2_000_000_000
        #expect(try store.search(tenant: "fake", req).traces.map(\.traceID) == [Self.id])
    }

    @Test(arguments: [false, true])
    func structuralOperatorsWorkAcrossBlocks(flushLast: Bool) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        try Self.threeParts(store, flushLast: flushLast)
        let table: [(String, [SpanID])] = [
            ("{ resource.service.name = \"web\" } >> { status = error }", [SpanID(3)]),
            ("{ resource.service.name = \"web\" } > { kind = client }", [SpanID(2)]),
            ("{ resource.service.name = \"web\" } > { status = error }", []),
            ("{ status = error } << { resource.service.name = \"web\" }", [SpanID(1)]),
            ("{ name = \"query\" } < { name = \"SELECT\" }", [SpanID(2)]),
            ("{ kind = client } ~ { kind = server }", []),
        ]
        for (q, want) in table {
            let found = try Self.search(store, q)
            #expect(found.first.map { $0.spans.map(\.spanID) } ?? [] == want, "\(q)")
            #expect(found.map(\.traceID) == (want.isEmpty ? [] : [Self.id]), "\(q)")
        }
    }

    @Test func traceByIdMergesAllPartsAndDropsDuplicateSpans() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        try Self.threeParts(store, flushLast: false)
        // An exporter retry sends api's span again: once into the head, once more after a flush.
        try store.append(tenant: "fake", [batch("api", [
            span(1, 2, parent: 1, name: "SELECT", start: t0 + 100_000_000, ms: 300, kind: .client),
        ])])
        try store.flush()
        try store.append(tenant: "fake", [batch("api", [
            span(1, 2, parent: 1, name: "SELECT", start: t0 + 100_000_000, ms: 300, kind: .client),
        ])])
        let trace = try #require(try store.trace(tenant: "fake", id: Self.id))
        #expect(trace.spans.map(\.span.spanID).sorted { $0.value < $1.value } == [SpanID(1), SpanID(2), SpanID(3)])
        #expect(trace.spans.map(\.service).sorted() == ["api", "db", "web"])
        let r = try #require(try Self.search(store, "{ name = \"SELECT\" }").first)
        #expect(r.spanCount == 3)
        #expect(r.matched == 1)
        // A client and a server span may share an id (Zipkin's shared spans): both are kept.
        try store.append(tenant: "fake", [batch("db", [
            span(1, 2, parent: 1, name: "SELECT", start: t0 + 110_000_000, ms: 280, kind: .server),
        ])])
        #expect(try store.trace(tenant: "fake", id: Self.id)?.spanCount == 4)
    }

    @Test func limitsCountSpansAlreadyInBlocksAndWaitingHeads() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.limits.maxSpansPerTrace = 3
        do {
            let store = try TraceStore(directory: dir, options: o)
            try store.append(tenant: "fake", [batch("svc", [span(1, 1, name: "a", start: t0, ms: 1),
                                                            span(1, 2, name: "b", start: t0, ms: 1)])])
            try store.flush()
            let r = try store.append(tenant: "fake", [batch("svc", [span(1, 3, name: "c", start: t0, ms: 1),
                                                                    span(1, 4, name: "d", start: t0, ms: 1)])])
            #expect(r.acceptedSpans == 0 && r.rejectedSpans == 2)
            #expect(r.message == "trace 0000000000000abc0000000000000001 would have 4 spans, more than the limit max_spans_per_trace=3")
            #expect(try store.append(tenant: "fake", [batch("svc", [span(1, 3, name: "c", start: t0, ms: 1)])])
                        .acceptedSpans == 1)
            #expect(try store.append(tenant: "fake", [batch("svc", [span(1, 4, name: "d", start: t0, ms: 1)])])
                        .rejectedSpans == 1)
            store.close()
        }
        // After a restart the head is replayed from the WAL and the first part is read from its block.
        let store = try TraceStore(directory: dir, options: o)
        defer { store.close() }
        #expect(try store.append(tenant: "fake", [batch("svc", [span(1, 4, name: "d", start: t0, ms: 1)])])
                    .rejectedSpans == 1)
        try store.flush()
        #expect(try store.append(tenant: "fake", [batch("svc", [span(1, 4, name: "d", start: t0, ms: 1)])])
                    .rejectedSpans == 1)
        #expect(try store.trace(tenant: "fake", id: Self.id)?.spanCount == 3)
    }

    @Test func traceBytesLimitCountsBlocks() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.limits.maxTraceBytes = 2_000
        let store = try TraceStore(directory: dir, options: o)
        defer { store.close() }
        let pad = [Attribute("pad", .string(String(repeating: "p", count: 700)))]
        #expect(try store.append(tenant: "fake", [batch("svc", [span(1, 1, name: "a", start: t0, ms: 1, attrs: pad)])])
                    .acceptedSpans == 1)
        try store.flush()
        #expect(try store.append(tenant: "fake", [batch("svc", [span(1, 2, name: "b", start: t0, ms: 1, attrs: pad)])])
                    .acceptedSpans == 1)
        let r = try store.append(tenant: "fake", [batch("svc", [span(1, 3, name: "c", start: t0, ms: 1, attrs: pad)])])
        #expect(r.rejectedSpans == 1)
        #expect(r.message.contains("more than the limit max_trace_bytes=2000"))
    }
}
