import LogStore

/// Loki's JSON shapes for query results: the `data` object of `/loki/api/v1/query_range` and `/query`.
/// The CLI's `--output json` prints exactly this, so CLI and API results compare byte for byte.
public enum ResultJSON {
    /// With `categorizeLabels` (Loki's `categorize-labels` encoding flag) the object starts with
    /// `"encodingFlags":["categorize-labels"]` and each log entry with structured metadata or parsed labels is
    /// `[ts, line, {"structuredMetadata":{…},"parsed":{…}}]` (each key only when non-empty).
    public static func data(_ result: QueryResult, _ stats: QueryStats, categorizeLabels: Bool = false) -> String {
        var out = categorizeLabels ? "{\"encodingFlags\":[\"categorize-labels\"]," : "{"
        out += "\"resultType\":\"\(result.typeName)\",\"result\":"
        switch result {
        case .streams(let streams):
            out += "["
            for (i, s) in streams.enumerated() {
                if i > 0 { out += "," }
                out += "{\"stream\":" + labelsObject(s.labels) + ",\"values\":["
                for (j, e) in s.entries.enumerated() {
                    if j > 0 { out += "," }
                    // Without the categorize-labels flag Loki returns [ts, line]; structured metadata and parsed
                    // labels are then in the stream's labels.
                    out += "[\"\(e.0)\"," + quote(e.1)
                    if categorizeLabels && !(e.metadata.isEmpty && e.parsed.isEmpty) {
                        var parts: [String] = []
                        if !e.metadata.isEmpty { parts.append("\"structuredMetadata\":" + labelsObject(e.metadata)) }
                        if !e.parsed.isEmpty { parts.append("\"parsed\":" + labelsObject(e.parsed)) }
                        out += ",{" + parts.joined(separator: ",") + "}"
                    }
                    out += "]"
                }
                out += "]}"
            }
            out += "]"
        case .matrix(let series):
            out += "["
            for (i, s) in series.enumerated() {
                if i > 0 { out += "," }
                out += "{\"metric\":" + labelsObject(s.labels) + ",\"values\":["
                out += s.points.map { "[\(seconds($0.0)),\"\(number($0.1))\"]" }.joined(separator: ",")
                out += "]}"
            }
            out += "]"
        case .vector(let samples):
            out += "[" + samples.map {
                "{\"metric\":" + labelsObject($0.labels) + ",\"value\":[\(seconds($0.timestamp)),\"\(number($0.value))\"]}"
            }.joined(separator: ",") + "]"
        case .scalar(let t, let v):
            out += "[\(seconds(t)),\"\(number(v))\"]"
        }
        out += ",\"stats\":" + statsObject(stats) + "}"
        return out
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
        let r = s.resultCache
        let result = "{\"entriesFound\":\(r.entriesFound),\"entriesRequested\":\(r.entriesRequested),\"entriesStored\":\(r.entriesStored),\"bytesReceived\":\(r.bytesReceived),\"bytesSent\":\(r.bytesSent),\"requests\":\(r.requests),\"downloadTime\":0,\"queryLengthServed\":\(r.queryLengthServed)}"
        let cache = "{" + ["chunk", "index", "result", "statsResult", "volumeResult", "seriesResult", "labelResult", "instantMetricResult"]
            .map { "\"\($0)\":\($0 == "result" ? result : cacheEntry)" }.joined(separator: ",") + "}"
        let summary = "{\"bytesProcessedPerSecond\":\(bps),\"linesProcessedPerSecond\":\(lps),\"totalBytesProcessed\":\(s.bytesProcessed),\"totalLinesProcessed\":\(s.linesProcessed),\"execTime\":\(exec),\"queueTime\":\(s.queueSeconds),\"subqueries\":0,\"totalEntriesReturned\":\(s.entriesReturned),\"splits\":\(s.splits),\"shards\":0,\"totalPostFilterLines\":\(s.postFilterLines),\"totalStructuredMetadataBytesProcessed\":0}"
        return "{\"summary\":\(summary),\"querier\":{\"store\":\(store)},\"ingester\":\(ingester),\"cache\":\(cache),\"index\":{\"totalChunks\":\(st.pagesTotal),\"postFilterChunks\":\(st.pagesScanned),\"shardsDuration\":0,\"usedBloomFilters\":\(st.pagesSkippedByBloom > 0)}}"
    }

    /// `{"name":"value",…}`
    public static func labelsObject(_ labels: [Label]) -> String {
        "{" + labels.map { quote($0.name) + ":" + quote($0.value) }.joined(separator: ",") + "}"
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

    /// A JSON string literal. Works on the UTF-8 bytes, copying the runs between escapes whole: a 5,000-line
    /// response quotes every line, and a per-scalar append was the slowest part of building it.
    public static func quote(_ s: String) -> String {
        var s = s
        return s.withUTF8 { buf -> String in
            var out = [UInt8]()
            out.reserveCapacity(buf.count + 16)
            out.append(0x22)
            var run = 0
            for i in 0..<buf.count {
                let c = buf[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i]))
                run = i + 1
                out.append(0x5C)
                switch c {
                case 0x22, 0x5C: out.append(c)
                case 0x0A: out.append(0x6E)  // \n
                case 0x0D: out.append(0x72)  // \r
                case 0x09: out.append(0x74)  // \t
                default:  // \u00XX, lower-case hex as Go writes it
                    out.append(0x75); out.append(0x30); out.append(0x30)
                    out.append(hexDigit(c >> 4)); out.append(hexDigit(c & 15))
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count]))
            out.append(0x22)
            return String(decoding: out, as: UTF8.self)
        }
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}

import Foundation
