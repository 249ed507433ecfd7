import Foundation
import HTTPTypes
import Hummingbird
import LogQL
import LogStore

extension LokiAPI {
    /// `/loki/api/v1/query_range` and `/loki/api/v1/query` (GET, or POST with a form body).
    func addQueryRoutes(_ router: Router<BasicRequestContext>) {
        let range: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.queryRange(request)
        }
        router.get("/loki/api/v1/query_range", use: range)
        router.post("/loki/api/v1/query_range", use: range)
        let instant: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.queryInstant(request)
        }
        router.get("/loki/api/v1/query", use: instant)
        router.post("/loki/api/v1/query", use: instant)
    }

    func queryRange(_ request: Request) async throws -> Response {
        let tenant = try tenancy.tenant(of: request)
        let p = try await parameters(request)
        let text = try requiredQuery(p)
        let query = try parse(text)
        let end = try p["end"].map { try LokiTime.parse($0, name: "end") } ?? LokiTime.now()
        let start: Int64
        if let s = p["start"] {
            start = try LokiTime.parse(s, name: "start")
        } else {
            let since = try p["since"].map { try LokiTime.duration($0, name: "since") } ?? 3600 * 1_000_000_000
            start = end - since
        }
        guard end >= start else { throw APIError.badRequest("end timestamp must not be before or equal to start time") }
        try checkLength(start: start, end: end)
        var params = QueryParams(tenant: tenant, start: start, end: end, limit: try limit(p), direction: try direction(p),
                                 maxSeries: options.maxQuerySeries)
        params.categorizeLabels = Self.categorizesLabels(request)
        if case .metric = query {
            if let s = p["step"] {
                params.step = try LokiTime.duration(s, name: "step")
            } else {
                params.step = QueryParams.defaultStep(start: start, end: end)
            }
            guard params.step > 0 else {
                throw APIError.badRequest("zero or negative query resolution step widths are not accepted. Try a positive integer")
            }
        }
        let interval = try p["interval"].map { try LokiTime.duration($0, name: "interval") } ?? 0
        var (result, stats) = try await run(query, params)
        if interval > 0, case .streams(let streams) = result {
            result = .streams(Self.sample(streams, every: interval, forward: params.direction == .forward))
        }
        return .jsonSuccess(ResultJSON.dataBytes(result, stats, categorizeLabels: params.categorizeLabels))
    }

    func queryInstant(_ request: Request) async throws -> Response {
        let tenant = try tenancy.tenant(of: request)
        let p = try await parameters(request)
        let text = try requiredQuery(p)
        let query = try parse(text)
        let time = try p["time"].map { try LokiTime.parse($0, name: "time") } ?? LokiTime.now()
        var params = QueryParams(tenant: tenant, start: time, end: time, instant: true, limit: try limit(p),
                                 direction: try direction(p), maxSeries: options.maxQuerySeries)
        params.categorizeLabels = Self.categorizesLabels(request)
        let (result, stats) = try await run(query, params)
        return .jsonSuccess(ResultJSON.dataBytes(result, stats, categorizeLabels: params.categorizeLabels))
    }

    /// Whether the request asks for Loki's `categorize-labels` encoding (`X-Loki-Response-Encoding-Flags`, a
    /// comma-separated list, as Grafana sends it).
    static func categorizesLabels(_ request: Request) -> Bool {
        guard let name = HTTPField.Name("X-Loki-Response-Encoding-Flags") else { return false }
        return request.headers[values: name].contains { v in
            v.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "categorize-labels" }
        }
    }

    /// Runs a query on a blocking thread, holding one of the tenant's query slots, under the query timeout.
    func run(_ query: Query, _ params: QueryParams) async throws -> (QueryResult, QueryStats) {
        let engine = self.engine
        let cancel = QueryCancellation()
        var params = params
        params.cancellation = cancel
        let p = params
        let timeout = options.queryTimeoutSeconds
        let (result, stats) = try await gate.withSlot(tenant: params.tenant) {
            do {
                return try await BlockingWork.run(timeout: timeout, cancel: cancel) { try engine.execute(query, p) }
            } catch let e as LogQLError {
                throw APIError.badRequest(e.description)
            }
        }
        if case .log = query {
            metrics.recordQuery(type: "log", stats: stats)
        } else {
            metrics.recordQuery(type: "metric", stats: stats)
        }
        return (result, stats)
    }

    func parse(_ text: String) throws -> Query {
        do { return try Parser.parse(text) } catch let e as LogQLError { throw APIError.badRequest(e.description) }
    }

    func requiredQuery(_ p: FormParameters) throws -> String {
        guard let q = p["query"] else { throw APIError.badRequest("missing query parameter") }
        return q
    }

    func limit(_ p: FormParameters) throws -> Int {
        guard let s = p["limit"] else { return 100 }
        guard let n = Int(s), n >= 0 else { throw APIError.badRequest("invalid limit parameter \"\(s)\": want a non-negative integer") }
        guard n <= options.maxEntriesLimit else {
            throw APIError.badRequest("max entries limit per query exceeded, limit > max_entries_limit_per_query (\(n) > \(options.maxEntriesLimit))")
        }
        return n
    }

    func direction(_ p: FormParameters) throws -> Direction {
        guard let s = p["direction"] else { return .backward }
        guard let d = Direction(rawValue: s.lowercased()) else {
            throw APIError.badRequest("invalid direction \"\(s)\": want forward or backward")
        }
        return d
    }

    func checkLength(start: Int64, end: Int64) throws {
        let limit = options.maxQueryLength
        guard limit > 0, end - start > limit else { return }
        throw APIError.badRequest(
            "the query time range exceeds the limit (query length: \(Self.duration(end - start)), limit: \(Self.duration(limit))) (limit max_query_length)")
    }

    /// Loki's `interval` for log queries: keep an entry only if it is at least `every` after the last one kept.
    static func sample(_ streams: [StreamResult], every: Int64, forward: Bool) -> [StreamResult] {
        streams.map { s in
            var out = s
            var last: Int64?
            out.entries = s.entries.filter { e in
                if let l = last, forward ? e.0 - l < every : l - e.0 < every { return false }
                last = e.0
                return true
            }
            return out
        }
    }

    /// `1h2m3s` the way Go prints durations (whole seconds are enough for limit messages).
    static func duration(_ ns: Int64) -> String {
        var s = ns / 1_000_000_000
        let h = s / 3600
        s %= 3600
        let m = s / 60
        s %= 60
        var out = ""
        if h > 0 { out += "\(h)h" }
        if h > 0 || m > 0 { out += "\(m)m" }
        return out + "\(s)s"
    }
}
