import ArgumentParser
import Storage

@main
struct MCLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mclog",
        abstract: "Log and trace analysis: ingest, store and query logs (LogQL).",
        subcommands: [ImportCommand.self, IngestCommand.self, QueryCommand.self, StatsCommand.self, ServeCommand.self, ConfigCommand.self,
                      TraceCommand.self, TracesCommand.self,
                      DemoCommand.self, IncidentCommand.self, IncidentsCommand.self, PostmortemCommand.self,
                      DebugAppendCommand.self, DebugTraceBenchCommand.self]
    )

    static func main() {
        Allocator.preferHeapForLargeBuffers()
        main(nil)
    }
}

/// Options shared by every command that opens a store.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $MCLOG_DATA, else ./mclog-data).")
    var data: String?

    var directory: String {
        data ?? ProcessInfo.processInfo.environment["MCLOG_DATA"] ?? "./mclog-data"
    }
}

import Foundation
typealias UsageError = ArgumentParser.ValidationError
