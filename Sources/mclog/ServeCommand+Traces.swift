import Foundation
import Ingest
import MCServer
import TraceStore

/// The trace side of `mclog serve`: the span store under `<data>/traces`, its Tempo routes on the API port, and
/// the OTLP listener (`--otlp-listen`).
extension ServeCommand {
    /// Opens the span store (compacting and applying retention in the background, its progress printed) and the
    /// Tempo API over it.
    func openTraces(options: ServerOptions, dataDirectory: String, settings: TraceSettings) throws -> TempoAPI {
        var o = TraceStoreOptions(settings)
        o.log = { printError("mclog serve: " + $0) }
        let store = try TraceStore(directory: dataDirectory + "/traces", options: o)
        for d in store.openReport.damage { printError("warning: traces: \(d)") }
        return TempoAPI(store: store, options: options)
    }

    /// Starts the OTLP/HTTP listener unless `--otlp-listen none`; a failure to bind ends the server.
    func startOTLP(_ tempo: TempoAPI, failure: FailureBox, done: DispatchSemaphore) throws {
        guard otlpListen.lowercased() != "none" else { return }
        let host: String, port: Int
        do { (host, port) = try ServerOptions.parseListen(otlpListen) } catch let e as ListenAddressError {
            throw UsageError("--otlp-listen: \(e.description)")
        }
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

extension TraceStoreOptions {
    /// Default options with the `traces:` settings of `mclog.yaml`.
    init(_ settings: TraceSettings) {
        self.init()
        retentionSeconds = settings.retentionSeconds
        retentionByTenant = settings.retentionByTenant
        maintenanceIntervalSeconds = settings.compactionIntervalSeconds
    }
}
