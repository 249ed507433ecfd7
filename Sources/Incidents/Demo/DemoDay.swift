import Foundation
import TraceStore

/// A realistic day of the platform for `mclog demo`: nine zones, each with nginx access and error logs, a FastAPI
/// backend (Python logging), a vLLM engine and its GPU node's kernel log, all in the real formats that `Ingest`
/// parses, OTLP traces of the chat requests around the incident, plus Alertmanager webhook payloads. One incident is scripted — a CUDA out-of-memory kills
/// `incidentZone`'s vLLM engine, the backend's chat calls fail (503s, timeouts), nginx answers 502/504 for the
/// zone's chat endpoint, HighErrorRate fires, the engine is restarted and traffic recovers — among unrelated
/// noise (a kernel OOM kill, a deploy and an nginx reload in other zones, a brief 500 burst, steady warnings).
/// The generator counts what it wrote (`Truth`), so tests can check the post-mortem against it exactly.
public struct DemoDay: Sendable {
    public var year = 2025, month = 11, day = 21
    public var seed: UInt64 = 20251121
    public var zones = ["univprepai", "collegeprepai", "skillprepai", "kzone", "medprepai", "lawprepai", "mbaprepai",
                        "examzone", "jobzone"]
    public var incidentZone = "kzone"
    /// Mean edge requests per minute and zone at the daily peak.
    public var requestsPerMinute = 10.0

    public init() {}

    /// One generated log file and how to ingest it.
    public struct File: Sendable, Codable {
        public var path: String
        /// An `Ingest` log format name (`nginx-access`, `nginx-error`, `python`, `vllm`, `kernel`).
        public var format: String
        public var labels: [String: String]
    }

    /// What the generator wrote for the scripted incident, and the noise it added.
    public struct Truth: Sendable, Codable {
        public var zone: String
        public var oomAt: Int64
        public var firstFailure: Int64
        public var lastFailure: Int64
        public var restartAt: Int64
        public var recoveredAt: Int64
        /// 5xx responses at the edge caused by the incident (all in `zone`).
        public var failedRequests: Int
        public var distinctClients: Int
        public var alertFiredAt: Int64
        public var alertResolvedAt: Int64
        /// The noise events, one line each (zone, time, what).
        public var noise: [String]
        /// Traces written to `tracesFile` (chat requests between 13:00 and 16:00), and those of failed requests.
        public var tracedRequests = 0
        public var failedTraces = 0
        public var dayStart: Int64
        public var dayEnd: Int64
    }

    public var dayStart: Int64 { CivilDate.unixNanos(year: year, month: month, day: day) }

    /// The OTLP/JSON trace file written beside the logs.
    public static let tracesFile = "traces.otlp.json"

    func at(_ h: Int, _ m: Int, _ s: Int) -> Int64 { dayStart + Int64(h * 3600 + m * 60 + s) * 1_000_000_000 }

    /// Writes the day's files under `directory` (created if needed) and returns them with the truth.
    public func write(to directory: String) throws -> (files: [File], truth: Truth) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var gen = DemoGenerator(day: self)
        gen.generate()
        var files: [File] = []
        for (zi, zone) in zones.enumerated() {
            let logs = gen.logs[zone]!
            let folder = directory + "/" + zone
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let sets: [(String, String, [DemoGenerator.Line], [String: String])] = [
                ("nginx-access.log", "nginx-access", logs.access, ["job": "nginx", "zone": zone, "host": "edge-\(zone)-01"]),
                ("nginx-error.log", "nginx-error", logs.nginxError, ["job": "nginx", "zone": zone, "host": "edge-\(zone)-01", "stream": "error"]),
                ("backend.log", "python", logs.backend, ["job": "backend", "zone": zone, "service": "api", "host": "api-\(zone)-01"]),
                ("vllm.log", "vllm", logs.vllm, ["job": "ai-engine", "zone": zone, "engine": "vllm", "host": "gpu-\(zone)-01"]),
                ("kern.log", "kernel", logs.kernel, ["job": "kernel", "zone": zone, "host": "gpu-\(zone)-01"]),
            ]
            _ = zi
            for (name, format, lines, labels) in sets {
                let path = folder + "/" + name
                let sorted = lines.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
                var text = ""
                text.reserveCapacity(sorted.count * 160)
                for l in sorted { text += l.element.text; text += "\n" }
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                files.append(File(path: path, format: format, labels: labels))
            }
        }
        // OTLP/JSON, as an OpenTelemetry SDK would export it to `POST /v1/traces`.
        let traces = gen.traceBatches()
        try ("{\"resourceSpans\":" + OTLPJSON.encode(traces, ids: .hex) + "}")
            .write(toFile: directory + "/" + Self.tracesFile, atomically: true, encoding: .utf8)
        let fired = gen.alerts.firing, resolved = gen.alerts.resolved
        try fired.write(toFile: directory + "/alertmanager-firing.json", atomically: true, encoding: .utf8)
        try resolved.write(toFile: directory + "/alertmanager-resolved.json", atomically: true, encoding: .utf8)
        var truth = gen.truth
        truth.tracedRequests = gen.tracedRequests.count
        truth.failedTraces = gen.tracedRequests.filter { $0.failure != nil }.count
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(truth).write(to: URL(fileURLWithPath: directory + "/truth.json"))
        return (files, truth)
    }
}
