import ArgumentParser
import Foundation
import LogQL
import LogStore
import TraceStore

/// `mclog trace <trace-id>`: the trace as an indented waterfall, then the log lines that carry its id.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show a trace as a waterfall (service, operation, start offset, duration, status, errors) and the log lines carrying its id.")

    @OptionGroup var data: DataOptions

    @Argument(help: "The trace id (up to 32 hex digits).")
    var traceID: String

    @Option(help: "Tenant id.")
    var tenant: String = Tenant.defaultID

    @Option(help: "Log lines are looked for from this long before the trace's first span to this long after its last.")
    var logMargin: String = "5m"

    @Flag(help: "Print only the waterfall, not the log lines.")
    var noLogs = false

    func run() throws {
        guard let id = TraceID(hex: traceID), !id.isZero else {
            throw UsageError("invalid trace id \"\(traceID)\": want up to 32 hex digits")
        }
        let store = try TraceStore(directory: data.directory + "/traces", readOnly: true)
        defer { store.close() }
        guard let trace = try store.trace(tenant: tenant, id: id) else {
            printError("trace \(id) not found in \(data.directory)/traces (tenant \(tenant))")
            throw ExitCode(1)
        }
        let out = OutputBuffer()
        out.write(Waterfall.render(trace))
        if !noLogs {
            let margin = try TimeArgument.duration(logMargin)
            let spans = trace.spans.map(\.span)
            let start = (spans.map(\.start).min() ?? 0) - margin
            let end = (spans.map(\.end).max() ?? 0) + margin
            out.write("\n" + (try logLines(traceID: id, start: start, end: end)))
        }
        out.flush()
    }

    /// The log lines whose structured metadata carries `trace_id` = this id (as printed or as a 64-bit id),
    /// across every stream of the tenant, in time order — through the LogQL engine, one query per partition of
    /// the streams (streams with label n1; without n1 but with n2; …) so every stream is read exactly once.
    func logLines(traceID id: TraceID, start: Int64, end: Int64) throws -> String {
        guard FS_isDirectory(data.directory + "/tenants") else { return "no log store in \(data.directory)\n" }
        let logs = try LogStore(directory: data.directory, readOnly: true)
        defer { logs.close() }
        let names = logs.labelValues(tenant: tenant, from: start, to: end + 1)
        let full = id.description
        let short = String(full.drop { $0 == "0" })
        // A 64-bit id may be logged without its leading zeros; match both forms then.
        let filter = short.count < full.count ? "| trace_id=~\"0*\(short)\"" : "| trace_id=\"\(full)\""
        var lines: [(Int64, String, String)] = []
        let engine = Engine(store: logs)
        for (i, name) in names.enumerated() {
            var matchers = ["\(name)=~\".+\""]
            for earlier in names[..<i] { matchers.append("\(earlier)=\"\"") }
            let query = "{" + matchers.joined(separator: ",") + "} " + filter
            let parsed = try Parser.parse(query)
            let params = QueryParams(tenant: tenant, start: start, end: end + 1, limit: 0, direction: .forward)
            let (result, _) = try engine.execute(parsed, params)
            guard case .streams(let streams) = result else { continue }
            for s in streams {
                let labels = "{" + s.labels.filter { !$0.name.hasPrefix("__") }.map { "\($0.name)=\"\($0.value)\"" }
                    .joined(separator: ", ") + "}"
                for e in s.entries { lines.append((e.0, labels, e.1)) }
            }
        }
        lines.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var out = "Log lines with trace_id=\(full): \(lines.count)\n"
        for (t, labels, line) in lines { out += TimeArgument.format(t) + "  " + labels + "  " + line + "\n" }
        return out
    }
}

private func FS_isDirectory(_ p: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue
}

/// The text waterfall of a trace: one line per span, children indented under their parent in start order.
enum Waterfall {
    static func render(_ trace: Trace) -> String {
        let spans = trace.spans
        guard !spans.isEmpty else { return "trace \(trace.id): no spans\n" }
        let t0 = spans.map(\.span.start).min()!
        let t1 = spans.map(\.span.end).max()!
        let ids = Set(spans.map(\.span.spanID))
        var children: [SpanID: [Int]] = [:]
        var roots: [Int] = []
        for (i, s) in spans.enumerated() {
            if s.span.parentSpanID.isZero || !ids.contains(s.span.parentSpanID) || s.span.parentSpanID == s.span.spanID {
                roots.append(i)
            } else {
                children[s.span.parentSpanID, default: []].append(i)
            }
        }
        let byStart: (Int, Int) -> Bool = { (spans[$0].span.start, $0) < (spans[$1].span.start, $1) }
        let services = Set(spans.map(\.service)).count
        let errors = spans.filter { $0.span.status == .error }.count
        func count(_ n: Int, _ what: String) -> String { "\(n) \(what)" + (n == 1 ? "" : "s") }
        var out = "Trace \(trace.id)  \(count(spans.count, "span")), \(count(services, "service")), \(duration(t1 - t0))"
            + (errors > 0 ? ", " + count(errors, "error") : "") + "\n"
        out += pad("OFFSET", 12) + pad("DURATION", 12) + pad("STATUS", 8) + "SERVICE  OPERATION\n"
        var visited = Set<Int>()
        func walk(_ i: Int, _ depth: Int) {
            guard visited.insert(i).inserted else { return }
            let (service, s) = spans[i]
            let indent = String(repeating: "  ", count: depth)
            out += pad("+" + duration(s.start - t0), 12) + pad(duration(s.duration), 12) + pad(s.status.name, 8)
                + indent + service + "  " + s.name + "\n"
            for m in errorMessages(s) { out += String(repeating: " ", count: 32) + indent + "  ! " + m + "\n" }
            for c in (children[s.spanID] ?? []).sorted(by: byStart) { walk(c, depth + 1) }
        }
        for r in roots.sorted(by: byStart) { walk(r, 0) }
        return out
    }

    /// The status message and the messages of exception events.
    static func errorMessages(_ s: Span) -> [String] {
        var m: [String] = []
        if !s.statusMessage.isEmpty { m.append(s.statusMessage) }
        for e in s.events where e.name == "exception" {
            let type = e.attributes[key: "exception.type"]?.text
            let message = e.attributes[key: "exception.message"]?.text
            let text = [type, message].compactMap { $0 }.joined(separator: ": ")
            if !text.isEmpty, !m.contains(text) { m.append(text) }
        }
        return m.map { $0.replacingOccurrences(of: "\n", with: " ") }
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    /// `850µs`, `12.3ms`, `1.234s`, `2m3.4s`.
    static func duration(_ ns: Int64) -> String {
        let a = abs(ns)
        let sign = ns < 0 ? "-" : ""
        if a < 1_000 { return sign + "\(a)ns" }
        if a < 1_000_000 { return sign + String(format: "%.0fµs", Double(a) / 1e3) }
        if a < 1_000_000_000 { return sign + String(format: "%.1fms", Double(a) / 1e6) }
        if a < 60_000_000_000 { return sign + String(format: "%.3fs", Double(a) / 1e9) }
        return sign + "\(a / 60_000_000_000)m" + String(format: "%.1fs", Double(a % 60_000_000_000) / 1e9)
    }
}
