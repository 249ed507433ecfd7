import Foundation
import Testing
@testable import LogQL
import LogStore
import Storage

/// Engine tests in the spirit of Prometheus' promqltest: a small store with entries at known seconds, queries
/// evaluated at exact timestamps, expected series written out by hand.
@Suite struct EngineTests {
    static let s: Int64 = 1_000_000_000

    /// {job="app", level="info"}: `level=info latency=100ms status=200` at 10 s, 20 s, … 60 s.
    /// {job="app", level="error"}: `level=error latency=2s status=500` at 15 s and 45 s.
    static func makeStore() throws -> LogStore {
        let dir = NSTemporaryDirectory() + "mclog-engine-" + UUID().uuidString
        var o = StoreOptions()
        o.maintenanceIntervalSeconds = 0
        let store = try LogStore(directory: dir, options: o)
        var info = EntryBatch(), error = EntryBatch()
        for k in 1...6 { info.append(timestamp: Int64(k * 10) * s, line: "level=info latency=100ms status=200 path=/p\(k)") }
        for t in [15, 45] { error.append(timestamp: Int64(t) * s, line: "level=error latency=2s status=500 path=/boom") }
        try store.append(tenant: "fake", [(try LabelSet([Label("job", "app"), Label("level", "info")]), info),
                                          (try LabelSet([Label("job", "app"), Label("level", "error")]), error)])
        return store
    }

    static let store = try! makeStore()

    /// Runs a range query and renders each series as `{labels} t=v t=v` (seconds), sorted.
    static func range(_ q: String, start: Int64, end: Int64, step: Int64) throws -> [String] {
        let (r, _) = try Engine(store: store).execute(q, QueryParams(start: start * s, end: end * s, step: step * s))
        guard case .matrix(let series) = r else { return ["not a matrix: \(r.typeName)"] }
        return series.map { se in
            "{" + se.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "} "
                + se.points.map { "\($0.0 / s)=\(ResultJSON.number($0.1))" }.joined(separator: " ")
        }
    }

    static func instant(_ q: String, at t: Int64) throws -> [String] {
        let (r, _) = try Engine(store: store).execute(q, QueryParams(start: t * s, end: t * s, instant: true))
        switch r {
        case .vector(let v):
            return v.map { "{" + $0.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "} " + ResultJSON.number($0.value) }
        case .scalar(_, let v): return ["scalar " + ResultJSON.number(v)]
        default: return ["unexpected \(r.typeName)"]
        }
    }

