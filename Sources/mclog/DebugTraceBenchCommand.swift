import ArgumentParser
import Foundation
import TraceStore

/// Hidden: the span store's benchmark (`Benchmarks/traces.sh`). Generates traces of 10 spans over 20 services,
/// sends them through the OTLP protobuf decoder into a store, and measures ingest per CPU-second (reference in the
/// same run: decoding alone), trace-by-id latency from blocks, and a search by service and duration.
struct DebugTraceBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-trace-bench", abstract: "Span store benchmark.", shouldDisplay: false)

    @OptionGroup var data: DataOptions
    @Option var spans: Int = 1_000_000
    @Option(help: "Spans per OTLP request.")
    var batch: Int = 1000
    @Option var lookups: Int = 2000

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
            + Double(u.ru_stime.tv_usec) / 1e6
    }

    static func wall() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Request `r` of the synthetic workload, as OTLP protobuf bytes.
    static func request(_ r: Int, batch: Int) -> [UInt8] {
        let base: Int64 = 1_767_225_600_000_000_000  // 2026-01-01
        var byService: [Int: [Span]] = [:]
        var rng = SystemRandomNumberGenerator()
        for i in 0..<batch {
            let n = r * batch + i
            let trace = n / 10, pos = n % 10
            let service = (trace * 7 + pos) % 20
            var s = Span(traceID: TraceID(high: 0x5eed_0000_0000_0000 | UInt64(trace >> 32), low: UInt64(trace) &* 0x9E37_79B9_7F4A_7C15),
                         spanID: SpanID(UInt64(n + 1)), parentSpanID: SpanID(pos == 0 ? 0 : UInt64(trace * 10 + 1)),
                         name: "op-\((trace + pos) % 50)", start: 0, end: 0)
            let start = base + Int64(trace) * 1_000_000 + Int64(pos) * 100_000
            let durMs = pos == 0 ? Int64(50 + trace % 3000) : Int64(1 + (trace * 31 + pos * 17) % 900)
            s.start = start
            s.end = start + durMs * 1_000_000 + Int64.random(in: 0..<1000, using: &rng)
            s.kind = pos == 0 ? .server : .client
            s.status = trace % 97 == 0 && pos == 3 ? .error : .unset
            s.attributes = [Attribute("http.method", .string(pos % 3 == 0 ? "POST" : "GET")),
                            Attribute("http.status_code", .int(s.status == .error ? 500 : 200)),
                            Attribute("http.route", .string("/api/v1/items/\((trace + pos) % 50)")),
                            Attribute("user.id", .string("u\(trace % 100_000)"))]
            byService[service, default: []].append(s)
        }
        let batches = byService.keys.sorted().map { svc in
            ResourceSpans(resource: [Attribute("service.name", .string("svc-\(svc)")),
                                     Attribute("host.name", .string("node-\(svc % 4)"))],
                          scopes: [ScopeSpans(scope: InstrumentationScope(name: "bench", version: "1"), spans: byService[svc]!)])
        }
        return OTLPProtobuf.encode(batches)
    }

    func run() throws {
        let requests = spans / batch
        let bodies = (0..<requests).map { Self.request($0, batch: batch) }
        let bytes = bodies.reduce(0) { $0 + $1.count }
        print("workload: \(requests * batch) spans, \(requests) OTLP requests, \(bytes / 1_000_000) MB protobuf")

        // Reference: decoding alone into `Span`s (the ingest path itself transcodes protobuf to chunks without them).
        var c0 = Self.cpuSeconds()
        var n = 0
        for b in bodies { n += try OTLPProtobuf.decode(b).reduce(0) { $0 + $1.spanCount } }
        let decodeCPU = Self.cpuSeconds() - c0
        print(String(format: "decode only: %.0f spans per CPU-second", Double(n) / decodeCPU))

        let dir = data.directory + "/traces"
        try? FileManager.default.removeItem(atPath: dir)
        var options = TraceStoreOptions()
        options.backgroundIntervalSeconds = 0  // cut and flushed below; the head grows to maxHeadBytes
        let store = try TraceStore(directory: dir, options: options)
        c0 = Self.cpuSeconds()
        var w0 = Self.wall()
        for b in bodies {
            let r = try store.append(tenant: "bench", try OTLPProtobuf.decodeTraces(b, limits: options.limits))
            precondition(r.rejectedSpans == 0, r.message)
        }
        let ingestCPU = Self.cpuSeconds() - c0
        let ingestWall = Self.wall() - w0
        c0 = Self.cpuSeconds()
        w0 = Self.wall()
        try store.flush()
        let flushCPU = Self.cpuSeconds() - c0
        let flushWall = Self.wall() - w0
        let st = store.stats()
        print(String(format: "ingest (decode + WAL fsync + head): %.0f spans per CPU-second (%.2fx decode-only), %.0f spans/s wall",
                     Double(n) / ingestCPU, decodeCPU / ingestCPU, Double(n) / ingestWall))
        print(String(format: "flush to blocks: %.2f CPU-s, %.2f s wall; %.0f spans per CPU-second including flush; %d blocks, %d MB",
                     flushCPU, flushWall, Double(n) / (ingestCPU + flushCPU), st.blocks, st.blockBytes / 1_000_000))
        store.close()

        // Reopen: every read below comes from blocks.
        let reader = try TraceStore(directory: dir, options: options, readOnly: true)
        var lat: [Double] = []
        let traces = n / 10
        for i in 0..<lookups {
            let t = (i * 7919) % traces
            let id = TraceID(high: 0x5eed_0000_0000_0000 | UInt64(t >> 32), low: UInt64(t) &* 0x9E37_79B9_7F4A_7C15)
            let s = Self.wall()
            let tr = try reader.trace(tenant: "bench", id: id)
            lat.append(Self.wall() - s)
            precondition(tr?.spanCount == 10, "trace \(t) has \(tr?.spanCount ?? 0) spans")
        }
        lat.sort()
        let missStart = Self.wall()
        for i in 0..<lookups { _ = try reader.trace(tenant: "bench", id: TraceID(high: 1, low: UInt64(i))) }
        let miss = (Self.wall() - missStart) / Double(lookups)
        print(String(format: "trace by id from blocks (%d lookups): p50 %.3f ms, p99 %.3f ms, max %.3f ms; absent id %.4f ms",
                     lookups, lat[lat.count / 2] * 1e3, lat[lat.count * 99 / 100] * 1e3, lat.last! * 1e3, miss * 1e3))

        for (label, q) in [("service + duration", #"{ resource.service.name = "svc-3" && duration > 500ms }"#),
                           ("error + attribute", #"{ status = error && span.http.status_code >= 500 }"#),
                           ("structural", #"{ kind = server && resource.service.name = "svc-0" } >> { duration > 800ms }"#)] {
            var req = TraceSearchRequest(query: try TraceQL.parse(q))
            req.limit = 20
            for pass in ["cold", "warm"] {
                let c = Self.cpuSeconds(), s = Self.wall()
                let r = try reader.search(tenant: "bench", req)
                print(String(format: "search %@ (%@ index): %.0f ms wall, %.0f ms CPU, %d spans inspected, %d traces returned",
                             label, pass, (Self.wall() - s) * 1e3, (Self.cpuSeconds() - c) * 1e3, r.inspectedSpans, r.traces.count))
            }
        }
        reader.close()
    }
}
