import Hummingbird
import LogQL
import LogStore

extension LokiAPI {
    /// `/loki/api/v1/labels`, `/loki/api/v1/label/<name>/values` and `/loki/api/v1/series`: all over the streams
    /// with data in the range (default: the last 6 hours, as Loki's), optionally narrowed by a selector.
    func addLabelRoutes(_ router: Router<BasicRequestContext>) {
        let names: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let tenant = try self.tenancy.tenant(of: request)
            let p = try await self.parameters(request)
            let streams = try self.metadataStreams(tenant: tenant, p, selectors: p["query"].map { [$0] } ?? [])
            var set = Set<String>()
            for s in streams { for l in s.labels.labels { set.insert(l.name) } }
            return .json(JSONText.success(JSONText.stringArray(set.sorted())))
        }
        router.get("/loki/api/v1/labels", use: names)
        router.get("/loki/api/v1/label", use: names)
        router.get("/loki/api/v1/label/:name/values") { request, context -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let name = context.parameters.get("name") ?? ""
            let p = try await self.parameters(request)
            let streams = try self.metadataStreams(tenant: tenant, p, selectors: p["query"].map { [$0] } ?? [])
            var set = Set<String>()
            for s in streams { if let v = s.labels[name] { set.insert(v) } }
            return .json(JSONText.success(JSONText.stringArray(set.sorted())))
        }
        let series: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let tenant = try self.tenancy.tenant(of: request)
            let p = try await self.parameters(request)
            let selectors = p.all("match[]").filter { !$0.isEmpty } + p.all("match").filter { !$0.isEmpty }
            let streams = try self.metadataStreams(tenant: tenant, p, selectors: selectors)
            let items = streams.map { ResultJSON.labelsObject($0.labels.labels) }
            return .json(JSONText.success("[" + items.joined(separator: ",") + "]"))
        }
        router.get("/loki/api/v1/series", use: series)
        router.post("/loki/api/v1/series", use: series)
    }

    /// The `[start, end)` of a metadata request: `end` default now, `start` default `end - since` (6h).
    func metadataRange(_ p: FormParameters) throws -> (Int64, Int64) {
        let end = try p["end"].map { try LokiTime.parse($0, name: "end") } ?? LokiTime.now()
        if let s = p["start"] {
            let start = try LokiTime.parse(s, name: "start")
            guard end >= start else { throw APIError.badRequest("end timestamp must not be before or equal to start time") }
            return (start, end)
        }
        let since = try p["since"].map { try LokiTime.duration($0, name: "since") } ?? 6 * 3600 * 1_000_000_000
        return (end - since, end)
    }

    /// Streams with data in the request's range matching any of `selectors` (all streams when none is given).
    func metadataStreams(tenant: String, _ p: FormParameters, selectors: [String]) throws -> [StreamSummary] {
        let (start, end) = try metadataRange(p)
        let to = end == .max ? end : end + 1  // `end` is inclusive in Loki's metadata APIs
        guard !selectors.isEmpty else { return store.streams(tenant: tenant, matchers: [], from: start, to: to) }
        var seen: [LabelSet: StreamSummary] = [:]
        for text in selectors {
            for s in store.streams(tenant: tenant, matchers: try selectorMatchers(text), from: start, to: to) {
                seen[s.labels] = s
            }
        }
        return seen.values.sorted { $0.labels < $1.labels }
    }

    /// The matchers of a stream selector (`{job="x"}` or `<job="x">`, a pipeline after it is ignored).
    func selectorMatchers(_ text: String) throws -> [LabelMatcher] {
        do {
            switch try Parser.parse(text) {
            case .log(let q): return q.matchers
            case .metric: throw APIError.badRequest("invalid selector \(text): want a stream selector, not a metric query")
            }
        } catch let e as LogQLError {
            throw APIError.badRequest(e.description)
        }
    }
}
