import Foundation
import Testing
@testable import Incidents
import LogQL
import LogStore

/// Periodic rule evaluation as `mclog serve` runs it, on the scenario's store with a test clock.
@Suite(.serialized) struct DetectionLoopTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var t: Int64
        init(_ t: Int64) { self.t = t }
        var now: Int64 {
            lock.lock()
            defer { lock.unlock() }
            return t
        }
        func set(_ v: Int64) {
            lock.lock()
            t = v
            lock.unlock()
        }
    }

    @Test func passesOpenTheIncidentOnceAndLaterPassesExtendIt() throws {
        let sc = try Scenario()
        let dir = temporaryDirectory()
        let store = try EmbeddedIncidentStore(dataDirectory: dir)
        let clock = Clock(Scenario.at(14, 6, 0))
        let loop = DetectionLoop(logs: sc.store, rules: try DetectionRule.loadDirectory(rulesDirectory), traces: nil,
                                 settings: .init(interval: 1_000_000_000, window: 3_600_000_000_000),
                                 stores: { _ in store }, now: { clock.now })
        // Mid-incident: the CUDA OOM rule has fired in kzone.
        let first = loop.runOnce()
        #expect(first.map(\.tenant) == [Tenant.defaultID])
        var incidents = try store.list()
        let kzone = try #require(incidents.first { $0.zones == ["kzone"] })
        #expect(kzone.openedBy == "rule" && kzone.severity == .p2)
        #expect(first[0].outcomes.contains { $0.created && $0.incident?.id == kzone.id })
        // After recovery: the same incident is extended, not opened again.
        clock.set(Scenario.at(14, 20, 0))
        let second = loop.runOnce()
        incidents = try store.list()
        #expect(incidents.filter { $0.zones == ["kzone"] }.count == 1)
        #expect(second[0].outcomes.contains { !$0.created && $0.incident?.id == kzone.id })
        let extended = try #require(try store.get(kzone.id))
        #expect(extended.start <= Scenario.oom)
        #expect((extended.end ?? 0) >= Scenario.at(14, 8, 0))
    }

    @Test func theLoopRunsOnItsIntervalUntilStopped() throws {
        let sc = try Scenario()
        let store = try EmbeddedIncidentStore(dataDirectory: temporaryDirectory())
        let failures = Clock(0)
        let loop = DetectionLoop(logs: sc.store, rules: try DetectionRule.loadDirectory(rulesDirectory), traces: nil,
                                 settings: .init(interval: 1_000_000_000, window: 3_600_000_000_000),
                                 stores: { _ in store }, now: { Scenario.at(14, 10, 0) },
                                 report: { if case .failure = $0 { failures.set(failures.now + 1) } })
        loop.start()
        #expect(loop.waitForPasses(2, timeout: 60))
        loop.stopAndWait()
        let passes = loop.passes
        #expect(failures.now == 0)
        #expect(try store.list().filter { $0.zones == ["kzone"] }.count == 1)
        usleep(1_200_000)
        #expect(loop.passes == passes)  // stopped means stopped
    }

    @Test func noTenantsOrNoRulesMeansNoWork() throws {
        let logs = try LogStore(directory: temporaryDirectory())
        defer { logs.close() }
        let store = try EmbeddedIncidentStore(dataDirectory: temporaryDirectory())
        let loop = DetectionLoop(logs: logs, rules: try DetectionRule.loadDirectory(rulesDirectory), traces: nil,
                                 settings: .init(interval: 1_000_000_000, window: 3_600_000_000_000), stores: { _ in store })
        #expect(loop.runOnce().isEmpty)  // an empty store has no tenants
        let idle = DetectionLoop(logs: logs, rules: [], traces: nil,
                                 settings: .init(interval: 1_000_000_000, window: 3_600_000_000_000), stores: { _ in store })
        idle.start()  // without rules it does not start a thread
        idle.stopAndWait()
        #expect(idle.passes == 0)
    }
}
