import Foundation
import Storage
import Testing
@testable import TraceStore

/// `OTLPProtobuf.decodeTraces` (protobuf straight to chunks) against the decoded path it replaces on ingest
/// (`decode` + `TraceSplitter` + `SpanCodec`): the stored bytes, the rejections and the errors must be the same.
@Suite struct ProtobufChunksTests {
    static func expectSame(_ body: [UInt8], _ limits: TraceLimits = TraceLimits(), _ label: String = "",
                           sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let old = SplitTraces(try OTLPProtobuf.decode(body), limits: limits)
        let new = try OTLPProtobuf.decodeTraces(body, limits: limits)
        #expect(new.chunks.map(\.id) == old.chunks.map(\.id), "\(label)", sourceLocation: sourceLocation)
        for (a, b) in zip(new.chunks, old.chunks) {
            #expect(a.encoded == b.encoded, "\(label) trace \(a.id)", sourceLocation: sourceLocation)
            #expect(a.spanCount == b.spanCount && a.minStart == b.minStart && a.maxEnd == b.maxEnd,
                    "\(label) trace \(a.id)", sourceLocation: sourceLocation)
        }
        #expect(new.result.rejectedSpans == old.result.rejectedSpans, "\(label)", sourceLocation: sourceLocation)
        #expect(new.result.reasons == old.result.reasons, "\(label)", sourceLocation: sourceLocation)
    }

    static func span(_ trace: UInt64, _ n: UInt64, name: String = "op", parent: UInt64 = 0) -> Span {
        var s = Span(traceID: TraceID(high: 7, low: trace), spanID: SpanID(n), parentSpanID: SpanID(parent), name: name,
                     start: 1_767_225_600_000_000_000 + Int64(n) * 1000, end: 1_767_225_600_000_000_000 + Int64(n) * 5000)
        s.kind = .server
        s.attributes = [Attribute("http.route", .string("/api/v1/items/\(n)")), Attribute("n", .int(Int64(n)))]
        return s
    }

    @Test func sameChunksForEveryJaegerFixture() throws {
        let dir = sharedTraces.appendingPathComponent("jaeger-integration-fixtures/traces")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 32)
        for f in files {
            let batches = try OTLPJSON.decode(Array(try Data(contentsOf: dir.appendingPathComponent(f))))
            try Self.expectSame(OTLPProtobuf.encode(batches), TraceLimits(), f)
        }
        try Self.expectSame(OTLPProtobuf.encode(try OTLPJSON.decode(try readShared("otlp-proto-examples/trace.json"))))
    }

    @Test func sameChunksForEventsLinksNestedValuesAndTracesAcrossBatches() throws {
        var a = Self.span(1, 1, name: "héllo wörld, a name longer than fifteen bytes")
        a.traceState = "k=v"
        a.status = .error
        a.statusMessage = "boom"
        a.flags = 0x301
        a.attributes += [Attribute("d", .double(-0.0)), Attribute("b", .bool(true)), Attribute("bytes", .bytes([0, 1, 255])),
                         Attribute("arr", .array([.string("x"), .int(-5), .array([.bool(false)])])),
                         Attribute("map", .map([Attribute("k", .string("ü")), Attribute("m", .map([]))])),
                         Attribute("", .string(""))]
        a.events = [SpanEvent(time: a.start + 10, name: "ev", attributes: [Attribute("e", .int(1))]),
                    SpanEvent(time: a.start - 10, name: "", attributes: [])]
        a.links = [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), traceState: "s",
                            attributes: [Attribute("l", .string("v"))])]
        let batches = [
            ResourceSpans(resource: [Attribute("service.name", .string("a"))], scopes: [
                ScopeSpans(scope: InstrumentationScope(name: "lib", version: "2", attributes: [Attribute("s", .int(1))]),
                           spans: [a, Self.span(2, 2), Self.span(1, 3, parent: 1)]),
                ScopeSpans(spans: [Self.span(1, 4), Self.span(3, 5)]),
            ]),
            ResourceSpans(resource: [], scopes: [ScopeSpans(spans: [Self.span(2, 6), Self.span(1, 7), Self.span(1, 8)])]),
        ]
        try Self.expectSame(OTLPProtobuf.encode(batches))
    }

    @Test func sameRejectionsForEveryLimit() throws {
        var limits = TraceLimits()
        limits.maxAttributeBytes = 20
        limits.maxSpanNameBytes = 10
        let long = String(repeating: "x", count: 30)
        var badName = Self.span(1, 2, name: long)
        badName.attributes.append(Attribute(long, .string("")))
        var badAttr = Self.span(1, 3)
        badAttr.attributes.append(Attribute("m", .map([Attribute("kkkkkkkkkk", .string("vvvvvvvvvvvvv"))])))
        var badEvent = Self.span(2, 4)
        badEvent.events = [SpanEvent(time: 0, name: "e", attributes: [Attribute("e", .bytes(Array(repeating: 1, count: 21)))])]
        var badLink = Self.span(2, 5)
        badLink.links = [SpanLink(traceID: TraceID(high: 1, low: 1), spanID: SpanID(1), attributes: [Attribute(long, .int(1))])]
        var invalidUTF8Name = Self.span(3, 6, name: "")
        invalidUTF8Name.name = "ab\u{FFFD}\u{FFFD}"  // 2 + 6 bytes once repaired, within the limit
        let batches = [
            ResourceSpans(resource: [], scopes: [ScopeSpans(spans: [Self.span(1, 1), badName, badAttr, badEvent, badLink, invalidUTF8Name])]),
            ResourceSpans(resource: [Attribute("r", .string(long))], scopes: [ScopeSpans(spans: [Self.span(4, 7), Self.span(4, 8)])]),
            ResourceSpans(resource: [], scopes: [
                ScopeSpans(scope: InstrumentationScope(name: "s", version: "", attributes: [Attribute("a", .array([.string(long)]))]),
                           spans: [Self.span(5, 9)]),
                ScopeSpans(spans: [Self.span(5, 10)]),
            ]),
        ]
        let body = OTLPProtobuf.encode(batches)
        try Self.expectSame(body, limits)
        let new = try OTLPProtobuf.decodeTraces(body, limits: limits)
        #expect(new.result.rejectedSpans == 7)
        #expect(new.spanCount == 3)
    }

    /// Wire orders and repeats that no SDK writes but protobuf allows: the resource after the scopes, the scope
    /// after the spans, names after attributes, a value given twice, invalid UTF-8, unknown fields.
    @Test func sameChunksForUnusualWireOrder() throws {
        func kv(_ w: inout ProtoWriter, _ key: String, _ value: String) {
            w.message(9) { a in
                a.message(2) { $0.stringField(1, "first") }
                a.stringField(1, key)
                a.message(2) { $0.stringField(1, value) }
                a.varintField(99, 1)
            }
        }
        var w = ProtoWriter()
        w.message(1) { rs in
            rs.message(2) { ss in
                ss.message(2) { s in
                    kv(&s, "k", "v")
                    s.fixed64Field(8, 2000)
                    s.stringField(5, "late name")
                    s.bytesField(2, [0, 0, 0, 0, 0, 0, 0, 9])
                    s.bytesField(1, Array(repeating: 3, count: 16))
                    s.fixed64Field(7, 1000)
                    s.bytesField(5, [0x61, 0xff, 0xfe, 0x62])  // invalid UTF-8: repaired the same way
                    s.message(15) { $0.varintField(3, 2) }
                    s.message(15) { $0.stringField(2, "msg") }
                }
                ss.message(1) { sc in
                    sc.stringField(1, "scope")
                    sc.message(3) { a in
                        a.stringField(1, "sa")
                        a.message(2) { v in
                            v.message(5) { $0.message(1) { $0.stringField(1, "x") } }
                            v.varintField(3, 5)
                        }
                    }
                    sc.stringField(1, "scope renamed")
                }
            }
            rs.message(1) { r in r.message(1) { a in a.stringField(1, "service.name"); a.message(2) { $0.stringField(1, "svc") } } }
            rs.message(1) { r in r.message(1) { a in a.stringField(1, "second") } }
        }
        w.varintField(7, 1)
        try Self.expectSame(w.bytes)
        let new = try OTLPProtobuf.decodeTraces(w.bytes, limits: TraceLimits())
        #expect(new.spanCount == 1)
    }

    @Test(arguments: [
        [0x0a, 0x05, 0x12, 0x03],  // length past the end
        [0x0a, 0x04, 0x12, 0x02, 0x12, 0x00],  // a span without ids
        [0x0a, 0x07, 0x12, 0x05, 0x12, 0x03, 0x0a, 0x01, 0x01],  // trace_id of 1 byte
        [0x0a, 0x02, 0x12, 0x80],  // malformed varint
    ] as [[UInt8]])
    func malformedProtobufFailsTheSameWay(_ body: [UInt8]) throws {
        var oldError = ""
        do { _ = try OTLPProtobuf.decode(body) } catch let e as TraceDecodeError { oldError = "\(e)" }
        var newError = ""
        do { _ = try OTLPProtobuf.decodeTraces(body, limits: TraceLimits()) } catch let e as TraceDecodeError { newError = "\(e)" }
        #expect(!oldError.isEmpty)
        #expect(newError == oldError)
    }
}
