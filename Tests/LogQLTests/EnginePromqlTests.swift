import Foundation
import Testing
@testable import LogQL
import LogStore
import Storage

/// promqltest-style engine tables: four streams with entries at known seconds, queries evaluated at exact
/// timestamps, every expected series written out by hand from Loki's semantics.
///
/// ```
/// {job="api", zone="a", level="info"}   t = 1…10 s   latency=<t>s size=<t>KB c=<counter>   (c: 0 10 20 30 40 0 10 20 30 40)
/// {job="api", zone="b", level="info"}   t = 2,4,6,8,10
/// {job="api", zone="a", level="error"}  t = 5,10
/// {job="db",  zone="a"}                 t = 3,6,9
/// ```
@Suite struct EnginePromqlTests {
    static let s: Int64 = 1_000_000_000

    static func makeStore() throws -> LogStore {
        let dir = NSTemporaryDirectory() + "mclog-promql-" + UUID().uuidString
        var o = StoreOptions()
        o.maintenanceIntervalSeconds = 0
        let store = try LogStore(directory: dir, options: o)
        let counter = [0, 10, 20, 30, 40, 0, 10, 20, 30, 40]
        var aInfo = EntryBatch(), bInfo = EntryBatch(), aError = EntryBatch(), db = EntryBatch()
        for t in 1...10 { aInfo.append(timestamp: Int64(t) * s, line: "latency=\(t)s size=\(t)KB c=\(counter[t - 1])") }
        for t in [2, 4, 6, 8, 10] { bInfo.append(timestamp: Int64(t) * s, line: "status=200") }
        for t in [5, 10] { aError.append(timestamp: Int64(t) * s, line: "status=500") }
        for t in [3, 6, 9] { db.append(timestamp: Int64(t) * s, line: "query ok") }
        try store.append(tenant: "fake", [
            (try LabelSet([Label("job", "api"), Label("zone", "a"), Label("level", "info")]), aInfo),
            (try LabelSet([Label("job", "api"), Label("zone", "b"), Label("level", "info")]), bInfo),
            (try LabelSet([Label("job", "api"), Label("zone", "a"), Label("level", "error")]), aError),
            (try LabelSet([Label("job", "db"), Label("zone", "a")]), db),
        ])
        return store
    }

    static let store = try! makeStore()

    static func render(_ labels: [Label]) -> String {
        "{" + labels.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "}"
    }

    static func range(_ q: String, _ start: Int64, _ end: Int64, _ step: Int64) throws -> [String] {
        let (r, _) = try Engine(store: store).execute(q, QueryParams(start: start * s, end: end * s, step: step * s))
        guard case .matrix(let series) = r else { return ["not a matrix: \(r.typeName)"] }
        return series.map { se in
            render(se.labels) + " " + se.points.map { "\($0.0 / s)=\(ResultJSON.number($0.1))" }.joined(separator: " ")
        }
    }

