import ArgumentParser
import Foundation
import LogStore
import TraceStore

/// `mclog traces search '<TraceQL>'`: matching traces with root service, root span, duration and errors.
struct TracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces", abstract: "Search traces with TraceQL.", subcommands: [TracesSearchCommand.self])
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
