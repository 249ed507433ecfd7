import Hummingbird
import LogQL
import LogStore

extension LokiAPI {
    /// `/loki/api/v1/index/stats`, `/index/volume` and `/index/volume_range`.
    func addIndexRoutes(_ router: Router<BasicRequestContext>) {
        let stats: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let tenant = try self.tenancy.tenant(of: request)
            let p = try await self.parameters(request)
            let streams = try self.metadataStreams(tenant: tenant, p, selectors: [try self.requiredQuery(p)])
            let chunks = streams.reduce(0) { $0 + $1.pages }
            let bytes = streams.reduce(0) { $0 + $1.bytes }
            let entries = streams.reduce(0) { $0 + $1.entries }
            return .json("{\"streams\":\(streams.count),\"chunks\":\(chunks),\"bytes\":\(bytes),\"entries\":\(entries)}")
        }
        router.get("/loki/api/v1/index/stats", use: stats)
        router.post("/loki/api/v1/index/stats", use: stats)
        let volume: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.volume(request, range: false)
        }
        router.get("/loki/api/v1/index/volume", use: volume)
        router.post("/loki/api/v1/index/volume", use: volume)
        let volumeRange: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.volume(request, range: true)
        }
        router.get("/loki/api/v1/index/volume_range", use: volumeRange)
        router.post("/loki/api/v1/index/volume_range", use: volumeRange)
    }

    /// Bytes per series of the selector, grouped by `targetLabels` (default: the selector's label names), as
    /// Loki's volume endpoints return them. Computed exactly, by running
    /// `sum by (<labels>) (bytes_over_time(<selector>[<range or step>]))` through the engine.
    func volume(_ request: Request, range: Bool) async throws -> Response {
        let tenant = try tenancy.tenant(of: request)
        let p = try await parameters(request)
        let matchers = try selectorMatchers(try requiredQuery(p))
        let byLabels: Bool
        switch p["aggregateBy"] ?? "series" {
        case "series", "": byLabels = false
        case "labels": byLabels = true
        case let other: throw APIError.badRequest("invalid aggregation option \"\(other)\": use series or labels")
        }
        let (start, end) = try metadataRange(p)
        try checkLength(start: start, end: end)
        let targets = p["targetLabels"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        var names = targets ?? matchers.map(\.name)
        if byLabels && targets == nil {
            // By label name with no target list: every label name of the matching streams, as Loki's index does.
            names = try metadataStreams(tenant: tenant, p, selectors: [try requiredQuery(p)]).flatMap { $0.labels.labels.map(\.name) }
        }
        names = Array(Set(names.filter { !$0.isEmpty })).sorted()
        let limit = try p["limit"].map { s -> Int in
            guard let n = Int(s), n > 0 else { throw APIError.badRequest("invalid limit parameter \"\(s)\"") }
            return n
        } ?? 100
        let selector = "{" + matchers.map(\.description).joined(separator: ", ") + "}"
        var params = QueryParams(tenant: tenant, start: start, end: end, maxSeries: options.maxQuerySeries)
        let window: Int64
        if range {
            params.step = try p["step"].map { try LokiTime.duration($0, name: "step") }
                ?? QueryParams.defaultStep(start: start, end: end)
            guard params.step > 0 else { throw APIError.badRequest("zero or negative query resolution step widths are not accepted. Try a positive integer") }
            window = params.step
        } else {
            params.instant = true
            // Loki's volume covers [start, end]; the window (end - range, end] must include start.
            window = end - start + 1
        }
        let by = names.isEmpty ? "" : " by (" + names.joined(separator: ",") + ")"
        let text = "sum\(by) (bytes_over_time(\(selector) [\(window)ns]))"
        var (result, stats) = try await run(try parse(text), params)
        if byLabels { result = Self.volumeByLabelName(result) }
        switch result {
        case .vector(let samples):
            result = .vector(Array(samples.sorted {
                $0.value != $1.value ? $0.value > $1.value : $0.labels.lexicographicallyPrecedes($1.labels)
            }.prefix(limit)))
        case .matrix(let series):
            result = .matrix(Array(series.sorted { $0.points.reduce(0) { $0 + $1.1 } > $1.points.reduce(0) { $0 + $1.1 } }.prefix(limit)))
        default:
            break
        }
        return .json(JSONText.success(ResultJSON.data(result, stats)))
    }

    /// Loki's `aggregateBy=labels`: each label name's volume is the sum over the series that carry it, reported as
    /// the series `{<name>=""}`.
    static func volumeByLabelName(_ result: QueryResult) -> QueryResult {
        switch result {
        case .vector(let samples):
            var byName: [String: (timestamp: Int64, value: Double)] = [:]
            for s in samples {
                for l in s.labels { byName[l.name, default: (s.timestamp, 0)].value += s.value }
            }
            return .vector(byName.map { (labels: [Label($0.key, "")], timestamp: $0.value.timestamp, value: $0.value.value) })
        case .matrix(let series):
            var byName: [String: [Int64: Double]] = [:]
            for s in series {
                for l in s.labels {
                    for (t, v) in s.points { byName[l.name, default: [:]][t, default: 0] += v }
                }
            }
            return .matrix(byName.map { name, points in
                Series(labels: [Label(name, "")], points: points.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            })
        default:
            return result
        }
    }
}
