import Foundation
import Testing
@testable import LogQL
import LogStore

/// A step's value depends only on the entries in its own windows, bit for bit, whatever range the query covers:
/// what lets the HTTP API answer range queries from cached time splits.
@Suite struct EngineSplitTests {
    static let s: Int64 = 1_000_000_000

    /// `{job="x"}`: `v=<k> took=<k*1.1>ms` every 5 s from 5 s to 120 s, except `v=oops` at 62 s;
    /// `{job="y"}`: `v=3` at the same times.
    static let store: LogStore = {
        let dir = NSTemporaryDirectory() + "mclog-engine-split-" + UUID().uuidString
        var o = StoreOptions()
        o.maintenanceIntervalSeconds = 0
        let store = try! LogStore(directory: dir, options: o)
        var x = EntryBatch(), y = EntryBatch()
        for k in 1...24 {
            x.append(timestamp: Int64(k * 5) * s, line: "v=\(k) took=\(Double(k) * 1.1)")
            y.append(timestamp: Int64(k * 5) * s, line: "v=3 took=0.1")
            if k == 12 { x.append(timestamp: 62 * s, line: "v=oops") }
        }
        try! store.append(tenant: "fake", [(try! LabelSet([Label("job", "x")]), x), (try! LabelSet([Label("job", "y")]), y)])
        return store
    }()

    static func points(_ q: String, _ start: Int64, _ end: Int64, _ step: Int64) throws -> [String: [String]] {
        let (r, _) = try Engine(store: store).execute(q, QueryParams(start: start * s, end: end * s, step: step * s))
        guard case .matrix(let series) = r else { return [:] }
        var out: [String: [String]] = [:]
        for se in series {
            out["\(se.labels)"] = se.points.map { "\($0.0 / s)=\($0.1.bitPattern)" }
        }
        return out
    }

    @Test(arguments: [
        "count_over_time({job=~\"x|y\"}[12s])",
        "sum(rate({job=~\"x|y\"}[17s]))",
        "avg_over_time({job=~\"x|y\"} | logfmt | v != \"oops\" | unwrap took [20s]) by (job)",
        "sum(avg_over_time({job=~\"x|y\"} | logfmt | v != \"oops\" | unwrap took [20s]) by (job))",
        "stddev_over_time({job=\"x\"} | logfmt | v != \"oops\" | unwrap took [30s] offset 7s)",
        "topk(1, count_over_time({job=~\"x|y\"}[9s]))",
        "count_over_time({job=\"x\"}[10s]) / on() group_left count_over_time({job=\"y\"}[10s])",
    ])
    func aRangeComputedInPiecesEqualsItInOnePiece(_ q: String) throws {
        let whole = try Self.points(q, 20, 110, 3)
        #expect(!whole.isEmpty)
        var pieces: [String: [String]] = [:]
        for (a, b) in [(20, 47), (50, 80), (83, 110)] as [(Int64, Int64)] {
            for (k, v) in try Self.points(q, a, b, 3) { pieces[k, default: []] += v }
        }
        #expect(pieces == whole)
    }

    /// The `v=oops` line at 62 s fails `unwrap v`; with windows (t-3s, t] every 10 s from 30 s no window holds it,
    /// so the query answers (Loki raises pipeline errors only for samples in a window) — and a step whose window
    /// holds it fails.
    @Test func entriesInNoWindowRaiseNoPipelineError() throws {
        let q = "sum(sum_over_time({job=\"x\"} | logfmt | unwrap v [3s]))"
        let p = try Self.points(q, 30, 90, 10)
        #expect(p.values.first?.count == 7)
        #expect(throws: LogQLError.self) { try Self.points(q, 32, 92, 10) }
    }
}
