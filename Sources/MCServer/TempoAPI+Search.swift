import Foundation
import Hummingbird
import TraceStore

extension TempoAPI {
    /// `/api/search`, `/api/search/tags`, `/api/v2/search/tags`, `/api/search/tag/<name>/values` and
    /// `/api/v2/search/tag/<name>/values`, with Tempo's parameters and JSON shapes.
    func addSearchRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/api/search") { request, _ -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let search = try Self.searchRequest(FormParameters(query: request.uri.query))
            let store = self.store
            let response = try await BlockingWork.run { try store.search(tenant: tenant, search) }
            return .json(Self.searchJSON(response))
        }
        router.get("/api/search/tags") { request, _ -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let p = FormParameters(query: request.uri.query)
            let (start, end) = try Self.range(p)
            let store = self.store
            let byScope = try await BlockingWork.run { try store.tagNames(tenant: tenant, start: start, end: end) }
            var names = Set<String>()
            switch p["scope"] ?? "all" {
            case "all", "none": for (_, v) in byScope { names.formUnion(v) }
            case "intrinsic": names.formUnion(Self.intrinsics)
            case let s: names.formUnion(byScope[s] ?? [])
            }
            return .json("{\"tagNames\":" + Self.stringArray(names.sorted()) + "}")
        }
        router.get("/api/v2/search/tags") { request, _ -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let p = FormParameters(query: request.uri.query)
            let (start, end) = try Self.range(p)
            let store = self.store
            let byScope = try await BlockingWork.run { try store.tagNames(tenant: tenant, start: start, end: end) }
            let wanted = p["scope"].flatMap { $0 == "all" ? nil : $0 }
            var scopes: [String] = []
            for name in ["resource", "span", "event", "link", "instrumentation"] where wanted == nil || wanted == name {
                guard let tags = byScope[name], !tags.isEmpty else { continue }
                scopes.append("{\"name\":\"\(name)\",\"tags\":" + Self.stringArray(tags) + "}")
            }
            if wanted == nil || wanted == "intrinsic" {
                scopes.append("{\"name\":\"intrinsic\",\"tags\":" + Self.stringArray(Self.intrinsics) + "}")
            }
            return .json("{\"scopes\":[" + scopes.joined(separator: ",") + "]}")
        }
        router.get("/api/search/tag/:name/values") { request, context -> Response in
            let values = try await self.tagValues(request, context)
            return .json("{\"tagValues\":" + Self.stringArray(values.map(\.text)) + "}")
        }
        router.get("/api/v2/search/tag/:name/values") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            let keyword = ["status", "kind", "span:status", "span:kind"].contains(name)
            let values = try await self.tagValues(request, context)
            let items = values.map {
                "{\"type\":\"\(keyword ? "keyword" : $0.typeName)\",\"value\":" + jsonQuote($0.text) + "}"
            }
            return .json("{\"tagValues\":[" + items.joined(separator: ",") + "]}")
        }
    }

    static let intrinsics = ["duration", "kind", "name", "rootName", "rootServiceName", "status", "statusMessage",
                             "traceDuration"]

    func tagValues(_ request: Request, _ context: BasicRequestContext) async throws -> [AttributeValue] {
        let tenant = try tenancy.tenant(of: request)
        let name = context.parameters.get("name") ?? ""
        guard !name.isEmpty else { throw APIError.badRequest("missing tag name") }
        let p = FormParameters(query: request.uri.query)
        let (start, end) = try Self.range(p)
        let limit = try p["limit"].map { s -> Int in
            guard let n = Int(s), n > 0 else { throw APIError.badRequest("invalid limit \"\(s)\": want a positive integer") }
            return n
        } ?? 1000
        let store = self.store
        return try await BlockingWork.run { try store.tagValues(tenant: tenant, tag: name, start: start, end: end, limit: limit) }
    }

    static func stringArray(_ a: [String]) -> String { "[" + a.map(jsonQuote).joined(separator: ",") + "]" }

    /// `start`/`end` in Unix seconds (Tempo's search parameters); absent means unbounded.
    static func range(_ p: FormParameters) throws -> (Int64, Int64) {
        func seconds(_ name: String) throws -> Int64? {
            guard let s = p[name] else { return nil }
            guard let n = Int64(s), n >= 0 else {
                throw APIError.badRequest("invalid \(name) \"\(s)\": want Unix seconds")
            }
            return n * 1_000_000_000
        }
        let start = try seconds("start") ?? .min
        let end = try seconds("end").map { $0 + 999_999_999 } ?? .max
        guard start <= end else { throw APIError.badRequest("invalid start and end: start is after end") }
        return (start, end)
    }

    /// Tempo's search parameters: `q` (TraceQL) or `tags` (logfmt), `minDuration`, `maxDuration`, `limit`
    /// (default 20), `start`/`end` (Unix seconds), `spss` (spans per span set, default 3).
    static func searchRequest(_ p: FormParameters) throws -> TraceSearchRequest {
        let query: SpansetExpr
        if let q = p["q"] {
            do { query = try TraceQL.parse(q) } catch let e as TraceQLError { throw APIError.badRequest(e.description) }
        } else if let tags = p["tags"] {
            query = .filter(try tagsFilter(tags))
        } else {
            query = .filter(nil)
        }
        var r = TraceSearchRequest(query: query)
        (r.start, r.end) = try range(p)
        func duration(_ name: String) throws -> Int64? {
            guard let s = p[name] else { return nil }
            guard let ns = TraceQL.duration(s), ns >= 0 else {
                throw APIError.badRequest("invalid \(name) \"\(s)\": want a duration such as 100ms or 2s")
            }
            return ns
        }
        r.minDuration = try duration("minDuration")
        r.maxDuration = try duration("maxDuration")
        if let s = p["limit"] {
            guard let n = Int(s), n > 0 else { throw APIError.badRequest("invalid limit \"\(s)\": want a positive integer") }
            r.limit = n
        }
        if let s = p["spss"] {
            guard let n = Int(s), n > 0 else { throw APIError.badRequest("invalid spss \"\(s)\": want a positive integer") }
            r.spansPerSpanSet = n
        }
        return r
    }

    /// `tags=service.name=api http.status_code=500 name="GET /"` → one span filter: every pair must hold on the
    /// same span. `name` is the span name and `status.code`/`status` the status; other keys are attributes of
    /// the span or its resource, compared by text.
    static func tagsFilter(_ text: String) throws -> FieldExpr? {
        var result: FieldExpr?
        for (key, value) in try Logfmt.pairs(text) {
            let cmp: FieldExpr
            switch key {
            case "name": cmp = .compare(.intrinsic(.name), .eq, .string(value))
            case "status", "status.code", "error":
                let v = key == "error" ? (value == "true" ? "error" : "unset") : value.lowercased()
                guard let code = StatusCode.allCases.first(where: { $0.name == v || $0.otlpName.lowercased() == v }) else {
                    throw APIError.badRequest("invalid \(key) \"\(value)\" in tags: want error, ok or unset")
                }
                cmp = .compare(.intrinsic(.status), .eq, .status(code))
            default: cmp = .compare(.attribute(.unscoped, key), .textEq, .string(value))
            }
            result = result.map { .and($0, cmp) } ?? cmp
        }
        return result
    }

    static func searchJSON(_ r: TraceSearchResponse) -> String {
        let traces = r.traces.map { t -> String in
            var f = ["\"traceID\":\"\(t.traceID)\""]
            if let s = t.rootServiceName { f.append("\"rootServiceName\":" + jsonQuote(s)) }
            if let n = t.rootTraceName { f.append("\"rootTraceName\":" + jsonQuote(n)) }
            f.append("\"startTimeUnixNano\":\"\(t.start)\"")
            f.append("\"durationMs\":\(t.duration / 1_000_000)")
            let spans = t.spans.map { s -> String in
                var sf = ["\"spanID\":\"\(s.spanID)\"", "\"name\":" + jsonQuote(s.name),
                          "\"startTimeUnixNano\":\"\(s.start)\"", "\"durationNanos\":\"\(s.duration)\""]
                var attrs = s.attributes
                attrs.insert(Attribute("service.name", .string(s.service)), at: 0)
                sf.append("\"attributes\":" + OTLPJSON.attributesJSON(attrs))
                return "{" + sf.joined(separator: ",") + "}"
            }
            let set = "{\"spans\":[" + spans.joined(separator: ",") + "],\"matched\":\(t.matched)}"
            f.append("\"spanSet\":" + set)
            f.append("\"spanSets\":[" + set + "]")
            return "{" + f.joined(separator: ",") + "}"
        }
        return "{\"traces\":[" + traces.joined(separator: ",") + "],\"metrics\":{\"inspectedTraces\":\(r.inspectedTraces),"
            + "\"inspectedSpans\":\"\(r.inspectedSpans)\",\"completedJobs\":1,\"totalJobs\":1}}"
    }
}

