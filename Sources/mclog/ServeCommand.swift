import ArgumentParser
import Dispatch
import Foundation
import LogStore
import MCServer

/// `mclog serve`: the Loki-compatible HTTP API over the store.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Loki-compatible HTTP API (push, query, labels, series, metrics) over the store.")

    @OptionGroup var data: DataOptions

    @Option(help: "Address to listen on, host:port (Loki's port 3100 by default; port 0 picks a free one).")
    var listen = "127.0.0.1:3100"

    @Option(help: "Address for OTLP/HTTP trace ingest (POST /v1/traces), host:port; `none` turns it off.")
    var otlpListen = "127.0.0.1:4318"

    @Option(help: "Query timeout in seconds.")
    var queryTimeout = 60.0

    @Option(help: "Largest `limit` a log query may ask for (Loki's max_entries_limit_per_query).")
    var maxEntriesLimit = 5000

    func run() throws {
        var options = ServerOptions()
        (options.host, options.port) = try Self.parseListen(listen)
        options.queryTimeoutSeconds = queryTimeout
        options.maxEntriesLimit = maxEntriesLimit
        let store = try LogStore(directory: data.directory)
        for d in store.openReport.damage { printError("warning: \(d)") }
        let tempo = try openTraces(options: options)
        let server = LokiServer(api: LokiAPI(store: store, options: options), tempo: tempo)
        let directory = data.directory
        let host = options.host
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        try startOTLP(tempo, failure: failure, done: done)
        Task {
            do {
                let app = server.application { port in
                    printError("mclog serve: listening on http://\(host):\(port) (data: \(directory))")
                }
                try await app.runService()
            } catch {
                failure.error = error
            }
            done.signal()
        }
        done.wait()
        store.close()
        tempo.store.close()
        if let e = failure.error { throw e }
    }

    static func parseListen(_ s: String) throws -> (String, Int) {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port)
        else { throw UsageError("invalid --listen \"\(s)\": want host:port, e.g. 127.0.0.1:3100") }
        let host = String(s[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }
}

/// Carries an error out of the server task.
final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}
