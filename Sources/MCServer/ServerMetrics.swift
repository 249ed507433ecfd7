import Foundation
import LogQL
import LogStore

/// The server's own counters and latency histograms, rendered with the store's for `/metrics` (Prometheus text
/// format 0.0.4). Thread-safe.
final class ServerMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: Int] = [:]  // "route\u{0}status"
    private var errors: [Int: Int] = [:]
    private var queryLatency: [String: Histogram] = [:]  // by query type
    private var requestLatency: [String: Histogram] = [:]  // by route
    private var pagesScanned = 0, pagesSkippedByTime = 0, pagesSkippedByBloom = 0
    private var bytesProcessed = 0, linesProcessed = 0
    private var pushRejected: [String: Int] = [:]

    /// Seconds, Prometheus' default buckets.
    static let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0
        mutating func observe(_ v: Double) {
            for (i, b) in ServerMetrics.buckets.enumerated() where v <= b { counts[i] += 1 }
            sum += v
            count += 1
        }
    }

    func recordRequest(route: String, status: Int, seconds: Double) {
        lock.lock()
        requests[route + "\u{0}" + String(status), default: 0] += 1
        requestLatency[route, default: Histogram()].observe(seconds)
        lock.unlock()
    }

    func recordError(status: Int) {
        lock.lock()
        errors[status, default: 0] += 1
        lock.unlock()
    }

    func recordPushRejected(reason: String) {
        lock.lock()
        pushRejected[reason, default: 0] += 1
        lock.unlock()
    }

    func recordQuery(type: String, stats: QueryStats) {
        lock.lock()
        queryLatency[type, default: Histogram()].observe(stats.execSeconds)
        pagesScanned += stats.store.pagesScanned
        pagesSkippedByTime += stats.store.pagesSkippedByTime
        pagesSkippedByBloom += stats.store.pagesSkippedByBloom
        bytesProcessed += stats.bytesProcessed
        linesProcessed += stats.linesProcessed
        lock.unlock()
    }

    /// The exposition text, including the store's ingest counters, WAL fsyncs, blocks and compaction, and the
    /// file tailers' per-source counters when tailers run in this process.
    func render(store: LogStore, tailers: [(name: String, entries: Int, bytes: Int, files: Int)] = []) -> String {
        let sm = store.metrics
        let st = store.stats()
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        func histogram(_ name: String, _ label: String, _ h: [String: Histogram]) {
            for (k, v) in h.sorted(by: { $0.key < $1.key }) {
                for (i, b) in Self.buckets.enumerated() {
                    out += "\(name)_bucket{\(label)=\"\(esc(k))\",le=\"\(b)\"} \(v.counts[i])\n"
                }
                out += "\(name)_bucket{\(label)=\"\(esc(k))\",le=\"+Inf\"} \(v.count)\n"
                out += "\(name)_sum{\(label)=\"\(esc(k))\"} \(v.sum)\n\(name)_count{\(label)=\"\(esc(k))\"} \(v.count)\n"
            }
        }
        family("mclog_ingest_lines_total", "counter", "Lines accepted into the store, by tenant.")
        for (t, v) in sm.linesByTenant.sorted(by: { $0.key < $1.key }) { out += "mclog_ingest_lines_total{tenant=\"\(esc(t))\"} \(v)\n" }
        family("mclog_ingest_bytes_total", "counter", "Raw line bytes accepted into the store, by tenant.")
        for (t, v) in sm.bytesByTenant.sorted(by: { $0.key < $1.key }) { out += "mclog_ingest_bytes_total{tenant=\"\(esc(t))\"} \(v)\n" }
        family("mclog_wal_fsync_duration_seconds", "summary", "Time spent in WAL fsyncs (group commits).")
        out += "mclog_wal_fsync_duration_seconds_sum \(sm.fsyncSeconds)\nmclog_wal_fsync_duration_seconds_count \(sm.fsyncCount)\n"
        if !tailers.isEmpty {
            family("mclog_tailer_entries_total", "counter", "Entries the file tailers stored, by source.")
            for t in tailers { out += "mclog_tailer_entries_total{source=\"\(esc(t.name))\"} \(t.entries)\n" }
            family("mclog_tailer_bytes_total", "counter", "Line bytes the file tailers stored, by source.")
            for t in tailers { out += "mclog_tailer_bytes_total{source=\"\(esc(t.name))\"} \(t.bytes)\n" }
            family("mclog_tailer_files", "gauge", "Files tailed now, by source.")
            for t in tailers { out += "mclog_tailer_files{source=\"\(esc(t.name))\"} \(t.files)\n" }
        }
        family("mclog_blocks", "gauge", "Blocks in the store.")
        out += "mclog_blocks \(st.blocks)\n"
        family("mclog_streams", "gauge", "Streams in the store (blocks and head).")
        out += "mclog_streams \(st.streams)\n"
        family("mclog_head_bytes", "gauge", "Raw bytes in the in-memory head, not yet in blocks.")
        out += "mclog_head_bytes \(st.headBytes)\n"
        family("mclog_stored_bytes", "gauge", "Compressed bytes in blocks.")
        out += "mclog_stored_bytes \(st.storedBytes)\n"
        family("mclog_blocks_flushed_total", "counter", "Blocks written from the head.")
        out += "mclog_blocks_flushed_total \(sm.blocksFlushed)\n"
        family("mclog_compaction_blocks_merged_total", "counter", "Blocks written by compaction.")
        out += "mclog_compaction_blocks_merged_total \(sm.blocksCompacted)\n"
        family("mclog_blocks_deleted_total", "counter", "Blocks deleted by compaction and retention.")
        out += "mclog_blocks_deleted_total \(sm.blocksDeleted)\n"

        lock.lock()
        defer { lock.unlock() }
        family("mclog_push_rejected_total", "counter", "Push requests rejected, by reason.")
        for (r, v) in pushRejected.sorted(by: { $0.key < $1.key }) { out += "mclog_push_rejected_total{reason=\"\(r)\"} \(v)\n" }
        family("mclog_query_pages_scanned_total", "counter", "Pages decompressed by queries.")
        out += "mclog_query_pages_scanned_total \(pagesScanned)\n"
        family("mclog_query_pages_skipped_total", "counter", "Pages queries skipped without decompressing, by reason.")
        out += "mclog_query_pages_skipped_total{reason=\"time\"} \(pagesSkippedByTime)\n"
        out += "mclog_query_pages_skipped_total{reason=\"bloom\"} \(pagesSkippedByBloom)\n"
        family("mclog_query_bytes_processed_total", "counter", "Line bytes processed by queries.")
        out += "mclog_query_bytes_processed_total \(bytesProcessed)\n"
        family("mclog_query_lines_processed_total", "counter", "Lines processed by queries.")
        out += "mclog_query_lines_processed_total \(linesProcessed)\n"
        family("mclog_query_duration_seconds", "histogram", "Query execution time, by query type.")
        histogram("mclog_query_duration_seconds", "type", queryLatency)
        family("mclog_request_duration_seconds", "histogram", "HTTP request time, by route.")
        histogram("mclog_request_duration_seconds", "route", requestLatency)
        family("mclog_requests_total", "counter", "HTTP requests, by route and status.")
        for (k, v) in requests.sorted(by: { $0.key < $1.key }) {
            let p = k.split(separator: "\u{0}", maxSplits: 1)
            out += "mclog_requests_total{route=\"\(esc(String(p[0])))\",status=\"\(p[1])\"} \(v)\n"
        }
        family("mclog_request_errors_total", "counter", "HTTP requests answered with an error, by status.")
        for (s, v) in errors.sorted(by: { $0.key < $1.key }) { out += "mclog_request_errors_total{status=\"\(s)\"} \(v)\n" }
        return out
    }
}
