import Foundation
import Testing
import TraceStore

/// `mclog traces compact`: one compaction and retention pass over a store no server has open.
@Suite struct TracesCompactCLITests {
    static func span(_ trace: UInt64, _ id: UInt64, parent: UInt64 = 0, _ name: String, start: Int64) -> ResourceSpans {
        let s = Span(traceID: TraceID(high: 7, low: trace), spanID: SpanID(id), parentSpanID: SpanID(parent), name: name,
                     start: start, end: start + 1_000_000)
        return ResourceSpans(resource: [Attribute("service.name", .string("svc"))],
                             scopes: [ScopeSpans(scope: InstrumentationScope(name: "t"), spans: [s])])
    }

    @Test func compactsJoinsPartsAndAppliesRetention() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let day: Int64 = 86_400_000_000_000
        var o = TraceStoreOptions()
        o.backgroundIntervalSeconds = 0
        do {
            let store = try TraceStore(directory: dir + "/traces", options: o)
            try store.append(tenant: "fake", [Self.span(1, 1, "old", start: now - 40 * day)])
            try store.flush()
            try store.append(tenant: "fake", [Self.span(2, 2, "root", start: now - day)])
            try store.flush()
            try store.append(tenant: "fake", [Self.span(2, 3, parent: 2, "child", start: now - day + 1000)])
            try store.flush()
            // Still in the WAL: the command flushes it first.
            try store.append(tenant: "fake", [Self.span(2, 4, parent: 3, "grandchild", start: now - day + 2000)])
            // While a process has the store open, the command refuses.
            let busy = try CLI.run(["traces", "compact", "--data", dir])
            #expect(busy.status != 0)
            #expect(busy.stderr.contains("in use by another mclog process"), "\(busy.stderr)")
            store.close()
        }
        let r = try CLI.run(["traces", "compact", "--data", dir, "--retention", "14d"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("traces: tenant fake: retention 14d deleted 1 block (1 spans)"), "\(r.stderr)")
        #expect(r.stderr.contains("traces: tenant fake: compacted 3 blocks (3 spans"), "\(r.stderr)")
        #expect(r.stderr.contains("traces: 3 blocks before, 1 after (3 merged into 1, 1 deleted by retention); 1 traces, 3 spans"),
                "\(r.stderr)")
        let store = try TraceStore(directory: dir + "/traces", options: o, readOnly: true)
        defer { store.close() }
        #expect(store.stats().blocks == 1)
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 7, low: 1)) == nil)
        #expect(try store.trace(tenant: "fake", id: TraceID(high: 7, low: 2))?.spanCount == 3)
        let bad = try CLI.run(["traces", "compact", "--data", dir, "--retention", "soon"])
        #expect(bad.status != 0 && bad.stderr.contains("--retention: invalid duration \"soon\""), "\(bad.stderr)")
    }
}
