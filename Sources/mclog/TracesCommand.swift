import ArgumentParser
import Foundation
import Ingest
import LogStore
import TraceStore

/// `mclog traces search '<TraceQL>'`: matching traces with root service, root span, duration and errors.
struct TracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces", abstract: "Search traces with TraceQL; compact the span store.",
        subcommands: [TracesSearchCommand.self, TracesCompactCommand.self])
}

struct TracesSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "List traces matching a TraceQL query: '{ resource.service.name = \"api\" && status = error }'.",
        discussion: "Exit code 2 for a query mclog cannot parse (the message names the construct and its position).")

    @OptionGroup var data: DataOptions

    @Argument(help: "The TraceQL query.")
    var query: String

    @Option(help: "Look back this far from now (a duration: 30m, 1h, 7d).")
    var since: String = "1h"

    @Option(help: "Most traces to list (newest first).")
    var limit: Int = 20

    @Option(help: "Tenant id.")
    var tenant: String = Tenant.defaultID

    func run() throws {
        let expr: SpansetExpr
        do { expr = try TraceQL.parse(query) } catch let e as TraceQLError {
            printError(query + "\n" + String(repeating: " ", count: max(0, e.position - 1)) + "^\n" + e.description)
            throw ExitCode(2)
        }
        guard limit > 0 else { throw UsageError("--limit must be positive") }
        let now = TimeArgument.nowNanos()
        var request = TraceSearchRequest(query: expr)
        request.start = now - (try TimeArgument.duration(since))
        request.end = now
        request.limit = limit
        let store = try TraceStore(directory: data.directory + "/traces", readOnly: true)
        defer { store.close() }
        let response = try store.search(tenant: tenant, request)
        let out = OutputBuffer()
        out.write(Waterfall.pad("TRACE", 34) + Waterfall.pad("START", 26) + Waterfall.pad("DURATION", 11)
                  + Waterfall.pad("SPANS", 7) + Waterfall.pad("ERRORS", 8) + "ROOT SERVICE  ROOT SPAN\n")
        for t in response.traces {
            out.write(Waterfall.pad(t.traceID.description, 34) + Waterfall.pad(TimeArgument.format(t.start), 26)
                      + Waterfall.pad(Waterfall.duration(t.duration), 11) + Waterfall.pad("\(t.spanCount)", 7)
                      + Waterfall.pad("\(t.errorCount)", 8)
                      + (t.rootServiceName ?? "<root span not yet received>") + "  " + (t.rootTraceName ?? "") + "\n")
        }
        out.flush()
        printError("\(response.traces.count) traces (\(response.inspectedSpans) spans inspected)")
    }
}

/// `mclog traces compact`: one compaction and retention pass over the span store, as `mclog serve` runs in the
/// background.
struct TracesCompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Merge small trace blocks (joining the parts of traces) and delete blocks past the retention.",
        discussion: """
            Spans still in the WAL are written to a block first. The store must not be open in `mclog serve` \
            (which compacts on its own, every traces.compaction_interval). Retention comes from the \
            configuration's traces.retention, or --retention.
            """)

    @Option(help: "The configuration file (mclog.yaml), for its data directory and traces section.")
    var config: String?

    @OptionGroup var data: DataOptions

    @Option(help: "Delete blocks whose newest span ended longer ago than this (a duration: 14d, 336h); 0 keeps all.")
    var retention: String?

    func run() throws {
        var settings = TraceSettings()
        var directory = data.directory
        if let config {
            let cfg: IngestConfig
            do { cfg = try IngestConfig.load(path: config) } catch let e as ConfigError { throw UsageError(e.description) }
            settings = cfg.traces
            directory = data.data ?? cfg.dataDirectory
        }
        if let retention {
            do { settings.retentionSeconds = retention == "0" ? 0 : try TimeArgument.duration(retention) / 1_000_000_000 } catch {
                throw UsageError("--retention: \(error)")
            }
            settings.retentionByTenant = [:]
        }
        var options = TraceStoreOptions(settings)
        options.backgroundIntervalSeconds = 0
        options.maintenanceIntervalSeconds = 0
        let store: TraceStore
        do { store = try TraceStore(directory: directory + "/traces", options: options) } catch let e as TraceStoreError {
            throw UsageError("\(e.description) (mclog serve compacts its store itself)")
        }
        defer { store.close() }
        for d in store.openReport.damage { printError("warning: traces: \(d)") }
        let before = store.stats()
        try store.flush()
        let report = try store.runMaintenance(now: TimeArgument.nowNanos()) { printError($0) }
        let after = store.stats()
        printError("traces: \(before.blocks) blocks before, \(after.blocks) after (\(report.blocksMerged) merged into \(report.blocksWritten), \(report.blocksDeletedByRetention) deleted by retention); \(after.blockTraces) traces, \(after.blockSpans) spans, \(String(format: "%.1f MB", Double(after.blockBytes) / 1e6))")
    }
}