    @Test("range queries at exact steps", arguments: [
        // step < range: windows overlap, (t-30s, t].
        ("count_over_time({job=\"app\"}[30s])", 30, 60, 10,
         ["{job=app,level=error} 30=1 40=1 50=1 60=1", "{job=app,level=info} 30=3 40=3 50=3 60=3"]),
        // step > range: gaps; a window with nothing is absent, not 0.
        ("count_over_time({job=\"app\"}[5s])", 10, 70, 30, ["{job=app,level=info} 10=1 40=1"]),
        ("rate({level=\"info\"}[30s])", 30, 30, 10, ["{job=app,level=info} 30=0.1"]),
        ("bytes_over_time({level=\"error\"}[60s])", 60, 60, 10, ["{job=app,level=error} 60=88"]),
        ("sum by (job) (count_over_time({job=\"app\"}[30s]))", 30, 50, 10, ["{job=app} 30=4 40=4 50=4"]),
        ("sum without (level) (count_over_time({job=\"app\"}[30s]))", 30, 30, 10, ["{job=app} 30=4"]),
        ("count(count_over_time({job=\"app\"}[30s]))", 30, 30, 10, ["{} 30=2"]),
        ("topk(1, count_over_time({job=\"app\"}[30s]))", 30, 40, 10, ["{job=app,level=info} 30=3 40=3"]),
        ("bottomk(1, count_over_time({job=\"app\"}[30s]))", 30, 30, 10, ["{job=app,level=error} 30=1"]),
        ("count_over_time({job=\"app\"}[30s]) > 2", 30, 30, 10, ["{job=app,level=info} 30=3"]),
        ("count_over_time({job=\"app\"}[30s]) > bool 2", 30, 30, 10,
         ["{job=app,level=error} 30=0", "{job=app,level=info} 30=1"]),
        ("sum(count_over_time({job=\"app\"}[30s])) / 2", 30, 30, 10, ["{} 30=2"]),
        ("2 * sum(count_over_time({job=\"app\"}[30s])) ^ 2", 30, 30, 10, ["{} 30=32"]),
        ("count_over_time({level=\"error\"}[30s]) / on(job) sum by (job) (count_over_time({job=\"app\"}[30s]))", 30, 30, 10,
         ["{job=app} 30=0.25"]),
        ("count_over_time({job=\"app\"}[30s]) and count_over_time({level=\"error\"}[30s])", 30, 30, 10,
         ["{job=app,level=error} 30=1"]),
        ("count_over_time({job=\"app\"}[30s]) unless count_over_time({level=\"error\"}[30s])", 30, 30, 10,
         ["{job=app,level=info} 30=3"]),
        ("count_over_time({level=\"error\"}[10s] offset 30s)", 40, 60, 10, ["{job=app,level=error} 50=1"]),
        ("label_replace(count_over_time({level=\"error\"}[30s]), \"sev\", \"$1\", \"level\", \"(e.*)\")", 30, 30, 10,
         ["{job=app,level=error,sev=error} 30=1"]),
        ("count_over_time({job=\"app\"} |= \"status=500\" [60s])", 60, 60, 10, ["{job=app,level=error} 60=2"]),
        ("sum by (level) (count_over_time({job=\"app\"} | drop __error__ [60s]))", 60, 60, 10,
         ["{level=error} 60=2", "{level=info} 60=6"]),
        // Parsers, label filters and unwrap.
        ("sum by (status) (count_over_time({job=\"app\"} | logfmt [60s]))", 60, 60, 10, ["{status=200} 60=6", "{status=500} 60=2"]),
        ("count_over_time({job=\"app\"} | logfmt | latency > 1s [60s])", 60, 60, 10,
         ["{job=app,latency=2s,level=error,level_extracted=error,path=/boom,status=500} 60=2"]),
        ("sum(count_over_time({job=\"app\"} | logfmt | status >= 500 or path=\"/p1\" [60s]))", 60, 60, 10, ["{} 60=3"]),
        ("max_over_time({job=\"app\"} | logfmt | unwrap duration(latency) [60s]) by (job)", 60, 60, 10, ["{job=app} 60=2"]),
        ("min_over_time({job=\"app\"} | logfmt | unwrap duration(latency) [60s]) by (job)", 60, 60, 10, ["{job=app} 60=0.1"]),
        ("quantile_over_time(0.5, {job=\"app\"} | logfmt | unwrap duration(latency) [60s]) by (job)", 60, 60, 10, ["{job=app} 60=0.1"]),
        ("avg_over_time({job=\"app\"} | logfmt | unwrap duration(latency) [60s]) by (level)", 60, 60, 10,
         ["{level=error} 60=2", "{level=info} 60=0.1"]),
        ("sum by (job) (sum_over_time({job=\"app\"} | logfmt | unwrap status [30s]))", 30, 30, 10, ["{job=app} 30=1100"]),
        ("first_over_time({level=\"info\"} | regexp \"path=/p(?P<n>\\\\d)\" | unwrap n [60s]) by (job)", 60, 60, 10, ["{job=app} 60=1"]),
        ("last_over_time({level=\"info\"} | regexp \"path=/p(?P<n>\\\\d)\" | unwrap n [60s]) by (job)", 60, 60, 10, ["{job=app} 60=6"]),
        ("sum by (status) (count_over_time({job=\"app\"} | pattern \"<_> <_> status=<status> <_>\" [60s]))", 60, 60, 10,
         ["{status=200} 60=6", "{status=500} 60=2"]),
        ("count_over_time({job=\"app\"} |> \"<_> status=500 <_>\" [60s])", 60, 60, 10, ["{job=app,level=error} 60=2"]),
    ] as [(String, Int64, Int64, Int64, [String])])
    func rangeQueries(_ q: String, _ start: Int64, _ end: Int64, _ step: Int64, _ expected: [String]) throws {
        #expect(try EngineTests.range(q, start: start, end: end, step: step) == expected)
    }

    /// `sum by/without (…) (count_over_time(…))` and `bytes_over_time` are summed into their groups line by line,
    /// with parsers building only the grouped labels; `… * 1` keeps the sum from being pushed down, so both forms
    /// must agree exactly, including `_extracted` names and label filters.
    @Test("pushed-down sums equal the per-series sums", arguments: [
        "sum by (status) (count_over_time({job=\"app\"} | pattern \"<_> <_> status=<status> <_>\" [30s]))",
        "sum by (level) (count_over_time({job=\"app\"} | pattern \"level=<level> <_>\" [30s]))",
        "sum by (level_extracted, status) (count_over_time({job=\"app\"} | regexp \"level=(?P<level>\\\\w+) .*status=(?P<status>\\\\d+)\" [30s]))",
        "sum without (path) (count_over_time({job=\"app\"} | pattern \"<_> <_> status=<status> path=<path>\" [30s]))",
        "sum by (status) (bytes_over_time({job=\"app\"} | logfmt [60s]))",
        "sum by (status) (count_over_time({job=\"app\"} | pattern \"<_> <_> status=<status> <_>\" | status=\"500\" [60s]))",
        "sum by (nope) (count_over_time({job=\"app\"} | pattern \"<_> <_> status=<status> <_>\" [30s]))",
        "sum by (job) (count_over_time({job=\"app\"} |= \"status\" [30s]))",
    ])
    func pushedDownSums(_ q: String) throws {
        let unpushedQuery = String(q.dropLast()) + " * 1)"
        let pushed = try EngineTests.range(q, start: 10, end: 60, step: 10)
        #expect(!pushed.isEmpty)
        #expect(pushed == (try EngineTests.range(unpushedQuery, start: 10, end: 60, step: 10)))
    }

