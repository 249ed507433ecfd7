import ArgumentParser
import Dispatch
import Foundation
import Incidents
import Ingest
import LogStore
import MCServer

/// `mclog serve`: the Loki-compatible HTTP API over the store, and the configuration's file tailers.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Loki-compatible HTTP API (push, query, labels, series, metrics) over the store.",
        discussion: """
            With --config, the file's data directory, listen address, limits, server section (query limits, \
            auth), incidents section (rule evaluation) and sources apply: the sources are tailed into the same \
            store while the API serves, and the detection rules run on an interval. \
            Options given on the command line override the file. SIGINT/SIGTERM stop the server, then the \
            tailers after checkpointing.
            """)

    @Option(help: "The configuration file (mclog.yaml).")
    var config: String?

    @OptionGroup var data: DataOptions

    @Option(help: "Address to listen on, host:port (default 127.0.0.1:3100, Loki's port; port 0 picks a free one).")
    var listen: String?

    @Option(help: "Address for OTLP/HTTP trace ingest (POST /v1/traces), host:port; `none` turns it off.")
    var otlpListen = "127.0.0.1:4318"

    @Option(help: "Query timeout in seconds (default 60).")
    var queryTimeout: Double?

    @Option(help: "Largest `limit` a log query may ask for (Loki's max_entries_limit_per_query, default 5000).")
    var maxEntriesLimit: Int?

    func run() throws {
        var cfg: IngestConfig
        var configText = ""
        if let config {
            do { cfg = try IngestConfig.load(path: config) } catch let e as ConfigError { throw UsageError(e.description) }
            configText = (try? String(contentsOfFile: config, encoding: .utf8)) ?? ""
            if let d = data.data { cfg.dataDirectory = d }
        } else {
            cfg = IngestConfig(dataDirectory: data.directory)
        }
        if let listen { cfg.listen = listen }
        if let maxEntriesLimit { cfg.limits.maxEntriesPerQuery = maxEntriesLimit }
        var options: ServerOptions
        do { options = try ServerOptions(config: cfg) } catch let e as ListenAddressError { throw UsageError(e.description) }
        if let queryTimeout { options.queryTimeoutSeconds = queryTimeout }

        let store = try LogStore(directory: cfg.dataDirectory, options: cfg.storeOptions)
        for d in store.openReport.damage { printError("warning: \(d)") }
        let tailers = cfg.sources.isEmpty ? nil : try IngestRunner(config: cfg, store: store)
        let tempo = try openTraces(options: options, dataDirectory: cfg.dataDirectory, settings: cfg.traces)
        let incidentStores = try IncidentStores(metastore: cfg.metastore, dataDirectory: cfg.dataDirectory)
        defer { incidentStores.close() }
        let (incidents, rules) = try openIncidents(settings: cfg.incidents, options: options, stores: incidentStores,
                                                   logs: store, traces: tempo.store)
        let server = LokiServer(api: LokiAPI(store: store, options: options, configText: configText, tailers: tailers),
                                tempo: tempo, incidents: incidents)
        let directory = cfg.dataDirectory
        let host = options.host
        let sourceCount = cfg.sources.count
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        try startOTLP(tempo, failure: failure, done: done)
        tailers?.start()
        rules?.start()
        Task {
            do {
                let app = server.application { port in
                    let tailing = sourceCount == 0 ? "" : ", tailing \(sourceCount) source\(sourceCount == 1 ? "" : "s")"
                    printError("mclog serve: listening on http://\(host):\(port) (data: \(directory)\(tailing))")
                }
                try await app.runService()
            } catch {
                failure.error = error
            }
            done.signal()
        }
        done.wait()
        rules?.stopAndWait()
        tailers?.stopAndWait()
        store.close()
        tempo.store.close()
        if let e = failure.error { throw e }
    }
}

/// Carries an error out of the server task.
final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}
