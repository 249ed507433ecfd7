import Foundation
import LogStore

/// Runs parsed LogQL queries against a store: log queries stream entries through the pipeline, metric queries
/// evaluate range aggregations over one pass of the entries and then the expression tree step by step.
public final class Engine: @unchecked Sendable {
    let store: LogStore

    public init(store: LogStore) { self.store = store }

    /// Parses and runs a query.
    public func execute(_ text: String, _ params: QueryParams) throws -> (QueryResult, QueryStats) {
        try execute(try Parser.parse(text), params)
    }

    public func execute(_ query: Query, _ params: QueryParams) throws -> (QueryResult, QueryStats) {
        let started = DispatchTime.now().uptimeNanoseconds
        var stats = QueryStats()
        let result: QueryResult
        switch query {
        case .log(let q):
            if params.instant {
                throw LogQLError("log queries are not supported as an instant query type, please change your query to a range query type")
            }
            result = .streams(try runLog(q, params, &stats))
        case .metric(let m):
            let times = try evaluationTimes(params)
            let v = try evaluate(m, times: times, params: params, stats: &stats)
            result = Engine.applySort(m, try shape(v, times: times, params: params))
        }
        stats.execSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return (result, stats)
    }

    func evaluationTimes(_ p: QueryParams) throws -> [Int64] {
        if p.instant { return [p.end] }
        guard p.step > 0 else { throw LogQLError("zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard p.end >= p.start else { throw LogQLError("end timestamp must not be before start time") }
        let n = (p.end - p.start) / p.step + 1
        if n > 11000 {
            throw LogQLError("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        return (0..<n).map { p.start + $0 * p.step }
    }

    // MARK: Log queries

    func runLog(_ q: LogQuery, _ p: QueryParams, _ stats: inout QueryStats) throws -> [StreamResult] {
        let (filter, covered) = try q.pushdownFilter()
        let pipeline = try Pipeline(q, skip: covered)
        let remainingDrops = q.stages.enumerated().contains { !covered.contains($0.offset) && $0.element.canDrop }
        var request = SelectRequest(tenant: p.tenant, matchers: q.matchers, from: p.start, to: p.end,
                                    direction: p.direction, filter: filter, limit: remainingDrops ? 0 : p.limit)
        request.useBloom = p.useBloom
        request.metadataHints = q.metadataHints()
        request.cancellation = p.cancellation
        var streams: [[Label]: Int] = [:]
        var out: [StreamResult] = []
        var returned = 0
        stats.store = try store.select(request) { e in
            stats.postFilterLines += 1
            guard pipeline.run(stream: e.labels, metadata: e.metadata, timestamp: e.timestamp, line: e.line) else {
                return true
            }
            let labels: [Label], metadata: [Label], parsed: [Label]
            if p.categorizeLabels {
                (labels, metadata, parsed) = pipeline.labels.categorized()
            } else {
                (labels, metadata, parsed) = (pipeline.labels.labels(), [], [])
            }
            let line = pipeline.rewritten.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: e.line, as: UTF8.self)
            let idx: Int
            if let i = streams[labels] {
                idx = i
            } else {
                idx = out.count
                streams[labels] = idx
                out.append(StreamResult(labels: labels, entries: []))
            }
            out[idx].entries.append((e.timestamp, line, metadata, parsed))
            returned += 1
            return p.limit == 0 || returned < p.limit
        }
        stats.linesProcessed = stats.store.linesScanned
        stats.bytesProcessed = stats.store.decompressedBytes
        stats.entriesReturned = returned
        return out
    }

    // MARK: Metric queries

    /// A metric value over the evaluation times: per series, one optional value per time.
    typealias StepVector = [[Label]: [Double?]]

    /// Evaluated expression: a scalar per time, or series.
    enum Value {
        case scalar([Double])
        case vector(StepVector)
    }

    func evaluate(_ e: MetricExpr, times: [Int64], params: QueryParams, stats: inout QueryStats) throws -> Value {
        switch e {
        case .number(let v): return .scalar(Array(repeating: v, count: times.count))
        case .vector(let v): return .vector([[]: Array(repeating: v, count: times.count)])
        case .paren(let inner): return try evaluate(inner, times: times, params: params, stats: &stats)
        case .range(let r): return .vector(try evaluateRange(r, times: times, params: params, stats: &stats))
        case .vectorAggregation(let op, let param, let inner, let grouping):
            if let p = Engine.pushableSum(op, grouping, inner) {
                let v = try evaluateRange(p.0, times: times, params: params, stats: &stats, pushed: p.1)
                return .vector(Aggregations.vector(op, param: param, grouping: grouping, v, count: times.count))
            }
            guard case .vector(let v) = try evaluate(inner, times: times, params: params, stats: &stats) else {
                throw LogQLError("\(op.rawValue) expects a vector")
            }
            return .vector(Aggregations.vector(op, param: param, grouping: grouping, v, count: times.count))
        case .labelReplace(let inner, let dst, let rep, let src, let re):
            guard case .vector(let v) = try evaluate(inner, times: times, params: params, stats: &stats) else {
                throw LogQLError("label_replace expects a vector")
            }
            return .vector(try Aggregations.labelReplace(v, destination: dst, replacement: rep, source: src, regex: re))
        case .binary(let op, let l, let r, let returnBool, let matching):
            let lv = try evaluate(l, times: times, params: params, stats: &stats)
            let rv = try evaluate(r, times: times, params: params, stats: &stats)
            return try BinaryEvaluator.apply(op, lv, rv, returnBool: returnBool, matching: matching, count: times.count)
        }
    }

    /// Turns the evaluated value into Loki's result type.
    func shape(_ v: Value, times: [Int64], params: QueryParams) throws -> QueryResult {
        switch v {
        case .scalar(let values):
            if params.instant { return .scalar(timestamp: times[0], value: values[0]) }
            return .matrix([Series(labels: [], points: zip(times, values).map { ($0, $1) })])
        case .vector(let series):
            if series.count > params.maxSeries {
                throw LogQLError("maximum of series (\(params.maxSeries)) reached for a single query")
            }
            if params.instant {
                var out: [(labels: [Label], timestamp: Int64, value: Double)] = []
                for (labels, values) in series { if let v = values[0] { out.append((labels, times[0], v)) } }
                out.sort { LabelOrder.less($0.labels, $1.labels) }
                return .vector(out)
            }
            var out: [Series] = []
            for (labels, values) in series {
                let points = zip(times, values).compactMap { t, v in v.map { (t, $0) } }
                if !points.isEmpty { out.append(Series(labels: labels, points: points)) }
            }
            out.sort { LabelOrder.less($0.labels, $1.labels) }
            return .matrix(out)
        }
    }
}

extension Engine {
    /// `sort`/`sort_desc` at the top of an instant query order the vector by value (Prometheus ignores them for
    /// range queries).
    static func applySort(_ e: MetricExpr, _ r: QueryResult) -> QueryResult {
        var top = e
        while case .paren(let inner) = top { top = inner }
        guard case .vectorAggregation(let op, _, _, _) = top, op == .sort || op == .sortDesc,
              case .vector(var samples) = r
        else { return r }
        samples.sort { op == .sort ? $0.value < $1.value : $0.value > $1.value }
        return .vector(samples)
    }
}

enum LabelOrder {
    static func less(_ a: [Label], _ b: [Label]) -> Bool { a.lexicographicallyPrecedes(b) }
}
