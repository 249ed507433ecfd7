import Foundation
import LogQL
import LogStore
import Testing
@testable import MCServer

private let t0: Int64 = 1_700_000_000

@Suite struct TailSessionTests {
    func append(_ store: LogStore, _ rows: [(Int64, String)], job: String = "ai-engine", tenant: String = Tenant.defaultID) throws {
        var b = EntryBatch()
        for (ts, line) in rows { b.append(timestamp: ts, line: line) }
        try store.append(tenant: tenant, [(try LabelSet([Label("job", job)]), b)])
    }

    func parsed(_ message: String?) -> (lines: [String], dropped: Int) {
        guard let message, let obj = try? JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any],
            let streams = obj["streams"] as? [[String: Any]]
        else { return ([], -1) }
        #expect(obj.keys.contains("dropped_entries"))
        return (streams.flatMap { ($0["values"] as! [[String]]).map { $0[1] } }, (obj["dropped_entries"] as? [Any])?.count ?? 0)
    }

    func session(_ h: ServerHarness, _ q: String, limit: Int = 100, maxBuffered: Int = 100) throws -> TailSession {
        guard case .log(let query) = try Parser.parse(q) else { fatalError() }
        let s = try TailSession(engine: Engine(store: h.store), tenant: Tenant.defaultID, query: query, start: sec(t0),
                                limit: limit, maxBuffered: maxBuffered)
        _ = h.store.addAppendObserver { tenant, streams in s.offer(tenant: tenant, streams) }
        return s
    }

    @Test func sendsHistoryThenEveryAppendedEntryThatPassesOnce() throws {
        let h = try ServerHarness()
        defer { h.close() }
        try append(h.store, [(sec(t0), "old 1"), (sec(t0 + 1), "old 2"), (sec(t0 + 2), "old 3")])
        let s = try session(h, "{job=\"ai-engine\"} != \"skip\" | line_format \"{{.job}}: {{__line__}}\"", limit: 2)
        #expect(parsed(try s.history(now: sec(t0 + 10))).lines == ["ai-engine: old 2", "ai-engine: old 3"])
        #expect(s.drain() == nil)
        // Appended entries arrive whatever their timestamps (a client's clock may lag), filtered and formatted.
        try append(h.store, [(sec(t0 + 5), "late stamp"), (sec(t0 + 12), "skip me"), (sec(t0 + 11), "new")])
        try append(h.store, [(sec(t0 + 20), "other job")], job: "nginx")
        try append(h.store, [(sec(t0 + 20), "other tenant")], tenant: "team-b")
        #expect(parsed(s.drain()).lines == ["ai-engine: late stamp", "ai-engine: new"])
        #expect(s.drain() == nil)
    }

    @Test func aFullBufferDropsEntriesAndReportsThem() throws {
        let h = try ServerHarness()
        defer { h.close() }
        let s = try session(h, "{job=\"ai-engine\"}", maxBuffered: 3)
        try append(h.store, (0..<5).map { (sec(t0) + Int64($0), "line \($0)") })
        let (lines, dropped) = parsed(s.drain())
        #expect(lines == ["line 0", "line 1", "line 2"])
        #expect(dropped == 2)
    }

    @Test func anEntryInTheHistoryIsNotSentAgainLive() throws {
        let h = try ServerHarness()
        defer { h.close() }
        let s = try session(h, "{job=\"ai-engine\"}")
        try append(h.store, [(sec(t0 + 1), "both")])  // appended after subscribing, before the history is read
        #expect(parsed(try s.history(now: sec(t0 + 2))).lines == ["both"])
        #expect(s.drain() == nil)
    }
}
