import Foundation
import LogQL
import LogStore

/// What a metric query computation gives every request that shares it.
struct MetricAnswer: Sendable {
    var result: QueryResult
    var stats: QueryStats
}

/// The query frontend for metric queries, as Loki's: identical queries in flight are computed once (`flights`),
/// and range queries are answered from cached time splits plus the missing ones computed in as few engine runs
/// as the gaps between cached splits allow (`cache`, `SplitPlan`). Log queries take neither path: their answers
/// are not cached by Loki either.
extension LokiAPI {
    func runMetric(_ m: MetricExpr, _ params: QueryParams) async throws -> (QueryResult, QueryStats) {
        let cache = self.cache
        cache.noteBlocksDeleted(store.metrics.blocksDeleted)
        let lastTime = params.instant || params.step <= 0 ? params.end
            : params.start + (params.end - params.start) / params.step * params.step
        let info = FlightInfo(tenant: params.tenant, sequence: cache.sequence,
                              dataRange: m.dataRange(first: params.start, last: lastTime))
        // Everything the answer depends on: limit, direction and the label encoding do not change a metric result.
        let key = [params.tenant, m.description, String(params.start), String(params.end), String(params.step),
                   params.instant ? "instant" : "range"].joined(separator: "\u{0}")
        let (answer, shared) = try await flights.value(
            key: key, timeout: options.queryTimeoutSeconds, info: info,
            canJoin: { f in f.dataRange.map { !cache.changed(tenant: f.tenant, since: f.sequence, range: $0) } ?? true },
            compute: { cancel in try await self.computeMetric(m, params, since: info.sequence, cancel: cancel) })
        if shared { metrics.recordSharedQuery() }
        metrics.recordQuery(type: "metric", stats: answer.stats)
        return (answer.result, answer.stats)
    }

    /// Computes a metric query for everyone waiting on it: through the results cache when it applies, else in
    /// one engine run.
    func computeMetric(_ m: MetricExpr, _ params: QueryParams, since: UInt64, cancel: QueryCancellation) async throws
        -> MetricAnswer
    {
        let started = DispatchTime.now().uptimeNanoseconds
        var p = params
        p.cancellation = cancel
        let q = options.queryRange
        // Far-future or far-past bounds would overflow split arithmetic; such queries are computed directly.
        let margin = 4 * max(q.splitInterval, p.step)
        guard q.cacheResults, !p.instant, m.isSplittable, p.start > Int64.min + margin, p.end < Int64.max - margin else {
            let (answers, queued) = try await runEngine(m, p, ranges: [(p.start, p.end)])
            var stats = answers[0].1
            stats.queueSeconds = queued
            return MetricAnswer(result: answers[0].0, stats: stats)
        }
        do { try Engine.checkResolution(start: p.start, end: p.end, step: p.step) } catch let e as LogQLError {
            throw APIError.badRequest(e.description)
        }
        let plan = SplitPlan(start: p.start, end: p.end, step: p.step, interval: q.splitInterval,
                             cacheableThrough: LokiTime.now() - q.maxFreshness, expr: m)
        let text = m.description
        func key(_ piece: SplitPlan.Piece) -> ResultsCache.Key {
            ResultsCache.Key(tenant: p.tenant, query: text, step: p.step, phase: plan.phase, split: piece.split,
                             interval: q.splitInterval)
        }
        var stats = QueryStats()
        stats.splits = plan.pieces.count
        stats.resultCache.requests = 1
        var parts: [[Series]?] = plan.pieces.map { piece in
            guard piece.cacheable else { return nil }
            stats.resultCache.entriesRequested += 1
            guard let series = cache.get(key(piece)) else { return nil }
            stats.resultCache.entriesFound += 1
            stats.resultCache.bytesReceived += ResultsCache.size(key(piece), series)
            stats.resultCache.queryLengthServed += Int64(piece.last - piece.first + 1) * p.step
            return series
        }
        // Runs of adjacent pieces not found, each computed in one engine run.
        var runs: [ClosedRange<Int>] = []
        for i in plan.pieces.indices where parts[i] == nil {
            if let r = runs.last, r.upperBound == i - 1 { runs[runs.count - 1] = r.lowerBound...i } else { runs.append(i...i) }
        }
        if !runs.isEmpty {
            let ranges = runs.map { (plan.time(plan.pieces[$0.lowerBound].first), plan.time(plan.pieces[$0.upperBound].last)) }
            let (answers, queued) = try await runEngine(m, p, ranges: ranges)
            stats.queueSeconds = queued
            for (run, (result, runStats)) in zip(runs, answers) {
                stats.add(runStats)
                guard case .matrix(let series) = result else { throw APIError.badRequest("a range query did not give a matrix") }
                for (i, pieceSeries) in zip(run, plan.cut(series, pieces: run)) {
                    parts[i] = pieceSeries
                    let piece = plan.pieces[i]
                    guard piece.cacheable,
                          let reach = m.dataRange(first: plan.time(piece.first), last: plan.time(piece.last)),
                          let bytes = cache.put(key(piece), pieceSeries, dataRange: reach, computedSince: since)
                    else { continue }
                    stats.resultCache.entriesStored += 1
                    stats.resultCache.bytesSent += bytes
                }
            }
        }
        // Pieces in time order: each series' points stay in time order as they are appended.
        var index: [[Label]: Int] = [:]
        var out: [Series] = []
        for part in parts {
            for s in part ?? [] {
                if let i = index[s.labels] {
                    out[i].points += s.points
                } else {
                    index[s.labels] = out.count
                    out.append(s)
                }
            }
        }
        if out.count > p.maxSeries { throw APIError.badRequest(Engine.seriesLimitError(p.maxSeries).description) }
        Engine.sortSeries(&out)
        stats.execSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 - stats.queueSeconds
        return MetricAnswer(result: .matrix(out), stats: stats)
    }

    /// Runs the query over each `(start, end)` in turn on a blocking thread, holding one of the tenant's query
    /// slots. Returns the answers and the seconds spent waiting for the slot.
    func runEngine(_ m: MetricExpr, _ params: QueryParams, ranges: [(Int64, Int64)]) async throws
        -> ([(QueryResult, QueryStats)], Double)
    {
        let engine = self.engine
        let metrics = self.metrics
        let hooks = self.hooks
        let queued = DispatchTime.now().uptimeNanoseconds
        return try await gate.withSlot(tenant: params.tenant) {
            let waited = Double(DispatchTime.now().uptimeNanoseconds - queued) / 1e9
            // Everyone waiting gave up while the query queued.
            if params.cancellation?.isCancelled == true { throw APIError(.gatewayTimeout, "query cancelled") }
            do {
                let answers = try await BlockingWork.run {
                    try ranges.map { range in
                        var p = params
                        (p.start, p.end) = range
                        hooks.beforeEngineRun()
                        metrics.recordEngineRun()
                        return try engine.execute(.metric(m), p)
                    }
                }
                return (answers, waited)
            } catch let e as LogQLError {
                throw APIError.badRequest(e.description)
            }
        }
    }
}

/// Test hooks: code run at points of a query's computation (a test holds a computation there to make requests
/// overlap).
final class QueryHooks: @unchecked Sendable {
    private let lock = NSLock()
    private var before: (@Sendable () -> Void)?

    /// Sets what runs on the engine's thread before each engine run of a metric query.
    func setBeforeEngineRun(_ f: (@Sendable () -> Void)?) {
        lock.lock()
        before = f
        lock.unlock()
    }

    func beforeEngineRun() {
        lock.lock()
        let f = before
        lock.unlock()
        f?()
    }
}
