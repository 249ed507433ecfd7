import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import MCServer

private let t0: Int64 = 1_700_000_000

/// One golden file per response type under `fixtures/api/`, in the shapes of Loki's HTTP API docs. Timing fields
/// of `stats` (execTime and the per-second rates) are zeroed before comparing. `MCLOG_UPDATE_GOLDEN=1 swift test`
/// rewrites the files; review the diff against Loki's docs before committing it.
@Suite struct GoldenResponseTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/api")

    /// Canonical JSON text: keys sorted, timing fields zeroed.
    static func canonical(_ text: String) throws -> String {
        var obj = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        obj = zeroTimings(obj)
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func zeroTimings(_ v: Any) -> Any {
        if var d = v as? [String: Any] {
            for (k, x) in d {
                d[k] = ["execTime", "bytesProcessedPerSecond", "linesProcessedPerSecond", "queueTime"].contains(k) ? 0 : zeroTimings(x)
            }
            return d
        }
        if let a = v as? [Any] { return a.map(zeroTimings) }
        return v
    }

    static func check(_ name: String, _ body: String) throws {
        let file = directory.appendingPathComponent(name + ".json")
        let got = try canonical(body)
        if ProcessInfo.processInfo.environment["MCLOG_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try got.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let want = try String(contentsOf: file, encoding: .utf8)
        #expect(got == want, "\(name): response differs from fixtures/api/\(name).json:\n\(got)")
    }

    @Test func everyResponseTypeMatchesItsGoldenFile() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        try await h.withClient { c in
            _ = try await c.push(pushJSON(["job": "nginx", "zone": "kzone"], [
                (sec(t0), "10.0.2.1 - - \\\"GET /health HTTP/1.1\\\" 200 12"),
                (sec(t0 + 10), "10.0.2.7 - - \\\"GET /v1/chat HTTP/1.1\\\" 502 0"),
            ]))
            _ = try await c.push(pushJSON(["job": "ai-engine", "zone": "kzone"],
                                          [(sec(t0 + 5), "level=error msg=\\\"CUDA out of memory\\\" gpu=0 took=250ms")],
                                          metadata: ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"]))
            let range = [("start", "\(t0)"), ("end", "\(t0 + 60)")]
            try Self.check("query_range-streams", try await c.get("/loki/api/v1/query_range",
                range + [("query", "{zone=\"kzone\"}"), ("direction", "forward")]).text)
            let categorize: HTTPFields = [HTTPField.Name("X-Loki-Response-Encoding-Flags")!: "categorize-labels"]
            try Self.check("query_range-streams-categorized", try await c.get("/loki/api/v1/query_range",
                range + [("query", "{zone=\"kzone\"} | logfmt | drop took"), ("direction", "forward")], headers: categorize).text)
            try Self.check("query_range-matrix", try await c.get("/loki/api/v1/query_range",
                range + [("query", "sum by (job) (count_over_time({zone=\"kzone\"}[30s]))"), ("step", "30")]).text)
            try Self.check("query-vector", try await c.get("/loki/api/v1/query",
                [("query", "count_over_time({job=\"nginx\"}[1m])"), ("time", "\(t0 + 30)")]).text)
            try Self.check("query-scalar", try await c.get("/loki/api/v1/query", [("query", "1 + 1"), ("time", "\(t0)")]).text)
            try Self.check("labels", try await c.get("/loki/api/v1/labels", range).text)
            try Self.check("label-values", try await c.get("/loki/api/v1/label/job/values", range).text)
            try Self.check("series", try await c.get("/loki/api/v1/series", range + [("match[]", "{zone=\"kzone\"}")]).text)
            try Self.check("index-stats", try await c.get("/loki/api/v1/index/stats", range + [("query", "{zone=\"kzone\"}")]).text)
            try Self.check("index-volume", try await c.get("/loki/api/v1/index/volume", range + [("query", "{zone=\"kzone\"}"),
                                                                                                ("targetLabels", "job")]).text)
            try Self.check("detected-fields", try await c.get("/loki/api/v1/detected_fields", range + [("query", "{job=\"ai-engine\"}")]).text)
            try Self.check("patterns", try await c.get("/loki/api/v1/patterns", range + [("query", "{job=\"nginx\"}"), ("step", "60")]).text)
            try Self.check("error", try await c.get("/loki/api/v1/query_range", [("query", "{job=")]).text)
        }
    }
}
