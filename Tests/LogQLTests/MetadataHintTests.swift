import Foundation
import Testing
@testable import LogQL
import LogStore

/// Label filters on structured metadata become page-skip hints for the store, only where they stay exact.
@Suite struct MetadataHintTests {
    @Test("hints come from equality filters before any stage that can change labels", arguments: [
        (#"{job="api"} | trace_id="abc""#, ["trace_id=abc"]),
        (#"{job="api"} |= "GET" | trace_id="abc" | status="500""#, ["trace_id=abc", "status=500"]),
        (#"{job="api"} | trace_id="abc", status="500""#, ["trace_id=abc", "status=500"]),
        (#"{job="api"} | trace_id="abc" and method="GET""#, ["trace_id=abc", "method=GET"]),
        // `or`, inequality, regex, numeric and empty values say nothing certain about a pair.
        (#"{job="api"} | trace_id="abc" or trace_id="def""#, []),
        (#"{job="api"} | trace_id!="abc""#, []),
        (#"{job="api"} | trace_id=~"abc.*""#, []),
        (#"{job="api"} | status=500"#, []),
        (#"{job="api"} | trace_id="""#, []),
        (#"{job="api"} | __error__="""#, []),
        // A parser or formatter before the filter: the label might come from the line.
        (#"{job="api"} | json | trace_id="abc""#, []),
        (#"{job="api"} | logfmt | trace_id="abc""#, []),
        (#"{job="api"} | label_format trace_id="{{.x}}" | trace_id="abc""#, []),
        (#"{job="api"} | line_format "{{.x}}" | trace_id="abc""#, []),
        // Filters before a parser still count.
        (#"{job="api"} | trace_id="abc" | json | user="u""#, ["trace_id=abc"]),
    ])
    func hints(_ query: String, _ expected: [String]) throws {
        guard case .log(let q) = try Parser.parse(query) else {
            Issue.record("not a log query")
            return
        }
        #expect(q.metadataHints().map { "\($0.name)=\($0.value)" } == expected)
    }

    /// 6000 backend-api lines over ~30 pages; a trace id on two of them, one of which also names it in its JSON
    /// body. Another stream carries the trace id as a stream label.
    static func makeStore() throws -> LogStore {
        let dir = NSTemporaryDirectory() + "mclog-hints-" + UUID().uuidString
        var o = StoreOptions()
        o.maintenanceIntervalSeconds = 0
        o.pageSize = 8192
        let store = try LogStore(directory: dir, options: o)
        var b = EntryBatch()
        for i in 0..<6000 {
            let trace = i == 1234 || i == 4321 ? "4bf92f3577b34da6a3ce929d0e0e4736" : String(format: "%032x", i)
            let line = i == 4321 ? #"{"msg":"upstream timeout","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#
                : #"{"msg":"request \#(i)","status":200}"#
            b.append(timestamp: Int64(i + 1) * 1_000_000_000, line: line, metadata: [Label("trace_id", trace)])
        }
        var other = EntryBatch()
        other.append(timestamp: 500_000_000_000, line: "from a labelled stream")
        try store.append(tenant: "fake", [
            (try LabelSet([Label("job", "backend-api")]), b),
            (try LabelSet([Label("job", "backend-api"), Label("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")]), other),
        ])
        try store.flush()
        return store
    }

    static let store = try! makeStore()

    static func run(_ q: String) throws -> ([String], QueryStats) {
        let (r, stats) = try Engine(store: store).execute(q, QueryParams(start: 0, end: 10_000 * 1_000_000_000, limit: 1000,
                                                                      direction: .forward))
        guard case .streams(let streams) = r else { return (["not streams"], stats) }
        return (streams.flatMap { s in s.entries.map { "\($0.0 / 1_000_000_000) \($0.1)" } }.sorted(), stats)
    }

    @Test func metadataFilterSkipsPagesAndReturnsExactlyTheMatchingLines() throws {
        let (lines, stats) = try Self.run(#"{job="backend-api"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736""#)
        #expect(lines == ["1235 {\"msg\":\"request 1234\",\"status\":200}",
                          "4322 {\"msg\":\"upstream timeout\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}",
                          "500 from a labelled stream"])
        #expect(stats.store.pagesTotal > 20)
        // Two pages hold the trace id, the labelled stream's page cannot be skipped; a false pass or two at most.
        #expect(stats.store.pagesScanned <= 5)
        #expect(stats.store.pagesSkippedByMetadata == stats.store.pagesTotal - stats.store.pagesScanned)
    }

    @Test func withoutTheHintEveryPageIsReadAndTheAnswerIsTheSame() throws {
        // `| json` first: trace_id may come from the line, so no hint; the parsed value shadows the metadata.
        let (lines, stats) = try Self.run(#"{job="backend-api"} | json | trace_id="4bf92f3577b34da6a3ce929d0e0e4736""#)
        #expect(stats.store.pagesSkippedByMetadata == 0)
        #expect(stats.store.pagesScanned == stats.store.pagesTotal)
        #expect(lines.count == 3)
        // A value no entry has: the labelled stream's label is another value and its page has no metadata.
        let (none, noneStats) = try Self.run(#"{job="backend-api"} | trace_id="ffffffffffffffffffffffffffffffff""#)
        #expect(none.isEmpty)
        #expect(noneStats.store.pagesScanned <= 3)
    }

    @Test func metricQueriesUseTheHintToo() throws {
        let (r, stats) = try Engine(store: Self.store).execute(
            #"sum(count_over_time({job="backend-api"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736" [10000s]))"#,
            QueryParams(start: 10_000 * 1_000_000_000, end: 10_000 * 1_000_000_000, instant: true))
        guard case .vector(let v) = r else {
            Issue.record("not a vector")
            return
        }
        #expect(v.map(\.value) == [3])
        #expect(stats.store.pagesSkippedByMetadata > 0)
    }
}
