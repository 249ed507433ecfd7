import Foundation
import Hummingbird
import LogQL
import LogStore

extension LokiAPI {
    /// Most lines read to mine patterns or detect fields (Loki mines recent data in its pattern ingesters;
    /// mclog mines the newest lines of the range).
    static let maxPatternLines = 100_000

    /// `/loki/api/v1/patterns` and `/loki/api/v1/detected_fields`.
    func addPatternRoutes(_ router: Router<BasicRequestContext>) {
        let patterns: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.patterns(request)
        }
        router.get("/loki/api/v1/patterns", use: patterns)
        router.post("/loki/api/v1/patterns", use: patterns)
        let fields: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.detectedFields(request)
        }
        router.get("/loki/api/v1/detected_fields", use: fields)
        router.post("/loki/api/v1/detected_fields", use: fields)
    }

    /// The newest lines of a log query in the request's range (default the last hour).
    func sampleLines(_ tenant: String, _ p: FormParameters, limit: Int) async throws -> (LogQuery, [StreamResult], Int64, Int64) {
        guard case .log(let query) = try parse(try requiredQuery(p)) else {
            throw APIError.badRequest("want a log query (a stream selector with an optional pipeline), not a metric query")
        }
        let end = try p["end"].map { try LokiTime.parse($0, name: "end") } ?? LokiTime.now()
        let start = try p["start"].map { try LokiTime.parse($0, name: "start") }
            ?? end - (try p["since"].map { try LokiTime.duration($0, name: "since") } ?? 3600 * 1_000_000_000)
        guard end >= start else { throw APIError.badRequest("end timestamp must not be before or equal to start time") }
        try checkLength(start: start, end: end)
        var params = QueryParams(tenant: tenant, start: start, end: end + 1, limit: limit)
        params.categorizeLabels = true  // stream labels apart from structured metadata (detected_fields reads both)
        let (result, _) = try await run(.log(query), params)
        guard case .streams(let streams) = result else { return (query, [], start, end) }
        return (query, streams, start, end)
    }

    /// Loki's patterns response: `{"status":"success","data":[{"pattern":"…","samples":[[sec,count],…]}]}`.
    func patterns(_ request: Request) async throws -> Response {
        let tenant = try tenancy.tenant(of: request)
        let p = try await parameters(request)
        let (_, streams, start, end) = try await sampleLines(tenant, p, limit: Self.maxPatternLines)
        let step = try p["step"].map { try LokiTime.duration($0, name: "step") } ?? QueryParams.defaultStep(start: start, end: end)
        guard step > 0 else { throw APIError.badRequest("zero or negative query resolution step widths are not accepted. Try a positive integer") }
        let miner = PatternMiner(step: step)
        for s in streams { for e in s.entries { miner.add(e.1, timestamp: e.0) } }
        let items = miner.sorted().map { pat -> String in
            let samples = pat.buckets.sorted { $0.key < $1.key }.map { "[\($0.key / 1_000_000_000),\($0.value)]" }
            return "{\"pattern\":" + JSONText.quote(pat.text) + ",\"samples\":[" + samples.joined(separator: ",") + "]}"
        }
        return .json(JSONText.success("[" + items.joined(separator: ",") + "]"))
    }

    /// Loki's detected fields: for the newest `line_limit` lines (default 1000), the fields a `json` or `logfmt`
    /// parser extracts, plus structured metadata, each with a type (from its first value, as Loki types it),
    /// the number of distinct values and the parsers that found it; at most `limit` (default 1000) fields.
    func detectedFields(_ request: Request) async throws -> Response {
        let tenant = try tenancy.tenant(of: request)
        let p = try await parameters(request)
        func positive(_ name: String, _ def: Int) throws -> Int {
            guard let s = p[name] else { return def }
            guard let n = Int(s), n > 0 else { throw APIError.badRequest("invalid \(name) parameter \"\(s)\"") }
            return n
        }
        let lineLimit = min(try positive("line_limit", 1000), Self.maxPatternLines)
        let limit = try positive("limit", 1000)
        let (query, streams, _, _) = try await sampleLines(tenant, p, limit: lineLimit)
        let json = try LiveFilter(Parser.parseLogQuery("{" + query.matchers.map(\.description).joined(separator: ", ") + "} | json"))
        let logfmt = try LiveFilter(Parser.parseLogQuery("{" + query.matchers.map(\.description).joined(separator: ", ") + "} | logfmt"))
        struct Field {
            var type: String
            var values = Set<String>()
            var parsers = Set<String>()
            /// The key path of a field `| json` found (Grafana builds `| json name="a.b"` from it).
            var jsonPath: [String]?
        }
        var fields: [String: Field] = [:]
        var order: [String] = []
        func record(_ name: String, _ value: String, parser: String?, jsonPath: [String]? = nil) {
            if fields[name] == nil {
                fields[name] = Field(type: Self.fieldType(value))
                order.append(name)
            }
            fields[name]!.values.insert(value)
            if let parser { fields[name]!.parsers.insert(parser) }
            if fields[name]!.jsonPath == nil, let jsonPath { fields[name]!.jsonPath = jsonPath }
        }
        for s in streams {
            let streamNames = Set(s.labels.map(\.name))
            let labels = try LabelSet(s.labels.filter { !$0.name.hasPrefix("__") })
            for e in s.entries {
                for m in e.2 { record(m.name, m.value, parser: nil) }
                let parsed = Array(e.1.utf8).withUnsafeBytes { line -> (String, [Label])? in
                    let first = e.1.first { !$0.isWhitespace }
                    for (filter, name) in first == "{" ? [(json, "json"), (logfmt, "logfmt")] : [(logfmt, "logfmt")] {
                        if let r = filter.process(stream: labels, metadata: [], timestamp: e.0, line: line),
                            !r.labels.contains(where: { $0.name == "__error__" })
                        {
                            return (name, r.labels)
                        }
                    }
                    return nil
                }
                guard let (parser, extracted) = parsed else { continue }
                // Key paths only while some field `| json` found here still lacks one (most lines repeat the same keys).
                let fieldsHere = extracted.filter { !streamNames.contains($0.name) && !$0.name.hasPrefix("__") }
                let needPaths = parser == "json" && fieldsHere.contains { fields[$0.name]?.jsonPath == nil }
                let paths = needPaths ? Self.jsonKeyPaths(e.1) : [:]
                for l in fieldsHere {
                    record(l.name, l.value, parser: parser, jsonPath: paths[l.name])
                }
            }
        }
        let items = order.prefix(limit).map { name -> String in
            let f = fields[name]!
            let parsers = f.parsers.isEmpty ? "null" : JSONText.stringArray(f.parsers.sorted())
            let path = f.jsonPath.map { ",\"jsonPath\":" + JSONText.stringArray($0) } ?? ""
            return "{\"label\":" + JSONText.quote(name) + ",\"type\":\"\(f.type)\",\"cardinality\":\(f.values.count),\"parsers\":" + parsers
                + path + "}"
        }
        return .json("{\"fields\":[" + items.joined(separator: ",") + "],\"limit\":\(limit)}")
    }

    /// For a JSON line, the key path behind each label name `| json` extracts from it (nested objects flattened
    /// with `_`, as the parser names them; arrays are not descended, as `| json` does not extract them).
    static func jsonKeyPaths(_ line: String) -> [String: [String]] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [:] }
        var paths: [String: [String]] = [:]
        func walk(_ o: [String: Any], _ prefix: [String]) {
            for (key, value) in o {
                let path = prefix + [key]
                if let nested = value as? [String: Any] { walk(nested, path) } else { paths[LabelName.flattened(path)] = path }
            }
        }
        walk(object, [])
        return paths
    }

    /// Loki's field typing: int, float, boolean, duration, bytes, else string.
    static func fieldType(_ v: String) -> String {
        if Int64(v) != nil { return "int" }
        if Double(v) != nil { return "float" }
        if ["true", "false", "TRUE", "FALSE", "True", "False", "t", "f", "T", "F", "1", "0"].contains(v) { return "boolean" }
        if Units.durationNanos(v) != nil { return "duration" }
        if Units.bytes(v) != nil, v.last?.isLetter == true { return "bytes" }
        return "string"
    }
}
