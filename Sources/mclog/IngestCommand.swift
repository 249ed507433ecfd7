import ArgumentParser
import Dispatch
import Foundation
import Ingest
import LogStore

/// `mclog ingest`: tails the configured sources into the store until SIGINT/SIGTERM (or, with --once, until
/// every file is read to its end).
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Tail the log files of mclog.yaml's sources into the store.",
        discussion: """
            Positions are checkpointed in the positions file after every durable append, so a restart (even \
            after kill -9) resumes without losing or repeating a line. SIGINT/SIGTERM stop after the batch in \
            flight. --once reads every file to its end, sends held partial lines and exits (backfill).
            """)

    @Option(help: "The configuration file.")
    var config: String = "mclog.yaml"

    @Flag(help: "Read every source to its end and exit.")
    var once = false

    @Option(help: "Data directory (overrides the configuration's `data`).")
    var data: String?

    func run() throws {
        var cfg: IngestConfig
        do { cfg = try IngestConfig.load(path: config) } catch let e as ConfigError { throw UsageError(e.description) }
        if let data { cfg.dataDirectory = data }
        guard !cfg.sources.isEmpty else { throw UsageError("\(config): no sources to tail") }
        let store = try LogStore(directory: cfg.dataDirectory, options: cfg.storeOptions)
        defer { store.close() }
        for d in store.openReport.damage { printError("warning: \(d)") }
        let runner = try IngestRunner(config: cfg, store: store, once: once)

        // Signals stop the runner from a dispatch queue; the default handlers are ignored so they do not kill us.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let queue = DispatchQueue(label: "mclog.signals")
        let sources = [SIGINT, SIGTERM].map { sig in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { runner.stop() }
            s.resume()
            return s
        }
        defer { sources.forEach { $0.cancel() } }

        let progress = RateReporter(runner: runner)
        progress.start()
        let started = Date()
        do {
            try runner.run()
        } catch {
            progress.stop()
            throw error
        }
        progress.stop()
        let secs = Date().timeIntervalSince(started)
        var total = 0
        for c in runner.counters() {
            total += c.bytes
            print(String(format: "%@: %d entries, %@ (%.1f MB/s)", c.name, c.entries, megabytes(c.bytes),
                         Double(c.bytes) / 1e6 / max(secs, 1e-9)))
        }
        let cpu = runner.tailerCPUSeconds
        print(String(format: "tailer thread: %.2f CPU s, %.1f MB/s per CPU-second", cpu,
                     Double(total) / 1e6 / max(cpu, 1e-9)))
    }
}

/// Prints per-source rates on stderr once a second while it is a terminal.
final class RateReporter: @unchecked Sendable {
    let runner: IngestRunner
    private var timer: DispatchSourceTimer?
    private var last: [(entries: Int, bytes: Int)] = []

    init(runner: IngestRunner) { self.runner = runner }

    func start() {
        guard isatty(2) == 1 else { return }
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "mclog.rates"))
        t.schedule(deadline: .now() + 1, repeating: 1)
        t.setEventHandler { [self] in
            let now = runner.counters()
            if last.count != now.count { last = now.map { ($0.entries, $0.bytes) } }
            let parts = now.enumerated().map { i, c in
                String(format: "%@ %d files %.0f lines/s %.1f MB/s", c.name, c.files,
                       Double(c.entries - last[i].entries), Double(c.bytes - last[i].bytes) / 1e6)
            }
            last = now.map { ($0.entries, $0.bytes) }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + parts.joined(separator: " | ")).utf8))
        }
        t.resume()
        timer = t
    }

    func stop() {
        timer?.cancel()
        if timer != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
