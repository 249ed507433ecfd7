import Foundation
import Testing
@testable import TraceStore

/// Jaeger's storage integration fixtures: every query of `queries.json` and `queries_es.json`, written as
/// TraceQL, returns exactly the traces the fixture lists — from the head and again from blocks.
@Suite struct JaegerFixtureTests {
    enum TagValue: Decodable {
        case bool(Bool), int(Int64), double(Double), string(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int64.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else { self = .string(try c.decode(String.self)) }
        }
    }

    struct Query: Decodable {
        var ServiceName: String
        var OperationName: String
        var Tags: [String: TagValue]?
        var StartTimeMin: String
        var StartTimeMax: String
        var DurationMin: Int64
        var DurationMax: Int64
        var NumTraces: Int
    }

    struct Case: Decodable {
        var Caption: String
        var Query: Query
        var ExpectedFixtures: [String]
    }

    static let dir = sharedTraces.appendingPathComponent("jaeger-integration-fixtures")

    /// The TraceQL form of a Jaeger query: every condition on one span; a tag may sit on the span, its resource
    /// (process), an event (log), a link or the instrumentation scope. `regex` for the Elasticsearch queries,
    /// whose tag values are regular expressions.
    static func traceQL(_ q: Query, regex: Bool) -> String {
        var conds = ["resource.service.name = " + jsonQuote(q.ServiceName)]
        if !q.OperationName.isEmpty { conds.append("name = " + jsonQuote(q.OperationName)) }
        for (k, v) in (q.Tags ?? [:]).sorted(by: { $0.key < $1.key }) {
            let lit: String
            switch v {
            case .bool(let b): lit = String(b)
            case .int(let i): lit = String(i)
            case .double(let d): lit = String(d)
            case .string(let s): lit = jsonQuote(s)
            }
            let op = regex ? "=~" : "="
            conds.append("(" + [".", "event.", "link.", "instrumentation."].map { "\($0)\(k) \(op) \(lit)" }
                .joined(separator: " || ") + ")")
        }
        if q.DurationMin > 0 { conds.append("duration >= \(q.DurationMin)ns") }
        if q.DurationMax > 0 { conds.append("duration <= \(q.DurationMax)ns") }
        return "{ " + conds.joined(separator: " && ") + " }"
    }

    static func rfc3339(_ s: String) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let d = f.date(from: s)!
        return Int64((d.timeIntervalSince1970 * 1e6).rounded()) * 1000
    }

    @Test func everyJaegerQueryReturnsExactlyItsFixtures() throws {
        let data = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let store = try TraceStore(directory: data, options: testOptions())
        defer { store.close() }
        var idsByFixture: [String: Set<TraceID>] = [:]
        let traceDir = Self.dir.appendingPathComponent("traces")
        for f in try FileManager.default.contentsOfDirectory(atPath: traceDir.path) where f.hasSuffix(".json") {
            let batches = try OTLPJSON.decode(Array(try Data(contentsOf: traceDir.appendingPathComponent(f))))
            idsByFixture[String(f.dropLast(5))] = Set(batches.flatMap { $0.scopes.flatMap { $0.spans.map(\.traceID) } })
            let r = try store.append(tenant: "fake", batches)
            #expect(r.rejectedSpans == 0)
        }
        var cases: [(Case, Bool)] = []
        for (file, regex) in [("queries.json", false), ("queries_es.json", true)] {
            let list = try JSONDecoder().decode([Case].self, from: Data(contentsOf: Self.dir.appendingPathComponent(file)))
            cases += list.map { ($0, regex) }
        }
        #expect(cases.count == 27)
        for phase in ["head", "blocks"] {
            if phase == "blocks" {
                try store.flush()
                #expect(store.stats().headSpans == 0)
            }
            for (c, regex) in cases {
                let q = Self.traceQL(c.Query, regex: regex)
                var req = TraceSearchRequest(query: try TraceQL.parse(q))
                req.start = Self.rfc3339(c.Query.StartTimeMin)
                req.end = Self.rfc3339(c.Query.StartTimeMax)
                req.limit = c.Query.NumTraces
                let got = Set(try store.search(tenant: "fake", req).traces.map(\.traceID))
                let want = c.ExpectedFixtures.reduce(into: Set<TraceID>()) { $0.formUnion(idsByFixture[$1] ?? []) }
                #expect(!want.isEmpty, "\(c.Caption): fixture missing")
                #expect(got == want, "\(phase) \(c.Caption): \(q)")
            }
        }
    }
}