/// logfmt pairs (`k=v k2="quoted v"`) for Tempo's `tags` parameter.
enum Logfmt {
    static func pairs(_ s: String) throws -> [(String, String)] {
        var out: [(String, String)] = []
        let c = Array(s.utf8)
        var i = 0
        func err(_ m: String) -> APIError { APIError.badRequest("invalid tags at position \(i + 1): \(m)") }
        while i < c.count {
            while i < c.count, c[i] == 0x20 || c[i] == 0x09 { i += 1 }
            guard i < c.count else { break }
            let ks = i
            while i < c.count, c[i] != UInt8(ascii: "="), c[i] != 0x20 { i += 1 }
            let key = String(decoding: c[ks..<i], as: UTF8.self)
            guard !key.isEmpty else { throw err("missing key") }
            guard i < c.count, c[i] == UInt8(ascii: "=") else { throw err("key \"\(key)\" has no =value") }
            i += 1
            var value: [UInt8] = []
            if i < c.count, c[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < c.count {
                    if c[i] == UInt8(ascii: "\\"), i + 1 < c.count {
                        value.append(c[i + 1])
                        i += 2
                        continue
                    }
                    if c[i] == UInt8(ascii: "\"") {
                        closed = true
                        i += 1
                        break
                    }
                    value.append(c[i])
                    i += 1
                }
                guard closed else { throw err("unterminated quoted value of \"\(key)\"") }
            } else {
                while i < c.count, c[i] != 0x20 {
                    value.append(c[i])
                    i += 1
                }
            }
            out.append((key, String(decoding: value, as: UTF8.self)))
        }
        return out
    }
}
