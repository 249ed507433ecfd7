import Foundation
import MCServer
import TraceStore

/// The trace side of `mclog serve`: the span store under `<data>/traces`, its Tempo routes on the API port, and
/// the OTLP listener (`--otlp-listen`).
extension ServeCommand {
    /// Opens the span store and the Tempo API over it.
    func openTraces(options: ServerOptions) throws -> TempoAPI {
        let store = try TraceStore(directory: data.directory + "/traces")
        for d in store.openReport.damage { printError("warning: traces: \(d)") }
        return TempoAPI(store: store, options: options)
    }

    /// Starts the OTLP/HTTP listener unless `--otlp-listen none`; a failure to bind ends the server.
    func startOTLP(_ tempo: TempoAPI, failure: FailureBox, done: DispatchSemaphore) throws {
        guard otlpListen.lowercased() != "none" else { return }
        let (host, port) = try Self.parseListen(otlpListen)
        let server = OTLPServer(tempo: tempo, host: host, port: port)
        Task {
            do {
                try await server.application { port in
                    printError("mclog serve: OTLP/HTTP on http://\(host):\(port)/v1/traces")
                }.runService()
            } catch {
                failure.error = error
                done.signal()
            }
        }
    }
}
