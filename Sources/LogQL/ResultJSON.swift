import LogStore

/// Loki's JSON shapes for query results: the `data` object of `/loki/api/v1/query_range` and `/query`.
/// The CLI's `--output json` prints exactly this, so CLI and API results compare byte for byte.
public enum ResultJSON {
    /// With `categorizeLabels` (Loki's `categorize-labels` encoding flag) the object starts with
    /// `"encodingFlags":["categorize-labels"]` and each log entry with structured metadata or parsed labels is
    /// `[ts, line, {"structuredMetadata":{…},"parsed":{…}}]` (each key only when non-empty).
    public static func data(_ result: QueryResult, _ stats: QueryStats, categorizeLabels: Bool = false) -> String {
        String(decoding: dataBytes(result, stats, categorizeLabels: categorizeLabels), as: UTF8.self)
    }

    /// `data` as UTF-8 bytes, written into one growing buffer: a 5,000-line answer would otherwise build and
    /// concatenate a few Strings per line, which cost more than the query itself.
    public static func dataBytes(_ result: QueryResult, _ stats: QueryStats, categorizeLabels: Bool = false) -> [UInt8] {
        var w = JSONWriter()
        w.reserve(estimatedSize(result))
        w.raw(categorizeLabels ? "{\"encodingFlags\":[\"categorize-labels\"]," : "{")
        w.raw("\"resultType\":\"\(result.typeName)\",\"result\":")
        // A scalar is the [time, "value"] pair itself; the other types are lists.
        if case .scalar = result {} else { w.byte(0x5B) }
        switch result {
        case .streams(let streams):
            for (i, s) in streams.enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.raw("{\"stream\":")
                w.labels(s.labels)
                w.raw(",\"values\":[")
                for (j, e) in s.entries.enumerated() {
                    if j > 0 { w.byte(0x2C) }
                    // Without the categorize-labels flag Loki returns [ts, line]; structured metadata and parsed
                    // labels are then in the stream's labels.
                    w.raw("[\"")
                    w.integer(e.timestamp)
                    w.raw("\",")
                    w.string(e.line)
                    if categorizeLabels && !(e.metadata.isEmpty && e.parsed.isEmpty) {
                        w.raw(",{")
                        if !e.metadata.isEmpty {
                            w.raw("\"structuredMetadata\":")
                            w.labels(e.metadata)
                        }
                        if !e.parsed.isEmpty {
                            if !e.metadata.isEmpty { w.byte(0x2C) }
                            w.raw("\"parsed\":")
                            w.labels(e.parsed)
                        }
                        w.byte(0x7D)
                    }
                    w.byte(0x5D)
                }
                w.raw("]}")
            }
        case .matrix(let series):
            for (i, s) in series.enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.raw("{\"metric\":")
                w.labels(s.labels)
                w.raw(",\"values\":[")
                for (j, p) in s.points.enumerated() {
                    if j > 0 { w.byte(0x2C) }
                    w.sample(p.0, p.1)
                }
                w.raw("]}")
            }
        case .vector(let samples):
            for (i, s) in samples.enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.raw("{\"metric\":")
                w.labels(s.labels)
                w.raw(",\"value\":")
                w.sample(s.timestamp, s.value)
                w.byte(0x7D)
            }
        case .scalar(let t, let v):
            w.sample(t, v)
        }
        if case .scalar = result {} else { w.byte(0x5D) }
        w.raw(",\"stats\":")
        w.raw(statsObject(stats))
        w.byte(0x7D)
        return w.bytes
    }

    /// Roughly the answer's size, so the buffer grows once or twice rather than doubling from empty.
    private static func estimatedSize(_ result: QueryResult) -> Int {
        switch result {
        case .streams(let streams):
            return streams.reduce(4096) { acc, s in s.entries.reduce(acc + 256) { $0 + $1.line.utf8.count + 32 } }
        case .matrix(let series): return series.reduce(4096) { $0 + 256 + $1.points.count * 32 }
        case .vector(let samples): return 4096 + samples.count * 256
        case .scalar: return 4096
        }
    }

    /// Loki's `stats` object: `summary`, `querier.store`, `ingester`, `cache`, `index` with the fields strict
    /// clients read; mclog adds `pagesScanned`/`pagesSkipped` to `querier.store.chunk`.
    static func statsObject(_ s: QueryStats) -> String {
        let exec = s.execSeconds
        let bps = exec > 0 ? Int(Double(s.bytesProcessed) / exec) : 0
        let lps = exec > 0 ? Int(Double(s.linesProcessed) / exec) : 0
        let st = s.store
        let chunk = "{\"headChunkBytes\":0,\"headChunkLines\":0,\"decompressedBytes\":\(st.decompressedBytes),\"decompressedLines\":\(st.linesScanned),\"compressedBytes\":\(st.compressedBytes),\"totalDuplicates\":0,\"postFilterLines\":\(s.postFilterLines),\"headChunkStructuredMetadataBytes\":0,\"decompressedStructuredMetadataBytes\":0,\"pagesScanned\":\(st.pagesScanned),\"pagesSkippedByTime\":\(st.pagesSkippedByTime),\"pagesSkippedByBloom\":\(st.pagesSkippedByBloom)}"
        let store = "{\"totalChunksRef\":\(st.pagesTotal),\"totalChunksDownloaded\":\(st.pagesScanned),\"chunksDownloadTime\":0,\"queryReferencedStructuredMetadata\":false,\"chunk\":\(chunk),\"chunkRefsFetchTime\":0,\"congestionControlLatency\":0,\"pipelineWrapperFilteredLines\":0}"
        let emptyChunk = "{\"headChunkBytes\":0,\"headChunkLines\":0,\"decompressedBytes\":0,\"decompressedLines\":0,\"compressedBytes\":0,\"totalDuplicates\":0,\"postFilterLines\":0,\"headChunkStructuredMetadataBytes\":0,\"decompressedStructuredMetadataBytes\":0}"
        let ingester = "{\"totalReached\":0,\"totalChunksMatched\":0,\"totalBatches\":0,\"totalLinesSent\":0,\"store\":{\"totalChunksRef\":0,\"totalChunksDownloaded\":0,\"chunksDownloadTime\":0,\"queryReferencedStructuredMetadata\":false,\"chunk\":\(emptyChunk),\"chunkRefsFetchTime\":0,\"congestionControlLatency\":0,\"pipelineWrapperFilteredLines\":0}}"
        let cacheEntry = "{\"entriesFound\":0,\"entriesRequested\":0,\"entriesStored\":0,\"bytesReceived\":0,\"bytesSent\":0,\"requests\":0,\"downloadTime\":0,\"queryLengthServed\":0}"
        let cache = "{" + ["chunk", "index", "result", "statsResult", "volumeResult", "seriesResult", "labelResult", "instantMetricResult"]
            .map { "\"\($0)\":\(cacheEntry)" }.joined(separator: ",") + "}"
        let summary = "{\"bytesProcessedPerSecond\":\(bps),\"linesProcessedPerSecond\":\(lps),\"totalBytesProcessed\":\(s.bytesProcessed),\"totalLinesProcessed\":\(s.linesProcessed),\"execTime\":\(exec),\"queueTime\":0,\"subqueries\":0,\"totalEntriesReturned\":\(s.entriesReturned),\"splits\":0,\"shards\":0,\"totalPostFilterLines\":\(s.postFilterLines),\"totalStructuredMetadataBytesProcessed\":0}"
        return "{\"summary\":\(summary),\"querier\":{\"store\":\(store)},\"ingester\":\(ingester),\"cache\":\(cache),\"index\":{\"totalChunks\":\(st.pagesTotal),\"postFilterChunks\":\(st.pagesScanned),\"shardsDuration\":0,\"usedBloomFilters\":\(st.pagesSkippedByBloom > 0)}}"
    }

    /// `{"name":"value",…}`
    public static func labelsObject(_ labels: [Label]) -> String {
        var w = JSONWriter()
        w.labels(labels)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Unix seconds with up to nanosecond fraction, as a JSON number (`1700000000.5`).
    static func seconds(_ ns: Int64) -> String {
        let s = ns / 1_000_000_000, f = ns % 1_000_000_000
        if f == 0 { return String(s) }
        var frac = String(abs(f))
        frac = String(repeating: "0", count: 9 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return (ns < 0 && s == 0 ? "-" : "") + String(s) + "." + frac
    }

    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest, no exponent; NaN and ±Inf as Prometheus writes them.
    public static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e21 { return String(format: "%.0f", v) }
        var s = "\(v)"
        if s.contains("e") {
            // Swift uses exponents for very small/large values; expand them.
            s = String(format: "%.17f", v)
            while s.hasSuffix("0") { s.removeLast() }
        }
        return s
    }

    /// A JSON string literal, escaped as Go's encoding/json does for the characters Loki's lines contain.
    public static func quote(_ s: String) -> String {
        var w = JSONWriter()
        w.string(s)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

import Foundation