    static func instant(_ q: String, _ t: Int64) throws -> [String] {
        let (r, _) = try Engine(store: store).execute(q, QueryParams(start: t * s, end: t * s, instant: true))
        switch r {
        case .vector(let v): return v.map { render($0.labels) + " " + ResultJSON.number($0.value) }
        case .scalar(_, let v): return ["scalar " + ResultJSON.number(v)]
        default: return ["unexpected \(r.typeName)"]
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let query: String
        let start: Int64, end: Int64, step: Int64
        let want: [String]
        /// A range query from `start` to `end`.
        init(_ query: String, _ start: Int64, _ end: Int64, _ step: Int64, _ want: [String]) {
            self.query = query
            self.start = start
            self.end = end
            self.step = step
            self.want = want
        }
        /// An instant query at `t` (step 0).
        init(_ query: String, at t: Int64, _ want: [String]) {
            self.init(query, t, t, 0, want)
        }
        var testDescription: String { query }
    }

    static let windows: [Case] = [
        // The window is (t - range, t]: at t=6 the entry at 3 s is out, the one at 6 s in.
        Case("count_over_time({job=\"db\"}[3s])", at: 6, ["{job=db,zone=a} 1"]),
        Case("count_over_time({job=\"db\"}[3001ms])", at: 6, ["{job=db,zone=a} 2"]),
        Case("count_over_time({job=\"db\"}[3s])", 3, 9, 1, ["{job=db,zone=a} 3=1 4=1 5=1 6=1 7=1 8=1 9=1"]),
        // step < range: windows overlap, each entry counts in several steps.
        Case("count_over_time({zone=\"b\"}[4s])", 4, 10, 2, ["{job=api,level=info,zone=b} 4=2 6=2 8=2 10=2"]),
        Case("count_over_time({job=\"db\"}[5s])", 3, 9, 2, ["{job=db,zone=a} 3=1 5=1 7=2 9=2"]),
        // step > range: gaps; entries between windows are never counted, and empty windows are absent, not 0.
        Case("count_over_time({zone=\"b\"}[1s])", 1, 10, 3, ["{job=api,level=info,zone=b} 4=1 10=1"]),
        Case("count_over_time({job=\"db\"}[1s])", 1, 10, 3, []),
        Case("count_over_time({job=\"nope\"}[1h])", at: 10, []),
        // rate and bytes over a window.
        Case("rate({job=\"db\"}[10s])", at: 10, ["{job=db,zone=a} 0.3"]),
        Case("bytes_over_time({job=\"db\"}[10s])", at: 10, ["{job=db,zone=a} 24"]),
        Case("bytes_rate({job=\"db\"}[4s])", at: 10, ["{job=db,zone=a} 2"]),
        // offset shifts the window back: at t the window is (t - offset - range, t - offset].
        Case("count_over_time({job=\"db\"}[3s] offset 3s)", 4, 12, 2, ["{job=db,zone=a} 6=1 8=1 10=1 12=1"]),
        Case("count_over_time({job=\"db\"}[3s] offset 3s)", at: 9, ["{job=db,zone=a} 1"]),
        // absent_over_time: 1 where no entry is in the window, with the equality matchers' labels.
        Case("absent_over_time({job=\"db\"}[2s])", 1, 10, 1, ["{job=db} 1=1 2=1 5=1 8=1"]),
        Case("absent_over_time({job=\"db\", zone!=\"x\"}[2s])", at: 2, ["{job=db} 1"]),
        Case("absent_over_time({job=\"nope\", job!=\"x\"}[1s])", at: 2, ["{} 1"]),
        Case("absent_over_time({job=\"db\"}[10s])", at: 10, []),
    ]

    static let aggregations: [Case] = [
        Case("sum by (zone) (count_over_time({job=\"api\"}[10s]))", at: 10, ["{zone=a} 12", "{zone=b} 5"]),
        Case("sum without (level) (count_over_time({job=\"api\"}[10s]))", at: 10, ["{job=api,zone=a} 12", "{job=api,zone=b} 5"]),
        Case("sum(count_over_time({job=\"api\"}[10s])) by (zone)", at: 10, ["{zone=a} 12", "{zone=b} 5"]),
        Case("count by (zone) (count_over_time({job=~\"api|db\"}[10s]))", at: 10, ["{zone=a} 3", "{zone=b} 1"]),
        Case("max by (job) (count_over_time({job=~\"api|db\"}[10s]))", at: 10, ["{job=api} 10", "{job=db} 3"]),
        Case("min(count_over_time({job=~\"api|db\"}[10s]))", at: 10, ["{} 2"]),
        Case("avg without (level, zone) (count_over_time({job=\"api\"}[10s]))", at: 10, ["{job=api} 5.666666666666667"]),
        Case("stddev(count_over_time({job=\"api\", level=\"info\"}[10s]))", at: 10, ["{} 2.5"]),
        Case("stdvar(count_over_time({job=\"api\", level=\"info\"}[10s]))", at: 10, ["{} 6.25"]),
        // topk/bottomk keep the original labels; per step, and per group with by.
        Case("topk(2, count_over_time({job=~\"api|db\"}[10s]))", at: 10,
             ["{job=api,level=info,zone=a} 10", "{job=api,level=info,zone=b} 5"]),
        Case("topk by (zone) (1, count_over_time({job=~\"api|db\"}[10s]))", at: 10,
             ["{job=api,level=info,zone=a} 10", "{job=api,level=info,zone=b} 5"]),
        Case("bottomk(1, count_over_time({job=~\"api|db\"}[10s]))", at: 10, ["{job=api,level=error,zone=a} 2"]),
        // Ties at t=9 ((5,9]: zone b has 6,8 and db 6,9): exactly k series; mclog breaks ties by label order
        // (Loki's heap keeps whichever came first, which depends on its input order).
        Case("bottomk(1, count_over_time({job=~\"api|db\", level!=\"error\"}[4s]))", at: 9, ["{job=api,level=info,zone=b} 2"]),
        Case("topk(2, count_over_time({job=~\"api|db\", level!=\"error\"}[4s]))", at: 9,
             ["{job=api,level=info,zone=a} 4", "{job=api,level=info,zone=b} 2"]),
        Case("topk(10, count_over_time({job=\"db\"}[10s]))", at: 10, ["{job=db,zone=a} 3"]),
        // sort/sort_desc order an instant vector by value.
        Case("sort(count_over_time({job=~\"api|db\"}[10s]))", at: 10,
             ["{job=api,level=error,zone=a} 2", "{job=db,zone=a} 3", "{job=api,level=info,zone=b} 5", "{job=api,level=info,zone=a} 10"]),
        Case("sort_desc(count_over_time({job=~\"api|db\"}[10s]))", at: 10,
             ["{job=api,level=info,zone=a} 10", "{job=api,level=info,zone=b} 5", "{job=db,zone=a} 3", "{job=api,level=error,zone=a} 2"]),
    ]

    static let binaryOps: [Case] = [
        // one-to-one with on(): the result keeps only the on() labels, for comparisons too.
        Case("sum by (zone, job) (count_over_time({job=\"api\"}[10s])) > on(zone) sum by (zone) (count_over_time({job=\"db\"}[10s]))",
             at: 10, ["{zone=a} 12"]),
        Case("sum by (zone) (count_over_time({job=\"api\"}[10s])) / on(zone) sum by (zone) (count_over_time({job=\"db\"}[10s]))",
             at: 10, ["{zone=a} 4"]),
        Case("sum by (zone, level) (count_over_time({job=\"api\"}[10s])) - ignoring(level) sum by (zone, level) (count_over_time({job=\"api\", zone=\"b\"}[10s]))",
             at: 10, ["{zone=b} 0"]),
        // many-to-one: group_left keeps the left (many) labels, group_left(job) copies job from the one side.
        Case("count_over_time({job=\"api\"}[10s]) * on(zone) group_left count_over_time({job=\"db\"}[10s])", at: 10,
             ["{job=api,level=error,zone=a} 6", "{job=api,level=info,zone=a} 30"]),
        Case("count_over_time({job=\"api\"}[10s]) * on(zone) group_left(job) count_over_time({job=\"db\"}[10s])", at: 10,
             ["{job=db,level=error,zone=a} 6", "{job=db,level=info,zone=a} 30"]),
        Case("count_over_time({job=\"db\"}[10s]) * on(zone) group_right count_over_time({job=\"api\"}[10s])", at: 10,
             ["{job=api,level=error,zone=a} 6", "{job=api,level=info,zone=a} 30"]),
        Case("count_over_time({job=\"db\"}[10s]) - on(zone) group_right count_over_time({job=\"api\"}[10s])", at: 10,
             ["{job=api,level=error,zone=a} 1", "{job=api,level=info,zone=a} -7"]),
        // A comparison keeps the left operand's value, also when the right side is the "many" side.
        Case("count_over_time({job=\"db\"}[10s]) < on(zone) group_right count_over_time({job=\"api\"}[10s])", at: 10,
             ["{job=api,level=info,zone=a} 3"]),
        Case("count_over_time({job=\"db\"}[10s]) < bool on(zone) group_right count_over_time({job=\"api\"}[10s])", at: 10,
             ["{job=api,level=error,zone=a} 0", "{job=api,level=info,zone=a} 1"]),
        // Comparisons with a scalar filter (keeping the vector's value on either side) or, with bool, give 0/1.
        Case("count_over_time({job=~\"api|db\"}[10s]) > 4", at: 10,
             ["{job=api,level=info,zone=a} 10", "{job=api,level=info,zone=b} 5"]),
        Case("4 < count_over_time({job=~\"api|db\"}[10s])", at: 10,
             ["{job=api,level=info,zone=a} 10", "{job=api,level=info,zone=b} 5"]),
        Case("count_over_time({job=~\"api|db\"}[10s]) > bool 4", at: 10,
             ["{job=api,level=error,zone=a} 0", "{job=api,level=info,zone=a} 1", "{job=api,level=info,zone=b} 1", "{job=db,zone=a} 0"]),
        Case("count_over_time({job=\"db\"}[10s]) == bool count_over_time({job=\"db\"}[10s])", at: 10, ["{job=db,zone=a} 1"]),
        // Set operators, step by step.
        Case("count_over_time({job=\"api\"}[1s]) and on(zone) count_over_time({job=\"db\"}[1s])", 1, 10, 1,
             ["{job=api,level=info,zone=a} 3=1 6=1 9=1"]),
        Case("count_over_time({job=\"api\", zone=\"a\"}[1s]) unless on(zone) count_over_time({job=\"db\"}[1s])", 1, 10, 1,
             ["{job=api,level=error,zone=a} 5=1 10=1", "{job=api,level=info,zone=a} 1=1 2=1 4=1 5=1 7=1 8=1 10=1"]),
        Case("count_over_time({job=\"db\"}[1s]) or on(zone) count_over_time({level=\"error\"}[1s])", 1, 10, 1,
             ["{job=api,level=error,zone=a} 5=1 10=1", "{job=db,zone=a} 3=1 6=1 9=1"]),
        Case("count_over_time({job=\"db\"}[1s]) or on(zone) count_over_time({level=\"error\"}[4s])", 1, 10, 1,
             ["{job=api,level=error,zone=a} 5=1 7=1 8=1 10=1", "{job=db,zone=a} 3=1 6=1 9=1"]),
        // Same labels on both sides: the right side fills only the steps the left one lacks.
        Case("count_over_time({job=\"db\"}[1s]) or count_over_time({job=\"db\"}[3s])", 1, 10, 1,
             ["{job=db,zone=a} 3=1 4=1 5=1 6=1 7=1 8=1 9=1 10=1"]),
        // Scalars and vector().
        Case("2 * 3 + 1", 1, 3, 1, ["{} 1=7 2=7 3=7"]),
        Case("2 ^ 3 ^ 2", at: 1, ["scalar 512"]),
        Case("1 > 2", at: 1, ["scalar 0"]),
        Case("1 / 0", at: 1, ["scalar NaN"]),
        Case("count_over_time({job=\"db\"}[10s]) / 0", at: 10, ["{job=db,zone=a} NaN"]),
        Case("count_over_time({job=\"db\"}[10s]) % 2", at: 10, ["{job=db,zone=a} 1"]),
        Case("vector(5)", 1, 3, 1, ["{} 1=5 2=5 3=5"]),
        Case("sum(count_over_time({job=\"nope\"}[1s])) or vector(0)", 1, 3, 1, ["{} 1=0 2=0 3=0"]),
        Case("vector(1) + vector(1)", at: 5, ["{} 2"]),
        Case("count_over_time({job=\"db\"}[10s]) + vector(1)", at: 10, []),
        Case("sum(count_over_time({job=\"db\"}[10s])) + vector(1)", at: 10, ["{} 4"]),
        // label_replace: $1/${1} expansion, unmatched series unchanged, an empty result removes the label.
        Case("label_replace(count_over_time({job=\"db\"}[10s]), \"svc\", \"$1-${2}\", \"job\", \"(d)(b)\")", at: 10,
             ["{job=db,svc=d-b,zone=a} 3"]),
        Case("label_replace(count_over_time({job=\"db\"}[10s]), \"svc\", \"$1\", \"job\", \"api\")", at: 10, ["{job=db,zone=a} 3"]),
        Case("label_replace(count_over_time({job=\"db\"}[10s]), \"zone\", \"\", \"job\", \".*\")", at: 10, ["{job=db} 3"]),
    ]

    static let unwrapped: [Case] = [
        // Each line is its own series (logfmt's size label differs); unwrap removes the unwrapped label.
        Case("sum_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap duration(latency) [2s])", at: 10,
             ["{c=30,job=api,level=info,size=9KB,zone=a} 9", "{c=40,job=api,level=info,size=10KB,zone=a} 10"]),
        Case("sum by (job) (sum_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap duration(latency) [10s]))", at: 10, ["{job=api} 55"]),
        Case("sum by (job) (sum_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [10s]))", at: 10, ["{job=api} 55000"]),
        Case("max_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [10s]) by (zone)", at: 10, ["{zone=a} 10000"]),
        Case("min_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap duration_seconds(latency) [3s]) by (zone)", 3, 9, 3,
             ["{zone=a} 3=1 6=4 9=7"]),
        Case("avg_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [4s]) by (job)", at: 10, ["{job=api} 8500"]),
        Case("first_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap c [4s]) by (job)", at: 10, ["{job=api} 10"]),
        Case("last_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap c [4s]) by (job)", at: 10, ["{job=api} 40"]),
        // Prometheus' quantile: linear interpolation between ranks; outside [0, 1] ±Inf.
        Case("quantile_over_time(0.5, {zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [10s]) by (job)", at: 10, ["{job=api} 5500"]),
        Case("quantile_over_time(0.25, {zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [10s]) by (job)", at: 10, ["{job=api} 3250"]),
        Case("quantile_over_time(0, {zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [10s]) by (job)", at: 10, ["{job=api} 1000"]),
        Case("quantile_over_time(1.5, {zone=\"a\", level=\"info\"} | logfmt | unwrap bytes(size) [10s]) by (job)", at: 10, ["{job=api} +Inf"]),
        Case("stdvar_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap duration(latency) [4s]) by (job)", at: 10, ["{job=api} 1.25"]),
        // rate with unwrap is the sum per second; rate_counter is Prometheus' extrapolated counter rate (a reset
        // from 40 to 0 at 6 s adds 40; the first sample is 0, so there is no extrapolation before it).
        Case("sum by (job) (rate({zone=\"a\", level=\"info\"} | logfmt | unwrap c [10s]))", at: 10, ["{job=api} 20"]),
        Case("sum by (job) (rate_counter({zone=\"a\", level=\"info\"} | logfmt | keep job, c | unwrap c [10s]))", at: 10, ["{job=api} 8"]),
        // count_over_time/sum_over_time ignore the value; absent_over_time with unwrap.
        Case("absent_over_time({zone=\"a\", level=\"info\"} | logfmt | unwrap c [1s])", at: 10, []),
    ]

    @Test("windows, steps, offset and absent", arguments: windows)
    func windowCases(_ c: Case) throws { try EnginePromqlTests.check(c) }

    @Test("vector aggregations", arguments: aggregations)
    func aggregationCases(_ c: Case) throws { try EnginePromqlTests.check(c) }

    @Test("binary operators, vector matching, set operators, scalars, label_replace", arguments: binaryOps)
    func binaryCases(_ c: Case) throws { try EnginePromqlTests.check(c) }

    @Test("unwrapped range aggregations", arguments: unwrapped)
    func unwrapCases(_ c: Case) throws { try EnginePromqlTests.check(c) }

    static func check(_ c: Case) throws {
        let got = c.step == 0 ? try instant(c.query, c.start) : try range(c.query, c.start, c.end, c.step)
        #expect(got == c.want, "\(c.query)")
    }

    @Test("matching errors", arguments: [
        ("sum by (zone, level) (count_over_time({job=\"api\"}[10s])) - ignoring(level) sum by (zone) (count_over_time({job=\"api\"}[10s]))",
         "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"),
        ("count_over_time({job=\"db\"}[10s]) + on(zone) count_over_time({job=\"api\"}[10s])",
         "found duplicate series on the right hand-side;many-to-many matching not allowed"),
        ("count_over_time({job=\"api\"}[10s]) + on(zone) group_right count_over_time({job=\"db\"}[10s])",
         "found duplicate series on the left hand-side;many-to-many matching not allowed"),
        ("count_over_time({job=\"api\"}[10s]) * on(zone) group_left count_over_time({job=~\"api|db\", level!=\"error\"}[10s])",
         "found duplicate series on the right hand-side"),
        // group_left(level) copies level from the one side, which has none: a/info and a/error both become {job=api,zone=a}.
        ("count_over_time({job=\"api\"}[10s]) * on(zone) group_left(level) count_over_time({job=\"db\"}[10s])",
         "multiple matches for labels: grouping labels must ensure unique matches"),
    ])
    func matchingErrors(_ q: String, _ message: String) {
        do {
            let r = try EnginePromqlTests.instant(q, 10)
            Issue.record("\(q) gave \(r)")
        } catch {
            #expect("\(error)".contains(message), "\(q): \(error)")
        }
    }

    /// `a, b or c` is `a and (b or c)` in Loki: the comma takes the rest of the filter. Read the other way,
    /// `(status="500" and status="404") or status="200"` would keep zone b's five lines.
    @Test func commaTakesTheRestOfTheLabelFilter() throws {
        let (r, _) = try Engine(store: EnginePromqlTests.store).execute(
            "{job=\"api\"} | logfmt | status=\"500\", status=\"404\" or status=\"200\"",
            QueryParams(start: 0, end: 20 * EnginePromqlTests.s, limit: 100, direction: .forward))
        guard case .streams(let streams) = r else { Issue.record("not streams"); return }
        #expect(streams.flatMap(\.entries).isEmpty)
        let (r2, _) = try Engine(store: EnginePromqlTests.store).execute(
            "{job=\"api\"} | logfmt | (status=\"500\", status=\"404\") or status=\"200\"",
            QueryParams(start: 0, end: 20 * EnginePromqlTests.s, limit: 100, direction: .forward))
        guard case .streams(let s2) = r2 else { Issue.record("not streams"); return }
        #expect(s2.flatMap(\.entries).count == 5)
    }
}
