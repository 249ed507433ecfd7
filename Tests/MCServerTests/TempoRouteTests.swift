import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LogStore
import Storage
import Testing
import TraceStore
@testable import MCServer

/// The log API plus the trace API over fresh stores, tested in-process through the router.
struct TempoHarness {
    let directory: String
    let logs: LogStore
    let traces: TraceStore
    let server: LokiServer

    init(options: ServerOptions = ServerOptions(), limits: TraceLimits = TraceLimits(), name: String = #function) throws {
        directory = NSTemporaryDirectory() + "mclog-tempo-" + name.filter { $0.isLetter } + "-" + UUID().uuidString
        var lo = StoreOptions()
        lo.maintenanceIntervalSeconds = 0
        logs = try LogStore(directory: directory, options: lo)
        var to = TraceStoreOptions()
        to.backgroundIntervalSeconds = 0
        to.limits = limits
        traces = try TraceStore(directory: directory + "/traces", options: to)
        server = LokiServer(api: LokiAPI(store: logs, options: options), tempo: TempoAPI(store: traces, options: options))
    }

    func close() {
        traces.close()
        logs.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await server.application().test(.router, body)
    }
}

let tracesData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/traces")

extension TestClientProtocol {
    func post(_ path: String, _ body: [UInt8], contentType: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = contentType
        return try await execute(uri: path, method: .post, headers: h, body: ByteBuffer(bytes: body))
    }
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let dir = NSTemporaryDirectory() + "gz-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data(bytes).write(to: URL(fileURLWithPath: dir + "/b"))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-k", dir + "/b"]
    try p.run()
    p.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/b.gz")))
}

@Suite struct TempoRouteTests {
    static let exampleID = "5b8efff798038103d269b633813fc60c"

    @Test func otlpJSONProtobufAndGzipPushesAreFoundByID() async throws {
        let h = try TempoHarness()
        defer { h.close() }
        let json = Array(try Data(contentsOf: tracesData.appendingPathComponent("otlp-proto-examples/trace.json")))
        let batches = try OTLPJSON.decode(json)
        try await h.withClient { client in
            let r = try await client.post("/v1/traces", json, contentType: "application/json")
            #expect(r.status == .ok)
            #expect(r.text == "{}")
            // The same spans as protobuf, gzip'd, under another tenant.
            let proto = try gzip(OTLPProtobuf.encode(batches))
            let r2 = try await client.post("/v1/traces", proto, contentType: "application/x-protobuf",
                                           headers: [.contentEncoding: "gzip", HTTPField.Name("X-Scope-OrgID")!: "t2"])
            #expect(r2.status == .ok)
            #expect(r2.headers[.contentType] == "application/x-protobuf")
            for tenant in [nil, "t2"] {
                let got = try await client.get("/api/traces/" + Self.exampleID, tenant: tenant)
                #expect(got.status == .ok)
                let obj = try #require(got.json as? [String: Any])
                let b = try #require((obj["batches"] as? [[String: Any]])?.first)
                let span = try #require(((b["scopeSpans"] as? [[String: Any]])?.first?["spans"] as? [[String: Any]])?.first)
                #expect(span["traceId"] as? String == "W47/95gDgQPSabYzgT/GDA==")
                #expect(span["name"] as? String == "I'm a server span")
                #expect(span["kind"] as? String == "SPAN_KIND_SERVER")
                #expect(span["startTimeUnixNano"] as? String == "1544712660000000000")
            }
            let v2 = try await client.get("/api/v2/traces/" + Self.exampleID)
            let v2obj = try #require(v2.json as? [String: Any])
            #expect((v2obj["trace"] as? [String: Any])?["resourceSpans"] != nil)
            // Grafana asks for protobuf.
            let pb = try await client.get("/api/traces/" + Self.exampleID, headers: [.accept: "application/protobuf"])
            #expect(try OTLPProtobuf.decode(Array(buffer: pb.body)) == batches)
            let missing = try await client.get("/api/traces/0123456789abcdef")
            #expect(missing.status == .notFound)
            #expect(missing.message == "trace not found")
            let bad = try await client.get("/api/traces/xyz")
            #expect(bad.status == .badRequest)
            #expect(bad.message?.contains("invalid trace id") == true)
        }
    }

    @Test func malformedBodiesAre400AndStoreNothing() async throws {
        let h = try TempoHarness()
        defer { h.close() }
        try await h.withClient { client in
            let r = try await client.post("/v1/traces", Array("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"12\"}]}]}]}".utf8),
                                          contentType: "application/json")
            #expect(r.status == .badRequest)
            #expect(r.message == "resourceSpans[0].scopeSpans[0].spans[0].traceId: want 32 hex digits")
            let p = try await client.post("/v1/traces", [0x0A, 0x05, 0x01], contentType: "application/x-protobuf")
            #expect(p.status == .badRequest)
            #expect(p.message?.contains("protobuf") == true)
            let t = try await client.post("/v1/traces", Array("x".utf8), contentType: "text/plain")
            #expect(t.status == .unsupportedMediaType)
            let z = try await client.post("/api/v2/spans", Array("{}".utf8), contentType: "application/json")
            #expect(z.status == .badRequest)
            #expect(z.message == "Zipkin v2: want a JSON array of spans")
        }
        #expect(h.traces.stats().headSpans == 0)
    }

