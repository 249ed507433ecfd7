import ArgumentParser
import Foundation
import Ingest
import LogQL
import LogStore
import Storage

/// `mclog import`: whole files (plain or gzip) into one stream, or logcli JSONL exports into their own streams.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import log files into the store.",
        discussion: """
            Timestamps are parsed from each line by --format; a line without one takes the previous line's \
            timestamp (continuation lines stay with their entry), or the import time at the start of a file. \
            --format jsonl reads `logcli query --output jsonl` records with their own labels and timestamps.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: "Stream labels, e.g. '{job=\"nginx\",zone=\"kzone\"}' (ignored by --format jsonl).")
    var labels: String?

    @Option(help: "A log format (nginx-access, nginx-error, python, uvicorn, vllm, json, logfmt, kernel, syslog, plain, postgres, redis), a timestamp layout (auto, nginx, iso8601, slash, none) or jsonl.")
    var format: String = "auto"

    @Option(help: "Tenant id.")
    var tenant: String = Tenant.defaultID

    @Option(help: "Page codec for the blocks this import writes: zstd (default), lz4 (faster scans, larger) or none.")
    var codec: String = "zstd"

    @Argument(help: "Files to import (plain or .gz).")
    var files: [String]

    func run() throws {
        let jsonl = format == "jsonl"
        // A log format parses levels, metadata and multiline entries; the bare layouts only find timestamps.
        let logFormat = LogFormat(rawValue: format)
        guard jsonl || logFormat != nil || TimestampFormat(rawValue: format) != nil else {
            throw UsageError("unknown --format \(format): use \(LogFormat.names); auto, nginx, iso8601, slash, none; or jsonl")
        }
        var streamLabels: LabelSet?
        if !jsonl {
            guard let labels else { throw UsageError("--labels is required (e.g. --labels '{job=\"nginx\"}')") }
            do {
                streamLabels = try LabelSet(try Parser.parseLabels(labels))
            } catch let e as LogQLError {
                throw UsageError("--labels: " + e.render(query: labels))
            }
        }
        var options = StoreOptions()
        guard let c = Codec(name: codec) else { throw UsageError("unknown --codec \(codec): use zstd, lz4 or none") }
        options.codec = c
        let store = try LogStore(directory: data.directory, options: options)
        defer { store.close() }
        for d in store.openReport.damage { printError("warning: \(d)") }
        let progress = Progress()
        var importer = Importer(store: store, tenant: tenant, progress: progress)
        for path in files {
            if jsonl {
                try importer.importJSONL(path: path)
            } else if let logFormat {
                var source = SourceConfig(name: path, paths: [path], format: logFormat, tenant: tenant,
                                          labels: streamLabels!.labels)
                source.multiline.maxBytes = min(source.multiline.maxBytes, options.limits.maxLineSize)
                try importer.importDecoded(path: path, source: source)
            } else {
                try importer.importLines(path: path, labels: streamLabels!, parser: TimestampParser(format: TimestampFormat(rawValue: format)!))
            }
        }
        try importer.finishBatch()
        progress.update("flushing blocks…")
        try store.flush()
        progress.finish()
        let secs = progress.elapsed
        print(String(format: "imported %d lines (%@) from %d file(s) in %.2f s (%.1f MB/s) into %@",
                     importer.lines, megabytes(importer.bytes), files.count, secs,
                     Double(importer.bytes) / 1e6 / max(secs, 1e-9), data.directory))
    }
}

/// Reads files line by line on bytes and appends batches of ~4 MiB to the store.
struct Importer {
    let store: LogStore
    let tenant: String
    let progress: Progress
    var lines = 0
    var bytes = 0
    var pending: [LabelSet: EntryBatch] = [:]
    /// The stream being filled; lines of one file go here without a dictionary lookup per line.
    var current: (labels: LabelSet, batch: EntryBatch)?
    var pendingBytes = 0
    static let batchBytes = 4 << 20

    init(store: LogStore, tenant: String, progress: Progress) {
        self.store = store
        self.tenant = tenant
        self.progress = progress
    }

    mutating func finishBatch() throws {
        stash()
        guard !pending.isEmpty else { return }
        try store.append(tenant: tenant, pending.map { ($0.key, $0.value) })
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        let (l, b, s) = (lines, bytes, progress.elapsed)
        progress.update(String(format: "%d lines, %@, %.1f MB/s", l, megabytes(b), Double(b) / 1e6 / max(s, 1e-9)))
    }

    mutating func add(_ labels: LabelSet, _ ts: Int64, _ line: UnsafeRawBufferPointer, _ md: [Label] = []) throws {
        let limit = store.options.limits.maxLineSize
        if line.count > limit {
            throw UsageError("line \(lines + 1) is \(line.count) bytes, over the limit max_line_size=\(limit)")
        }
        if current?.labels != labels {
            stash()
            current = (labels, pending.removeValue(forKey: labels) ?? EntryBatch())
        }
        current!.batch.append(timestamp: ts, line: line, metadata: md)
        lines += 1
        bytes += line.count
        pendingBytes += line.count
        if pendingBytes >= Importer.batchBytes { try finishBatch() }
    }

    /// Moves the current stream's batch back into `pending`.
    mutating func stash() {
        if let c = current {
            pending[c.labels] = c.batch
            current = nil
        }
    }

    /// Calls `body` for every line of the file (without its newline; a final unterminated line included).
    static func forEachLine(path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let reader = try FileReader(path: path)
        var buf: [UInt8] = []
        var carry: [UInt8] = []
        while true {
            let n = try reader.read(into: &buf, capacity: 4 << 20)
            if n == 0 { break }
            try buf.withUnsafeBytes { b in
                let chunk = UnsafeRawBufferPointer(rebasing: b[0..<n])
                var start = 0
                while start < n, let nl = memchr(chunk.baseAddress! + start, 10, n - start) {
                    let end = chunk.baseAddress!.distance(to: UnsafeRawPointer(nl))
                    if carry.isEmpty {
                        try body(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                    } else {
                        carry.append(contentsOf: chunk[start..<end])
                        try carry.withUnsafeBytes { try body($0) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
                if start < n { carry.append(contentsOf: chunk[start..<n]) }
            }
        }
        if !carry.isEmpty { try carry.withUnsafeBytes { try body($0) } }
    }

    mutating func importLines(path: String, labels: LabelSet, parser: TimestampParser) throws {
        var previous: Int64?
        let importTime = TimeArgument.nowNanos()
        var index: Int64 = 0
        try Importer.forEachLine(path: path) { raw in
            var line = raw
            if let last = line.last, last == 13 { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            let ts = parser.parse(line) ?? previous ?? (importTime + index)
            previous = ts
            index += 1
            try add(labels, ts, line)
        }
    }

    /// Decodes a file with a log format's parser (levels, metadata, multiline) and appends batches of ~4 MiB.
    /// `startTime` (default now) fixes the year of formats without one and the time of lines without any.
    mutating func importDecoded(path: String, source: SourceConfig, startTime: Int64? = nil) throws {
        try finishBatch()
        let decoder = try LogDecoder(source: source, limits: store.options.limits, filename: path,
                                     startTime: startTime ?? TimeArgument.nowNanos())
        let reader = try FileReader(path: path)
        var buf: [UInt8] = []
        func append() throws {
            let batch = decoder.takeBatch()
            guard !batch.isEmpty else { return }
            try store.append(tenant: tenant, batch)
            let (l, b, s) = (lines, bytes, progress.elapsed)
            progress.update(String(format: "%d lines, %@, %.1f MB/s", l, megabytes(b), Double(b) / 1e6 / max(s, 1e-9)))
        }
        while true {
            let n = try reader.read(into: &buf, capacity: 4 << 20)
            if n == 0 { break }
            let before = decoder.entries
            try buf.withUnsafeBytes { try decoder.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            lines += decoder.entries - before
            bytes += n
            if decoder.bufferedBytes >= Importer.batchBytes { try append() }
        }
        let before = decoder.entries
        try decoder.finish()
        lines += decoder.entries - before
        try append()
    }

    mutating func importJSONL(path: String) throws {
        var lineNo = 0
        try Importer.forEachLine(path: path) { raw in
            lineNo += 1
            if raw.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
            let record: LogcliRecord
            do { record = try LogcliRecord.decode(raw) } catch {
                throw UsageError("\(path):\(lineNo): \(error)")
            }
            let labels: LabelSet
            do { labels = try LabelSet(record.labels.map { Label($0.name, $0.value) }) } catch {
                throw UsageError("\(path):\(lineNo): \(error)")
            }
            var text = record.line
            try text.withUTF8 { u in
                try add(labels, record.timestamp, UnsafeRawBufferPointer(u), record.metadata.map { Label($0.name, $0.value) })
            }
        }
    }
}
