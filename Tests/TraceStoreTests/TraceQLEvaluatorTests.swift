import Foundation
import Testing
@testable import TraceStore

/// Table-driven: TraceQL over two small traces, from the head and from a block, must match the listed traces.
///
/// trace 1: web "GET /checkout" (server, 2.5 s) → api "POST /pay" (server, 2.1 s, 500, error)
///            → db "SELECT" (200 ms), api "cache get" (5 ms, ratio 0.5)
/// trace 2: web "GET /" (server, 100 ms) → api "GET /items" (server, 50 ms, 200)
@Suite struct TraceQLEvaluatorTests {
    static func fixture() -> [ResourceSpans] {
        let prod = [Attribute("deployment", .string("prod"))]
        return [
            batch("web", [span(1, 1, name: "GET /checkout", start: t0, ms: 2500, kind: .server),
                          span(2, 10, name: "GET /", start: t0 + 5_000_000_000, ms: 100, kind: .server)], resource: prod),
            batch("api", [span(1, 2, parent: 1, name: "POST /pay", start: t0 + 100_000_000, ms: 2100, status: .error,
                               kind: .server, attrs: [Attribute("http.status_code", .int(500))]),
                          span(1, 4, parent: 2, name: "cache get", start: t0 + 150_000_000, ms: 5,
                               attrs: [Attribute("ratio", .double(0.5))]),
                          span(2, 11, parent: 10, name: "GET /items", start: t0 + 5_010_000_000, ms: 50, kind: .server,
                               attrs: [Attribute("http.status_code", .int(200))])]),
            batch("db", [span(1, 3, parent: 2, name: "SELECT", start: t0 + 200_000_000, ms: 200)]),
        ]
    }

    static let cases: [(String, [UInt64])] = [
        (#"{ resource.service.name = "api" && span.http.status_code >= 500 && duration > 2s && status = error }"#, [1]),
        ("{ status = error }", [1]),
        ("{ status = unset && kind = internal }", [1]),
        (#"{ name = "GET /" }"#, [2]),
        (#"{ name =~ "GET .*" }"#, [1, 2]),
        (#"{ name =~ "GET" }"#, []),  // anchored
        (#"{ name !~ "GET.*|POST.*|SELECT" }"#, [1]),
        ("{ kind = server && duration < 1s }", [2]),
        ("{ .http.status_code = 200 }", [2]),
        ("{ span.http.status_code != 500 }", [2]),
        (#"{ .missing != "x" }"#, []),
        (#"{ .deployment = "prod" }"#, [1, 2]),
        (#"{ span.deployment = "prod" }"#, []),
        (#"{ resource.deployment = "prod" && name = "GET /" }"#, [2]),
        ("{ .ratio > 0.25 }", [1]),
        ("{ .ratio = 1 }", []),
        (#"{ resource.service.name = "web" } >> { resource.service.name = "db" }"#, [1]),
        (#"{ resource.service.name = "web" } > { resource.service.name = "db" }"#, []),
        (#"{ resource.service.name = "api" } > { resource.service.name = "db" }"#, [1]),
        (#"{ resource.service.name = "db" } << { resource.service.name = "web" }"#, [1]),
        (#"{ resource.service.name = "db" } < { resource.service.name = "api" }"#, [1]),
        (#"{ name = "cache get" } ~ { name = "SELECT" }"#, [1]),
        (#"{ name = "SELECT" } ~ { name = "SELECT" }"#, []),
        (#"{ status = error } || { name = "GET /" }"#, [1, 2]),
        (#"{ status = error } && { name = "GET /" }"#, []),
        (#"{ status = error } && { name = "SELECT" }"#, [1]),
        ("{ traceDuration > 1s }", [1]),
        (#"{ rootServiceName = "web" && name = "GET /items" }"#, [2]),
        (#"{ rootName = "GET /checkout" }"#, [1]),
        (#"{ !(status = error) && resource.service.name = "db" }"#, [1]),
        (#"{ resource.service.name = "nope" }"#, []),
        ("{ }", [1, 2]),
    ]

    @Test func queriesMatchTheirTracesInHeadAndBlocks() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        try store.append(tenant: "fake", Self.fixture())
        for phase in ["head", "block"] {
            if phase == "block" { try store.flush() }
            for (q, want) in Self.cases {
                let r = try store.search(tenant: "fake", TraceSearchRequest(query: try TraceQL.parse(q)))
                #expect(Set(r.traces.map(\.traceID.low)) == Set(want), "\(phase): \(q)")
            }
        }
    }

    @Test func resultsCarryRootDurationMatchedSpansAndQueriedAttributes() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        try store.append(tenant: "fake", Self.fixture())
        var req = TraceSearchRequest(query: try TraceQL.parse("{ span.http.status_code >= 200 && status = error }"))
        req.spansPerSpanSet = 1
        let r = try store.search(tenant: "fake", req)
        let t = try #require(r.traces.first)
        #expect(t.rootServiceName == "web" && t.rootTraceName == "GET /checkout")
        #expect(t.duration == 2_500_000_000)
        #expect(t.spanCount == 4 && t.errorCount == 1 && t.matched == 1)
        #expect(t.spans.map(\.name) == ["POST /pay"])
        #expect(t.spans[0].attributes == [Attribute("http.status_code", .int(500)), Attribute("status", .string("error"))])
        // minDuration / maxDuration bound the trace's duration; time ranges must overlap the trace; newest first.
        req = TraceSearchRequest(query: .filter(nil))
        req.minDuration = 1_000_000_000
        #expect(try store.search(tenant: "fake", req).traces.map(\.traceID.low) == [1])
        req = TraceSearchRequest(query: .filter(nil))
        req.maxDuration = 1_000_000_000
        #expect(try store.search(tenant: "fake", req).traces.map(\.traceID.low) == [2])
        req = TraceSearchRequest(query: .filter(nil))
        req.start = t0 + 4_000_000_000
        #expect(try store.search(tenant: "fake", req).traces.map(\.traceID.low) == [2])
        #expect(try store.search(tenant: "fake", TraceSearchRequest(query: .filter(nil))).traces.map(\.traceID.low) == [2, 1])
        // Tag names and values.
        let names = try store.tagNames(tenant: "fake")
        #expect(names["resource"] == ["deployment", "service.name"])
        #expect(names["span"] == ["http.status_code", "ratio"])
        #expect(try store.tagValues(tenant: "fake", tag: "http.status_code") == [.int(200), .int(500)])
        #expect(try store.tagValues(tenant: "fake", tag: "resource.service.name").map(\.text) == ["api", "db", "web"])
        #expect(try store.tagValues(tenant: "fake", tag: "status").map(\.text) == ["error", "unset"])
        #expect(try store.tagValues(tenant: "fake", tag: "rootServiceName").map(\.text) == ["web"])
    }
}
