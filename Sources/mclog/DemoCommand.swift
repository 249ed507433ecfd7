import ArgumentParser
import Foundation
import Incidents
import Ingest
import LogQL
import LogStore
import TraceStore

/// `mclog demo`: writes a realistic day of the platform with one scripted incident, ingests it with the import
/// path (the same format parsers as the tailer), applies the Alertmanager payloads, detects the incidents with the
/// rules in `queries/`, stores them and prints the post-mortem of the most severe one.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a day of logs with an incident, ingest it, and print its post-mortem.",
        discussion: """
            Writes DIR/logs (nine zones: nginx access and error, backend, vLLM, kernel; OTLP traces whose ids \
            appear in the backend log; Alertmanager payloads; \
            truth.json with what the generator scripted), the store in DIR/data, and the post-mortem. \
            Explore afterwards with: mclog query --data DIR/data …, mclog incidents list --data DIR/data.
            """)

    @Option(help: "Folder for the demo's logs and store (replaced if it holds an earlier demo).")
    var dir: String = "./mclog-demo"

    @OptionGroup var options: IncidentOptions

    @Option(help: "md, html or json.")
    var format: String = "md"

    @Option(help: "Write the post-mortem to this file instead of stdout.")
    var out: String?

    @Option(help: "Mean edge requests per minute and zone at the daily peak.")
    var rate: Double = 10

    @Option(help: "Seed of the generator (the same seed writes the same day).")
    var seed: UInt64 = 20251121

    func run() throws {
        try PostMortemOutput.check(format)
        guard rate > 0, rate <= 1000 else { throw UsageError("--rate must be in (0, 1000]") }
        let fm = FileManager.default
        let marker = dir + "/.mclog-demo"
        if fm.fileExists(atPath: dir) {
            let contents = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
            guard contents.isEmpty || fm.fileExists(atPath: marker) else {
                throw UsageError("\(dir) exists and is not an earlier demo's folder; pick another --dir")
            }
            for name in ["logs", "data"] where fm.fileExists(atPath: dir + "/" + name) {
                try fm.removeItem(atPath: dir + "/" + name)
            }
        }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        fm.createFile(atPath: marker, contents: Data())

        var day = DemoDay()
        day.seed = seed
        day.requestsPerMinute = rate
        let progress = Progress()
        progress.update("writing the day's logs…")
        let (files, truth) = try day.write(to: dir + "/logs")

        let dataDir = dir + "/data"
        // Small pages: a day of a zone's log is a few MB, and incident queries read an hour or two of it.
        var storeOptions = StoreOptions()
        storeOptions.pageSize = 256 << 10
        let store = try LogStore(directory: dataDir, options: storeOptions)
        defer { store.close() }
        var importer = Importer(store: store, tenant: options.tenant, progress: progress)
        for f in files {
            guard let format = LogFormat(rawValue: f.format) else { throw UsageError("demo wrote an unknown format \(f.format)") }
            var source = SourceConfig(name: f.path, paths: [f.path], format: format, tenant: options.tenant,
                                      labels: f.labels.map { Label($0.key, $0.value) })
            source.multiline.maxBytes = min(source.multiline.maxBytes, store.options.limits.maxLineSize)
            // The day's end fixes the year of vLLM's year-less timestamps.
            try importer.importDecoded(path: f.path, source: source, startTime: truth.dayEnd)
        }
        try importer.finishBatch()
        progress.update("flushing blocks…")
        try store.flush()
        progress.finish()
        printError("demo: wrote and imported \(importer.lines) lines (\(megabytes(importer.bytes))) of \(day.zones.count) zones into \(dataDir)")

        // The traces, as `POST /v1/traces` would store them: into the span store `mclog serve` keeps in DATA/traces.
        let traceJSON = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/logs/" + DemoDay.tracesFile)))
        let traces = try TraceStore(directory: dataDir + "/traces")
        defer { traces.close() }
        let appended = try traces.append(tenant: options.tenant, try OTLPJSON.decode(traceJSON))
        try traces.flush()
        printError("demo: ingested \(appended.acceptedSpans) spans of \(truth.tracedRequests) traces into \(dataDir)/traces")

        let correlator = try options.correlator(store: store, traces: traces)
        let incidents = try EmbeddedIncidentStore(dataDirectory: dataDir, tenant: options.tenant)
        // Alertmanager's webhooks, as `POST /api/v1/alerts` would receive them: HighErrorRate fires, then resolves.
        for name in ["alertmanager-firing.json", "alertmanager-resolved.json"] {
            let payload = try Data(contentsOf: URL(fileURLWithPath: dir + "/logs/" + name))
            try AlertJoiner(store: incidents).apply(try AlertmanagerWebhook.decode(payload))
        }
        let found = try correlator.detectAndStore(into: incidents, from: truth.dayStart, to: truth.dayEnd).map(\.postMortem)
        for pm in found {
            printError("demo: \(pm.id?.description ?? "-") \(pm.severity.rawValue) \(pm.zones.joined(separator: ",")) "
                       + "\(CivilDateText.clock(pm.start))–\(CivilDateText.clock(pm.end)) \(pm.impact.failedRequests) failed — \(pm.title)")
        }
        guard let worst = found.min(by: { a, b in
            (a.severity, -a.impact.failedRequests) < (b.severity, -b.impact.failedRequests)
        }) else {
            throw UsageError("the rules found no incident in the demo day (rules folder: \(try options.rulesDirectory()))")
        }
        try PostMortemOutput.write(worst, format: format, out: out)
    }
}

/// `14:02:13` from Unix ns, for progress lines.
enum CivilDateText {
    static func clock(_ t: Int64) -> String {
        let full = TimeArgument.format(t)
        guard let tIndex = full.firstIndex(of: "T") else { return full }
        return String(full[full.index(after: tIndex)...].prefix(8))
    }
}