    @Test("instant queries", arguments: [
        ("vector(1)+vector(1)", 60, ["{} 2"]),
        ("1 + 1", 60, ["scalar 2"]),
        ("count_over_time({job=\"app\"}[60s])", 60, ["{job=app,level=error} 2", "{job=app,level=info} 6"]),
        ("absent_over_time({job=\"nope\"}[30s])", 60, ["{job=nope} 1"]),
        ("absent_over_time({job=\"app\"}[30s])", 60, []),
        ("sort_desc(count_over_time({job=\"app\"}[60s]))", 60, ["{job=app,level=info} 6", "{job=app,level=error} 2"]),
        ("sort(count_over_time({job=\"app\"}[60s]))", 60, ["{job=app,level=error} 2", "{job=app,level=info} 6"]),
    ] as [(String, Int64, [String])])
    func instantQueries(_ q: String, _ t: Int64, _ expected: [String]) throws {
        #expect(try EngineTests.instant(q, at: t) == expected)
    }

    @Test func logQueriesHonourDirectionLimitAndPipeline() throws {
        let engine = Engine(store: EngineTests.store)
        var p = QueryParams(start: 0, end: 100 * EngineTests.s, limit: 3, direction: .backward)
        let (r, stats) = try engine.execute("{job=\"app\"}", p)
        guard case .streams(let streams) = r else { Issue.record("not streams"); return }
        let all = streams.flatMap { s in s.entries.map { $0.0 / EngineTests.s } }.sorted(by: >)
        #expect(all == [60, 50, 45])
        #expect(stats.entriesReturned == 3)
        p.direction = .forward
        p.limit = 100
        let (r2, _) = try engine.execute("{job=\"app\"} |= \"status=500\"", p)
        guard case .streams(let s2) = r2 else { return }
        #expect(s2.count == 1)
        #expect(s2[0].entries.map { $0.0 / EngineTests.s } == [15, 45])
        #expect(throws: LogQLError.self) {
            try engine.execute("{job=\"app\"}", QueryParams(start: 0, end: 10, instant: true))
        }
    }

    @Test func formattersRewriteLinesAndLabels() throws {
        let engine = Engine(store: EngineTests.store)
        let p = QueryParams(start: 0, end: 100 * EngineTests.s, limit: 10, direction: .forward)
        let (r, _) = try engine.execute(
            "{level=\"error\"} | logfmt | line_format \"{{.status}} {{ .path | ToUpper }}\" | label_format sev=level_extracted, code=\"{{.status}}x\"", p)
        guard case .streams(let streams) = r else { Issue.record("not streams"); return }
        #expect(streams.count == 1)
        #expect(streams[0].entries.map(\.1) == ["500 /BOOM", "500 /BOOM"])
        let names = streams[0].labels.map(\.name)
        #expect(names.contains("sev") && !names.contains("level_extracted"))
        #expect(streams[0].labels.first { $0.name == "code" }?.value == "500x")
        // A line filter after line_format runs on the new line, in the pipeline.
        let (r2, _) = try engine.execute("{job=\"app\"} | logfmt | line_format \"{{.path}}\" |= \"/p3\"", p)
        guard case .streams(let s2) = r2 else { return }
        #expect(s2.flatMap { $0.entries.map(\.1) } == ["/p3"])
    }

    @Test func sampleErrorsFailMetricQueriesUnlessFiltered() throws {
        let engine = Engine(store: EngineTests.store)
        let p = QueryParams(start: 60 * EngineTests.s, end: 60 * EngineTests.s, instant: true)
        do {
            _ = try engine.execute("sum(sum_over_time({job=\"app\"} | logfmt | unwrap path [60s]))", p)
            Issue.record("expected a pipeline error")
        } catch let e as LogQLError {
            #expect(e.message.hasPrefix("pipeline error: 'SampleExtractionErr' for series:"))
        }
        let (r, _) = try engine.execute("sum(sum_over_time({job=\"app\"} | logfmt | unwrap path | __error__=\"\" [60s]))", p)
        guard case .vector(let v) = r else { Issue.record("not a vector"); return }
        #expect(v.isEmpty)
    }

    @Test func resultJSONHasLokiShape() throws {
        let engine = Engine(store: EngineTests.store)
        let (r, stats) = try engine.execute("sum(count_over_time({job=\"app\"}[30s]))",
                                            QueryParams(start: 30 * EngineTests.s, end: 40 * EngineTests.s, step: 10 * EngineTests.s))
        let json = ResultJSON.data(r, stats)
        #expect(json.hasPrefix("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[30,\"4\"],[40,\"4\"]]}],\"stats\":{\"summary\":{"))
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let st = obj["stats"] as! [String: Any]
        for key in ["summary", "querier", "ingester", "cache", "index"] { #expect(st[key] != nil, "\(key)") }
    }
}
