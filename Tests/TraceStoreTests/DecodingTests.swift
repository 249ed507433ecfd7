import Foundation
import Testing
@testable import TraceStore

let sharedTraces = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/traces")

func readShared(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: sharedTraces.appendingPathComponent(path)))
}

/// OTLP/JSON, OTLP protobuf and Zipkin v2 decoding with the official examples and real traces.
@Suite struct DecodingTests {
    @Test func officialOTLPJSONExampleDecodes() throws {
        let batches = try OTLPJSON.decode(try readShared("otlp-proto-examples/trace.json"))
        #expect(batches.count == 1)
        let b = batches[0]
        #expect(b.serviceName == "my.service")
        #expect(b.scopes[0].scope == InstrumentationScope(
            name: "my.library", version: "1.0.0",
            attributes: [Attribute("my.scope.attribute", .string("some scope attribute"))]))
        let s = b.scopes[0].spans[0]
        #expect(s.traceID.description == "5b8efff798038103d269b633813fc60c")
        #expect(s.spanID.description == "eee19b7ec3c1b174")
        #expect(s.parentSpanID.description == "eee19b7ec3c1b173")
        #expect(s.name == "I'm a server span")
        #expect(s.kind == .server)
        #expect(s.start == 1_544_712_660_000_000_000)
        #expect(s.duration == 1_000_000_000)
        #expect(s.attributes == [Attribute("my.span.attr", .string("some value"))])
    }

    @Test func protobufRoundTripsEveryJaegerFixture() throws {
        let dir = sharedTraces.appendingPathComponent("jaeger-integration-fixtures/traces")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 32)
        for f in files {
            let fromJSON = try OTLPJSON.decode(Array(try Data(contentsOf: dir.appendingPathComponent(f))))
            #expect(!fromJSON.isEmpty, "\(f)")
            let proto = OTLPProtobuf.encode(fromJSON)
            #expect(try OTLPProtobuf.decode(proto) == fromJSON, "\(f)")
            // And back through our JSON encoder (hex ids) to the decoder.
            let json = "{\"resourceSpans\":" + OTLPJSON.encode(fromJSON, ids: .hex) + "}"
            #expect(try OTLPJSON.decode(Array(json.utf8)) == fromJSON, "\(f)")
        }
    }

    @Test func typedAttributeValuesDecode() throws {
        let batches = try OTLPJSON.decode(try readShared("jaeger-integration-fixtures/traces/tags_dur_trace.json"))
        let attrs = batches[0].scopes[0].spans[0].attributes
        #expect(attrs[key: "sameplacetag1"] == .string("sameplacevalue"))
        #expect(attrs[key: "sameplacetag2"] == .int(123))
        #expect(attrs[key: "sameplacetag3"] == .double(72.5))
        #expect(attrs[key: "sameplacetag4"] == .bool(true))
        #expect(attrs[key: "blob"] == .bytes([0, 0, 0x30, 0x39]))
    }

    @Test(arguments: [
        ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\",\"spanId\":\"0000000000000001\"}]}]}]}",
         "resourceSpans[0].scopeSpans[0].spans[0].traceId: want 32 hex digits"),
        ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"01\"}]}]}]}",
         "resourceSpans[0].scopeSpans[0].spans[0].spanId: want 16 hex digits"),
        ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"0000000000000001\",\"startTimeUnixNano\":\"soon\"}]}]}]}",
         "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: \"soon\" is not an integer"),
        ("[1,2]", "OTLP JSON: want an object at the top"),
        ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"0000000000000001\",\"kind\":\"SPAN_KIND_SIDEWAYS\"}]}]}]}",
         "resourceSpans[0].scopeSpans[0].spans[0].kind: unknown value \"SPAN_KIND_SIDEWAYS\""),
    ])
    func malformedOTLPJSONIsRejectedWithItsPath(body: String, message: String) throws {
        #expect(throws: TraceDecodeError.self) { try OTLPJSON.decode(Array(body.utf8)) }
        do { _ = try OTLPJSON.decode(Array(body.utf8)) } catch let e as TraceDecodeError {
            #expect(e.description == message)
        }
    }

    @Test func truncatedProtobufIsRejected() throws {
        let batches = try OTLPJSON.decode(try readShared("otlp-proto-examples/trace.json"))
        let proto = OTLPProtobuf.encode(batches)
        for cut in [1, 5, proto.count / 2, proto.count - 1] {
            #expect(throws: TraceDecodeError.self) { try OTLPProtobuf.decode(Array(proto.prefix(cut))) }
        }
    }

    @Test func zipkinSmartThingsTraceDecodes() throws {
        let batches = try ZipkinJSON.decode(try readShared("zipkin-lens-testdata/smartthings-mobile-web-install.json"))
        let spans = batches.flatMap { $0.scopes.flatMap(\.spans) }
        #expect(spans.count == 1041)
        #expect(Set(spans.map(\.traceID)).count == 1)
        #expect(batches.count > 5)  // one batch per local service
        let withError = spans.filter { $0.status == .error }
        for s in withError { #expect(!s.statusMessage.isEmpty) }
    }

    @Test func zipkinSkewTraceKeepsSharedSpansAndMicroseconds() throws {
        let batches = try ZipkinJSON.decode(try readShared("zipkin-lens-testdata/skew.json"))
        let spans = batches.flatMap { $0.scopes.flatMap(\.spans) }
        #expect(spans.count == 4)
        #expect(Set(batches.map(\.serviceName)) == ["servicea", "serviceb"])
        let get = try #require(spans.first { $0.name == "get" })
        #expect(get.traceID.description == "00000000000000001e223ff1f80f1c69")
        #expect(get.start == 1_470_150_004_071_068_000)
        #expect(get.duration == 99_411_000)
        #expect(get.kind == .server)
        let shared: [SpanKind] = spans.filter { $0.spanID.description == "74280ae0c10d8062" }.map(\.kind)
        #expect(Set(shared.map(\.rawValue)) == [SpanKind.server.rawValue, SpanKind.client.rawValue])
    }

    @Test func everyZipkinTestFileDecodes() throws {
        let dir = sharedTraces.appendingPathComponent("zipkin-lens-testdata")
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".json") {
            let batches = try ZipkinJSON.decode(Array(try Data(contentsOf: dir.appendingPathComponent(f))))
            #expect(batches.reduce(0) { $0 + $1.spanCount } > 0, "\(f)")
        }
    }
}
