import ArgumentParser
import Foundation
import LogQL
import LogStore

/// `mclog query`: any LogQL query, read straight from the store.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a LogQL query: '{job=\"nginx\"} |= \"error\"', 'sum by (status) (count_over_time({job=\"nginx\"} | pattern \"…\" [5m]))'.",
        discussion: "The selector may be written {job=\"nginx\"} or <job=\"nginx\">. Exit code 2 for a bad query, 1 for a runtime failure.")

    @OptionGroup var data: DataOptions

    @Argument(help: "The query.")
    var query: String

    @Option(help: "Start of the range: RFC3339, Unix s/ns, or a duration ago (1h).")
    var from: String?

    @Option(help: "End of the range (exclusive for log queries; default now); the time of an --instant query.")
    var to: String?

    @Option(help: "Look back this far from --to when --from is absent (default 1h).")
    var since: String?

    @Option(help: "Most entries to print for a log query; 0 prints every match.")
    var limit: Int = 100

    @Option(help: "backward (newest first) or forward.")
    var direction: String = "backward"

    @Option(help: "Step of a metric range query (seconds or a duration; default: range/250, at least 1s).")
    var step: String?

    @Flag(help: "Evaluate a metric query once, at --to.")
    var instant = false

    @Option(help: "raw, jsonl, json (the API's data object) or table.")
    var output: String = "raw"

    @Option(help: "Tenant id.")
    var tenant: String = Tenant.defaultID

    @Flag(help: "Print query statistics to stderr.")
    var stats = false

    @Flag(help: "Read every page even where its bloom filter rules the literal out (measures raw scan speed).")
    var noBloom = false

    func run() throws {
        let parsed: Query
        do { parsed = try Parser.parse(query) } catch let e as LogQLError {
            printError(e.render(query: query))
            throw ExitCode(2)
        }
        guard let dir = Direction(rawValue: direction) else { throw UsageError("--direction must be forward or backward") }
        guard ["raw", "jsonl", "json", "table"].contains(output) else {
            throw UsageError("--output must be raw, jsonl, json or table")
        }
        guard limit >= 0 else { throw UsageError("--limit must be 0 (all) or positive") }
        let now = TimeArgument.nowNanos()
        let end = try to.map { try TimeArgument.instant($0, now: now) } ?? now
        let start = try from.map { try TimeArgument.instant($0, now: now) }
            ?? (end - (try TimeArgument.duration(since ?? "1h")))
        guard instant || start < end else { throw UsageError("--from must be before --to") }
        var params = QueryParams(tenant: tenant, start: start, end: end, instant: instant, limit: limit, direction: dir)
        params.step = try step.map { s in
            if let secs = Double(s) { return Int64(secs * 1e9) }
            return try TimeArgument.duration(s)
        } ?? QueryParams.defaultStep(start: start, end: end)
        params.useBloom = !noBloom
        let store = try LogStore(directory: data.directory, readOnly: true)
        defer { store.close() }
        let result: QueryResult
        let s: QueryStats
        do { (result, s) = try Engine(store: store).execute(parsed, params) } catch let e as LogQLError {
            printError("query failed: \(e.message)")
            throw ExitCode(e.position == nil ? 1 : 2)
        }
        let out = OutputBuffer()
        ResultPrinter(output: output, direction: dir).print(result, s, to: out)
        out.flush()
        if stats {
            let st = s.store
            printError(String(format: """
                streams %d, pages %d (scanned %d, skipped by time %d, by bloom %d, head %d), \
                lines scanned %d, %@ decompressed from %@, returned %d, %.3f s (%.2f GB/s)
                """, st.streams, st.pagesTotal, st.pagesScanned, st.pagesSkippedByTime, st.pagesSkippedByBloom, st.headPages,
                st.linesScanned, megabytes(st.decompressedBytes), megabytes(st.compressedBytes), s.entriesReturned,
                s.execSeconds, Double(st.decompressedBytes) / 1e9 / max(s.execSeconds, 1e-9)))
        }
    }
}

/// Prints results as raw lines, logcli-style JSONL, the API's JSON, or an aligned table.
struct ResultPrinter {
    let output: String
    let direction: Direction

    func print(_ result: QueryResult, _ stats: QueryStats, to out: OutputBuffer) {
        if output == "json" {
            out.write(ResultJSON.data(result, stats) + "\n")
            return
        }
        switch result {
        case .streams(let streams):
            var all: [(Int64, Int, Int)] = []
            for (si, s) in streams.enumerated() { for (ei, e) in s.entries.enumerated() { all.append((e.0, si, ei)) } }
            all.sort { direction == .forward ? ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) : ($0.0, $1.1, $1.2) > ($1.0, $0.1, $0.2) }
            for (_, si, ei) in all {
                let s = streams[si], e = s.entries[ei]
                switch output {
                case "jsonl": out.write(JSONLine.record(labels: s.labels, timestamp: e.0, line: e.1))
                case "table": out.write(TimeArgument.format(e.0) + "\t" + labelText(s.labels) + "\t" + e.1 + "\n")
                default: out.write(e.1 + "\n")
                }
            }
        case .matrix(let series):
            for se in series {
                if output == "jsonl" {
                    out.write("{\"metric\":" + ResultJSON.labelsObject(se.labels) + ",\"values\":[" + se.points.map {
                        "[\"\(TimeArgument.format($0.0))\",\"\(ResultJSON.number($0.1))\"]"
                    }.joined(separator: ",") + "]}\n")
                } else {
                    for p in se.points {
                        out.write(TimeArgument.format(p.0) + "\t" + labelText(se.labels) + "\t" + ResultJSON.number(p.1) + "\n")
                    }
                }
            }
        case .vector(let samples):
            for v in samples {
                if output == "jsonl" {
                    out.write("{\"metric\":" + ResultJSON.labelsObject(v.labels) + ",\"value\":[\"\(TimeArgument.format(v.timestamp))\",\"\(ResultJSON.number(v.value))\"]}\n")
                } else {
                    out.write(labelText(v.labels) + "\t" + ResultJSON.number(v.value) + "\n")
                }
            }
        case .scalar(_, let v):
            out.write(ResultJSON.number(v) + "\n")
        }
    }

    func labelText(_ labels: [Label]) -> String {
        "{" + labels.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }
}

/// Buffered stdout writer on bytes.
final class OutputBuffer {
    var buf: [UInt8] = []

    func write(_ b: UnsafeRawBufferPointer) {
        buf.append(contentsOf: b)
        if buf.count >= 1 << 16 { flush() }
    }

    func write(_ s: String) {
        buf.append(contentsOf: s.utf8)
        if buf.count >= 1 << 16 { flush() }
    }

    func write(newline: Void) { buf.append(10) }

    func flush() {
        buf.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Foundation.write(1, b.baseAddress! + off, b.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buf.removeAll(keepingCapacity: true)
    }
}

/// The record format `logcli query --output jsonl` writes (and `mclog import --format jsonl` reads).
enum JSONLine {
    static func record(labels: [Label], timestamp: Int64, line: String) -> String {
        let l = labels.map { "\(ResultJSON.quote($0.name)):\(ResultJSON.quote($0.value))" }.joined(separator: ",")
        return "{\"labels\":{\(l)},\"timestamp\":\"\(TimeArgument.format(timestamp))\",\"line\":\(ResultJSON.quote(line))}\n"
    }
}