    @Test func limitsAnswerPartialSuccess() async throws {
        var limits = TraceLimits()
        limits.maxAttributeBytes = 10
        let h = try TempoHarness(limits: limits)
        defer { h.close() }
        let json = Array(try Data(contentsOf: tracesData.appendingPathComponent("otlp-proto-examples/trace.json")))
        try await h.withClient { client in
            let r = try await client.post("/v1/traces", json, contentType: "application/json")
            #expect(r.status == .ok)
            let ps = try #require((r.json as? [String: Any])?["partialSuccess"] as? [String: Any])
            #expect(ps["rejectedSpans"] as? String == "1")
            #expect((ps["errorMessage"] as? String)?.contains("max_attribute_bytes=10") == true)
        }
    }

    @Test func zipkinSpansAreSearchableAndTagsListed() async throws {
        let h = try TempoHarness()
        defer { h.close() }
        let body = Array(try Data(contentsOf: tracesData.appendingPathComponent("zipkin-lens-testdata/smartthings-oauth-authorization.json")))
        let decoded = try ZipkinJSON.decode(body)
        let traceID = decoded[0].scopes[0].spans[0].traceID
        try await h.withClient { client in
            let r = try await client.post("/api/v2/spans", body, contentType: "application/json")
            #expect(r.status == .accepted)
            let got = try await client.get("/api/traces/\(traceID)")
            #expect(got.status == .ok)
            let service = decoded[0].serviceName
            for flushed in [false, true] {
                if flushed { try h.traces.flush() }
                let s = try await client.get("/api/search", [("q", "{ resource.service.name = \"\(service)\" }")])
                #expect(s.status == .ok)
                let traces = try #require((s.json as? [String: Any])?["traces"] as? [[String: Any]])
                #expect(traces.map { $0["traceID"] as? String } == [traceID.description])
                #expect(traces[0]["rootServiceName"] as? String != nil)
                #expect((traces[0]["spanSet"] as? [String: Any])?["matched"] as? Int ?? 0 > 0)
                let tags = try await client.get("/api/search/tags")
                let names = try #require((tags.json as? [String: Any])?["tagNames"] as? [String])
                #expect(names.contains("service.name") && names.contains("peer.service"))
                let v2 = try await client.get("/api/v2/search/tags")
                let scopes = try #require((v2.json as? [String: Any])?["scopes"] as? [[String: Any]])
                #expect(scopes.map { $0["name"] as? String } == ["resource", "span", "intrinsic"])
                let values = try await client.get("/api/search/tag/service.name/values")
                let vs = try #require((values.json as? [String: Any])?["tagValues"] as? [String])
                #expect(Set(vs) == Set(decoded.map(\.serviceName)))
                let v2values = try await client.get("/api/v2/search/tag/resource.service.name/values")
                let v2vs = try #require((v2values.json as? [String: Any])?["tagValues"] as? [[String: Any]])
                #expect(v2vs.allSatisfy { $0["type"] as? String == "string" })
                #expect(v2vs.count == vs.count)
            }
            let tagSearch = try await client.get("/api/search", [("tags", "service.name=\(decoded[0].serviceName)"),
                                                                  ("minDuration", "1ms"), ("limit", "5")])
            #expect(((tagSearch.json as? [String: Any])?["traces"] as? [[String: Any]])?.count == 1)
            let tooLong = try await client.get("/api/search", [("tags", "service.name=\(decoded[0].serviceName)"),
                                                                ("minDuration", "10000h")])
            #expect(((tooLong.json as? [String: Any])?["traces"] as? [[String: Any]])?.count == 0)
            let echo = try await client.get("/api/echo")
            #expect(echo.text == "echo")
        }
    }

    @Test func unsupportedTraceQLIs400NamingTheConstruct() async throws {
        let h = try TempoHarness()
        defer { h.close() }
        try await h.withClient { client in
            let r = try await client.get("/api/search", [("q", "{ status = error } | count() > 3")])
            #expect(r.status == .badRequest)
            #expect(r.message?.hasPrefix("TraceQL parse error at position 20: unsupported TraceQL construct: pipeline operator") == true)
            let d = try await client.get("/api/search", [("minDuration", "fast")])
            #expect(d.status == .badRequest)
            let t = try await client.get("/api/search", [("tags", "a=\"unterminated")])
            #expect(t.status == .badRequest)
        }
    }

    @Test func authMapsTracesToTheCredentialsTenant() async throws {
        var o = ServerOptions()
        o.auth = AuthConfig(bearerTokens: ["s1": "team-a"])
        let h = try TempoHarness(options: o)
        defer { h.close() }
        let json = Array(try Data(contentsOf: tracesData.appendingPathComponent("otlp-proto-examples/trace.json")))
        try await h.withClient { client in
            let anon = try await client.post("/v1/traces", json, contentType: "application/json")
            #expect(anon.status == .unauthorized)
            let ok = try await client.post("/v1/traces", json, contentType: "application/json", headers: [.authorization: "Bearer s1"])
            #expect(ok.status == .ok)
            let got = try await client.get("/api/traces/" + Self.exampleID, headers: [.authorization: "Bearer s1"])
            #expect(got.status == .ok)
        }
        #expect(try h.traces.trace(tenant: "team-a", id: TraceID(hex: Self.exampleID)!) != nil)
        #expect(try h.traces.trace(tenant: "fake", id: TraceID(hex: Self.exampleID)!) == nil)
    }
}
