import ArgumentParser
import Foundation
import LogQL
import LogStore

/// `mclog query`: a stream selector with line filters, read straight from the store.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a log query: '{job=\"nginx\"} |= \"error\"' (the selector may be written <job=\"nginx\">).")

    @OptionGroup var data: DataOptions

    @Argument(help: "The query.")
    var query: String

    @Option(help: "Start of the range: RFC3339, Unix s/ns, or a duration ago (1h).")
    var from: String?

    @Option(help: "End of the range (exclusive; default now).")
    var to: String?

    @Option(help: "Look back this far from --to when --from is absent (default 1h).")
    var since: String?

    @Option(help: "Most entries to print; 0 prints every match.")
    var limit: Int = 100

    @Option(help: "backward (newest first) or forward.")
    var direction: String = "backward"

    @Option(help: "raw or jsonl.")
    var output: String = "raw"

    @Option(help: "Tenant id.")
    var tenant: String = Tenant.defaultID

    @Flag(help: "Print query statistics to stderr.")
    var stats = false

    @Flag(help: "Read every page even where its bloom filter rules the literal out (measures raw scan speed).")
    var noBloom = false

    func run() throws {
        let selector: LogQuery
        do { selector = try Parser.parseLogQuery(query) } catch let e as LogQLError {
            printError(e.render(query: query))
            throw ExitCode(2)
        }
        guard let dir = Direction(rawValue: direction) else {
            throw UsageError("--direction must be forward or backward")
        }
        guard output == "raw" || output == "jsonl" else { throw UsageError("--output must be raw or jsonl") }
        guard limit >= 0 else { throw UsageError("--limit must be 0 (all) or positive") }
        let now = TimeArgument.nowNanos()
        let end = try to.map { try TimeArgument.instant($0, now: now) } ?? now
        let start = try from.map { try TimeArgument.instant($0, now: now) }
            ?? (end - (try TimeArgument.duration(since ?? "1h")))
        guard start < end else { throw UsageError("--from must be before --to") }
        let filter: LineFilter?
        do {
            let (f, covered) = try selector.pushdownFilter()
            guard covered.count == selector.stages.count else {
                throw LogQLError("this CLI runs stream selectors and line filters only so far; the stage \(selector.stages.enumerated().first { !covered.contains($0.offset) }!.element) is not supported yet")
            }
            filter = f
        } catch let e as LogQLError {
            printError(e.render(query: query))
            throw ExitCode(2)
        }
        let store = try LogStore(directory: data.directory, readOnly: true)
        defer { store.close() }
        let out = OutputBuffer()
        let jsonl = output == "jsonl"
        var request = SelectRequest(tenant: tenant, matchers: selector.matchers, from: start, to: end, direction: dir,
                                    filter: filter, limit: limit)
        request.useBloom = !noBloom
        let s = try store.select(request) { e in
            if jsonl {
                out.write(JSONLine.record(labels: e.labels, timestamp: e.timestamp, line: e.line))
            } else {
                out.write(e.line)
                out.write(newline: ())
            }
            return true
        }
        out.flush()
        if stats {
            printError(String(format: """
                streams %d, pages %d (scanned %d, skipped by time %d, by bloom %d, head %d), \
                lines scanned %d, %@ decompressed from %@, returned %d, %.3f s (%.2f GB/s)
                """, s.streams, s.pagesTotal, s.pagesScanned, s.pagesSkippedByTime, s.pagesSkippedByBloom, s.headPages,
                s.linesScanned, megabytes(s.decompressedBytes), megabytes(s.compressedBytes), s.entriesReturned,
                s.seconds, Double(s.decompressedBytes) / 1e9 / max(s.seconds, 1e-9)))
        }
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
    static func record(labels: LabelSet, timestamp: Int64, line: UnsafeRawBufferPointer) -> String {
        let l = labels.labels.map { "\(quote($0.name)):\(quote($0.value))" }.joined(separator: ",")
        return "{\"labels\":{\(l)},\"timestamp\":\"\(TimeArgument.format(timestamp))\",\"line\":\(quote(String(decoding: line, as: UTF8.self)))}\n"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
