import Foundation
import HTTPTypes
import HummingbirdTesting
import Ingest
import LogQL
import LogStore
import Testing
@testable import MCServer

/// The query frontend: answers put together from cached splits equal the query computed in one piece, writes
/// into a cached range drop what they touch, recent results are not cached, the cache stays within its bytes,
/// and identical queries in flight run once.
@Suite struct ResultsCacheTests {
    /// 3,000 real nginx lines (fixtures/logs) spread over 12 hours from `base`, in three zone streams.
    static let base: Int64 = 1_700_000_000
    static func nginxPush() throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/logs/apache_access_combined.3000.log")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        var byZone: [String: [(Int64, String)]] = [:]
        for (i, line) in lines.enumerated() {
            let zone = ["a", "b", "c"][i % 3]
            // 14.4 s apart, with a few ns of jitter so that no two lines of a zone share a timestamp.
            let ts = sec(base) + Int64(i) * 14_400_000_000 + Int64(i % 7)
            let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            byZone[zone, default: []].append((ts, escaped))
        }
        return byZone.sorted { $0.key < $1.key }.map { pushJSON(["job": "nginx", "zone": $0.key], $0.value) }
    }

    static func options(cache: Bool, interval: Int64 = 3600, freshness: Int64 = 600) -> ServerOptions {
        var o = ServerOptions()
        o.queryRange.cacheResults = cache
        o.queryRange.splitInterval = sec(interval)
        o.queryRange.maxFreshness = sec(freshness)
        return o
    }

    /// The `result` of a query response, as text.
    static func resultText(_ r: TestResponse) -> String {
        let t = r.text
        guard let a = t.range(of: "\"result\":"), let b = t.range(of: ",\"stats\":") else { return "no result in " + t }
        return String(t[a.upperBound..<b.lowerBound])
    }

    static func cacheStats(_ r: TestResponse) -> [String: Int] {
        let d = (r.json as? [String: Any])?["data"] as? [String: Any]
        let s = (d?["stats"] as? [String: Any])?["cache"] as? [String: Any]
        return (s?["result"] as? [String: Any])?.compactMapValues { ($0 as? NSNumber)?.intValue } ?? [:]
    }

    static let size = #" | pattern `<_> - - [<_>] "<method> <_> <_>" <status> <size> <_>` | size != "-""#

    /// Query, start and end (seconds after `base`), step.
    static let queries: [(String, Int64, Int64, String)] = [
        (#"sum by (zone) (count_over_time({job="nginx"} |= "GET" [5m]))"#, 0, 43200, "300"),
        (#"rate({job="nginx"}[10m])"#, 600, 30000, "60"),
        // Lookback (2h) and offset longer than a split.
        (#"count_over_time({job="nginx"}[2h] offset 30m)"#, 3600, 43200, "600"),
        (#"topk(2, sum by (zone) (rate({job="nginx"} |= "GET" [15m])))"#, 0, 40000, "120"),
        (#"sum by (zone) (count_over_time({job="nginx"} |= "HEAD" [30m])) / sum by (zone) (count_over_time({job="nginx"}[30m]))"#, 0, 43200, "300"),
        (#"sum(rate({job="nginx"} |= "png" [5m])) > 0.01"#, 0, 43200, "60"),
        ("avg_over_time({job=\"nginx\"}" + size + " | unwrap size [30m]) by (zone)", 0, 43200, "600"),
        ("quantile_over_time(0.9, {job=\"nginx\"}" + size + " | unwrap size [1h]) by (zone)", 0, 43200, "900"),
        (#"bytes_over_time({job="nginx"}[20m])"#, 0, 43200, "1200"),
        // A grid whose start is not a multiple of step, and a step longer than the window (entries between steps).
        (#"sum by (zone) (count_over_time({job="nginx"}[1m]))"#, 7, 43000, "300"),
        // Not splittable (running float sums): computed in one piece, still the same answer.
        ("sum by (zone) (sum_over_time({job=\"nginx\"}" + size + " | unwrap size [10m]))", 0, 43200, "600"),
        (#"sum(count_over_time({job="nginx"}[5m])) + vector(1) * 2"#, 100, 20000, "150"),
    ]

    static func params(_ q: (String, Int64, Int64, String), from: Int64? = nil, to: Int64? = nil) -> [(String, String)] {
        [("query", q.0), ("start", "\(base + (from ?? q.1))"), ("end", "\(base + (to ?? q.2))"), ("step", q.3)]
    }

    @Test func cachedAnswersEqualUncachedOnesByteForByte() async throws {
        let plain = try ServerHarness(options: Self.options(cache: false))
        let cached = try ServerHarness(options: Self.options(cache: true))
        defer { plain.close(); cached.close() }
        let bodies = try Self.nginxPush()
        try await plain.withClient { p in
            try await cached.withClient { c in
                for b in bodies {
                    #expect(try await p.push(b).status == .noContent)
                    #expect(try await c.push(b).status == .noContent)
                }
                for q in Self.queries {
                    let want = try await p.get("/loki/api/v1/query_range", Self.params(q))
                    #expect(want.status == .ok, "\(q.0): \(want.text)")
                    #expect(Self.resultText(want).count > 20, "\(q.0): empty answer")
                    let cold = try await c.get("/loki/api/v1/query_range", Self.params(q))
                    let warm = try await c.get("/loki/api/v1/query_range", Self.params(q))
                    #expect(Self.resultText(cold) == Self.resultText(want), "cold: \(q.0)")
                    #expect(Self.resultText(warm) == Self.resultText(want), "warm: \(q.0)")
                    let splittable = try (Parser.parse(q.0)).metricSplittable
                    if splittable {
                        #expect(Self.cacheStats(warm)["entriesFound"] ?? 0 > 0, "\(q.0): \(Self.cacheStats(warm))")
                        #expect(Self.cacheStats(warm)["entriesFound"] == Self.cacheStats(warm)["entriesRequested"])
                    } else {
                        #expect(Self.cacheStats(warm)["entriesRequested"] == 0)
                    }
                    // Partial hits: a range on the same grid that overlaps the cached one and runs past its end.
                    let step = Int64(q.3)!
                    let wider = Self.params(q, from: q.1 + (5400 / step + 1) * step, to: q.2 + 7200)
                    let wantWider = try await p.get("/loki/api/v1/query_range", wider)
                    let partial = try await c.get("/loki/api/v1/query_range", wider)
                    #expect(Self.resultText(partial) == Self.resultText(wantWider), "partial: \(q.0)")
                    if splittable {
                        let s = Self.cacheStats(partial)
                        #expect(s["entriesFound"] ?? 0 > 0 && s["entriesFound"]! < s["entriesRequested"]!, "\(q.0): \(s)")
                    }
                }
            }
        }
    }

    @Test func aWriteIntoACachedRangeChangesTheAnswer() async throws {
        let plain = try ServerHarness(options: Self.options(cache: false))
        let cached = try ServerHarness(options: Self.options(cache: true))
        defer { plain.close(); cached.close() }
        let bodies = try Self.nginxPush()
        let q = Self.queries[2]  // 2h lookback with a 30m offset: a write reaches splits well after it
        try await plain.withClient { p in
            try await cached.withClient { c in
                for b in bodies {
                    _ = try await p.push(b)
                    _ = try await c.push(b)
                }
                let before = try await c.get("/loki/api/v1/query_range", Self.params(q))
                #expect(Self.cacheStats(try await c.get("/loki/api/v1/query_range", Self.params(q)))["entriesFound"] ?? 0 > 0)
                // Out of order: lines far older than the newest ones, into a new stream and an existing one.
                for (labels, t) in [(["job": "nginx", "zone": "late"], Self.base + 5000), (["job": "nginx", "zone": "a"], Self.base + 20000)] {
                    let body = pushJSON(labels, (0..<5).map { (sec(t) + Int64($0), "GET /late HTTP/1.1") })
                    #expect(try await p.push(body).status == .noContent)
                    #expect(try await c.push(body).status == .noContent)
                }
                let want = try await p.get("/loki/api/v1/query_range", Self.params(q))
                let after = try await c.get("/loki/api/v1/query_range", Self.params(q))
                #expect(Self.resultText(after) != Self.resultText(before))
                #expect(Self.resultText(after) == Self.resultText(want))
                // Splits the writes did not reach stay cached.
                #expect(Self.cacheStats(after)["entriesFound"] ?? 0 > 0)
                #expect(cached.api.cache.snapshot().invalidated > 0)
            }
        }
    }

    @Test func resultsNewerThanMaxFreshnessAreNotCached() async throws {
        let h = try ServerHarness(options: Self.options(cache: true, interval: 600, freshness: 1800))
        defer { h.close() }
        let now = Int64(Date().timeIntervalSince1970)
        try await h.withClient { c in
            let values = (0..<360).map { (sec(now - 3 * 3600) + Int64($0) * 30_000_000_000, "GET /x") }
            _ = try await c.push(pushJSON(["job": "nginx"], values))
            let params = [("query", #"count_over_time({job="nginx"}[5m])"#), ("start", "\(now - 3 * 3600)"),
                          ("end", "\(now)"), ("step", "60")]
            let r = try await c.get("/loki/api/v1/query_range", params)
            #expect(r.status == .ok)
            let s = Self.cacheStats(r)
            #expect(s["entriesStored"] ?? 0 > 0)
            // Nothing cached reads entries within 30m of now.
            for (key, reach) in h.api.cache.contents() {
                #expect(reach.upperBound <= sec(now - 1800), "\(key.split)")
            }
            #expect(h.api.cache.contents().count == s["entriesStored"])
        }
    }

    @Test(arguments: [
        // start, end, step, interval (s); expected pieces as (first, last, cacheable)
        (0, 7200, 600, 3600, [(0, 5, true), (6, 11, true), (12, 12, false)]),
        // Another grid (phase 300s): its own splits are whole.
        (300, 7200, 600, 3600, [(0, 5, true), (6, 11, true)]),
        (0, 2400, 600, 3600, [(0, 4, false)]),
        (1200, 9000, 600, 3600, [(0, 3, false), (4, 9, true), (10, 13, false)]),
        // A step longer than the interval: one time per split.
        (0, 7200, 5000, 3600, [(0, 0, true), (1, 1, true)]),
    ] as [(Int64, Int64, Int64, Int64, [(Int, Int, Bool)])])
    func splitsAreWholeOnlyWhenTheyHoldAllTheirGridTimes(_ c: (Int64, Int64, Int64, Int64, [(Int, Int, Bool)])) throws {
        let expr = try #require({ if case .metric(let m) = try Parser.parse(#"count_over_time({a="b"}[1m])"#) { m } else { nil } }())
        let plan = SplitPlan(start: sec(c.0), end: sec(c.1), step: sec(c.2), interval: sec(c.3),
                             cacheableThrough: .max, expr: expr)
        #expect(plan.pieces.map { [$0.first, $0.last, $0.cacheable ? 1 : 0] } == c.4.map { [$0.0, $0.1, $0.2 ? 1 : 0] })
    }

    @Test func theCacheStaysWithinItsBytesEvictingTheLeastRecentlyUsed() {
        let series = [Series(labels: [Label("zone", "a")], points: (0..<10).map { (Int64($0), Double($0)) })]
        func key(_ i: Int64) -> ResultsCache.Key {
            ResultsCache.Key(tenant: "t", query: "q", step: 1, phase: 0, split: i, interval: 10)
        }
        let one = ResultsCache.size(key(0), series)
        let cache = ResultsCache(maxBytes: 3 * one)
        for i in 0..<3 { #expect(cache.put(key(Int64(i)), series, dataRange: 0...9, computedSince: 0) == one) }
        #expect(cache.get(key(0)) != nil)  // 0 is now the most recently used; 1 the least
        #expect(cache.put(key(3), series, dataRange: 0...9, computedSince: 0) == one)
        #expect(cache.get(key(1)) == nil)
        #expect(cache.get(key(0)) != nil && cache.get(key(2)) != nil && cache.get(key(3)) != nil)
        let s = cache.snapshot()
        #expect(s.bytes <= 3 * one && s.entries == 3 && s.evicted == 1)
        // A split bigger than the whole cache is not stored; a write since the computation began keeps it out.
        let big = [Series(labels: [], points: (0..<1000).map { (Int64($0), 0) })]
        #expect(cache.put(key(9), big, dataRange: 0...9, computedSince: 0) == nil)
        let seq = cache.sequence
        cache.recordWrite(tenant: "t", range: 5...5)
        #expect(cache.snapshot().entries == 0)
        #expect(cache.put(key(5), series, dataRange: 0...9, computedSince: seq) == nil)
        #expect(cache.put(key(5), series, dataRange: 10...19, computedSince: seq) != nil)
        cache.recordWrite(tenant: "other", range: 10...10)
        #expect(cache.get(key(5)) != nil)
    }

    /// Holds the engine before its run until `release` returns true.
    static func hold(_ api: LokiAPI, until release: @escaping @Sendable () -> Bool) {
        api.hooks.setBeforeEngineRun {
            let deadline = Date().addingTimeInterval(20)
            while !release() && Date() < deadline { usleep(2000) }
        }
    }

    @Test func identicalQueriesInFlightRunTheEngineOnce() async throws {
        var o = Self.options(cache: true)
        o.maxConcurrentQueriesPerTenant = 1
        o.maxQueuedQueriesPerTenant = 0  // any request that queued for the engine instead of sharing would get 429
        let h = try ServerHarness(options: o)
        defer { h.close() }
        let bodies = try Self.nginxPush()
        let api = h.api
        let n = 8
        Self.hold(api) { api.flights.totalWaiting >= n }
        let q = Self.queries[0]
        try await h.withClient { c in
            for b in bodies { _ = try await c.push(b) }
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<n {
                    group.addTask {
                        let r = try await c.get("/loki/api/v1/query_range", Self.params(q))
                        return "\(r.status.code) " + Self.resultText(r)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(answers).count == 1)
            #expect(answers[0].hasPrefix("200 [{"))
            #expect(api.metrics.metricEngineRuns == 1)
            let text = api.metrics.render(store: h.store, cache: api.cache.snapshot())
            #expect(text.contains("mclog_query_shared_total \(n - 1)\n"))
            #expect(text.contains("mclog_query_engine_runs_total 1\n"))
            #expect(text.contains("mclog_query_results_cache_lookups_total{result=\"miss\"}"))
        }
    }

    @Test func aWaiterTimesOutWhileTheSharedComputationGoesOnForOthers() async throws {
        var o = Self.options(cache: true)
        o.queryTimeoutSeconds = 2
        let h = try ServerHarness(options: o)
        defer { h.close() }
        let bodies = try Self.nginxPush()
        let api = h.api
        let released = QueryCancellation()  // used as a thread-safe flag
        Self.hold(api) { released.isCancelled }
        let q = Self.queries[1]
        try await h.withClient { c in
            for b in bodies { _ = try await c.push(b) }
            let first = Task { try await c.get("/loki/api/v1/query_range", Self.params(q)) }
            while api.flights.totalWaiting < 1 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .seconds(1))
            let second = Task { try await c.get("/loki/api/v1/query_range", Self.params(q)) }
            while api.flights.totalWaiting < 2 { try await Task.sleep(for: .milliseconds(5)) }
            let timedOut = try await first.value
            #expect(timedOut.status == .gatewayTimeout)
            #expect(timedOut.message?.contains("query_timeout") == true)
            released.cancel()
            let answer = try await second.value
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(Self.resultText(answer).hasPrefix("[{"))
            #expect(api.metrics.metricEngineRuns == 1)
            // With no one left waiting, a computation is cancelled: a held query whose only waiter timed out stops
            // at its first read and stores nothing.
            let again = Self.params(q, from: q.1 + 60)
            let releasedAgain = QueryCancellation()
            Self.hold(api) { releasedAgain.isCancelled }
            let stored = api.cache.snapshot().stored
            let lone = try await c.get("/loki/api/v1/query_range", again)
            #expect(lone.status == .gatewayTimeout)
            releasedAgain.cancel()
            while api.metrics.metricEngineRuns < 2 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(api.cache.snapshot().stored == stored)
        }
    }

    @Test func queryRangeConfigIsReadAndBadValuesAreNamed() throws {
        let yaml = """
            data: d
            query_range:
              cache_results: false
              split_queries_by_interval: 30m
              max_freshness: 5m
              results_cache_max_bytes: 64MiB
              align_queries_with_step: true
            """
        let o = try ServerOptions(config: IngestConfig.parse(yaml: yaml, baseDirectory: "/x"))
        #expect(o.queryRange.cacheResults == false)
        #expect(o.queryRange.splitInterval == sec(1800))
        #expect(o.queryRange.maxFreshness == sec(300))
        #expect(o.queryRange.cacheMaxBytes == 64 << 20)
        #expect(o.queryRange.alignQueriesWithStep)
        let loki = try ServerOptions(config: IngestConfig.parse(yaml: "data: d\nquery_range: {max_cache_freshness_per_query: 1m}\n", baseDirectory: "/x"))
        #expect(loki.queryRange.maxFreshness == sec(60))
        #expect(try ServerOptions(config: IngestConfig.parse(yaml: "data: d\n", baseDirectory: "/x")).queryRange == QueryRangeOptions())
        let bad: [(String, String)] = [
            ("query_range:\n  cache_result: true\n", "query_range.cache_result: unknown key"),
            ("query_range:\n  cache_results: maybe\n", "query_range.cache_results: expected true or false"),
            ("query_range:\n  split_queries_by_interval: 0s\n", "query_range.split_queries_by_interval: must be at least 1s"),
            ("query_range:\n  split_queries_by_interval: hourly\n", "is not a duration"),
            ("query_range:\n  results_cache_max_bytes: 10\n", "query_range.results_cache_max_bytes: \"10\" is not a size of at least 1024 bytes"),
            ("query_range:\n  max_freshness: 1m\n  max_cache_freshness_per_query: 2m\n", "not both"),
        ]
        for (text, message) in bad {
            #expect {
                _ = try IngestConfig.parse(yaml: "data: d\n" + text, baseDirectory: "/x")
            } throws: { e in
                "\(e)".contains(message)
            }
        }
    }

    @Test func alignQueriesWithStepRoundsStartAndEndDown() async throws {
        var o = Self.options(cache: true)
        o.queryRange.alignQueriesWithStep = true
        let h = try ServerHarness(options: o)
        defer { h.close() }
        try await h.withClient { c in
            _ = try await c.push(pushJSON(["job": "nginx"], [(sec(Self.base + 10), "GET /")]))
            let r = try await c.get("/loki/api/v1/query_range", [
                ("query", #"count_over_time({job="nginx"}[10m])"#), ("start", "\(Self.base + 7)"),
                ("end", "\(Self.base + 250)"), ("step", "60"),
            ])
            let d = (r.json as! [String: Any])["data"] as! [String: Any]
            let points = ((d["result"] as! [[String: Any]])[0]["values"] as! [[Any]]).map { ($0[0] as! NSNumber).int64Value }
            let first = Self.base / 60 * 60 + 60  // the first aligned time at or after the line
            #expect(points.first == first && points.last == (Self.base + 250) / 60 * 60)
        }
    }
}

extension Query {
    var metricSplittable: Bool {
        if case .metric(let m) = self { return m.isSplittable }
        return false
    }
}
