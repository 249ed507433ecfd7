import Dispatch
import Foundation
import PostgresTestSupport
import Storage
import Testing
@testable import Incidents

/// The behaviour every `IncidentStore` must have, run against the embedded store and against PostgreSQL.
enum Backend: String, CaseIterable, Sendable {
    case embedded, postgres

    /// Runs `body` with an empty metastore of this kind: a new data directory, or a new database on the test
    /// server. `open()` opens it afresh each call, as another process (or node) would.
    func withMetastore(_ body: (TestMetastore) throws -> Void) throws {
        let dir = temporaryDirectory(rawValue)
        switch self {
        case .embedded: try body(TestMetastore(location: .embedded, dataDirectory: dir))
        case .postgres: try TestPostgres.withDatabase { try body(TestMetastore(location: .postgres($0), dataDirectory: dir)) }
        }
    }
}

struct TestMetastore: Sendable {
    let location: MetastoreLocation
    let dataDirectory: String

    func open() throws -> IncidentStores { try IncidentStores(metastore: location, dataDirectory: dataDirectory) }
    func store(tenant: String = "fake") throws -> any IncidentStore { try open().store(tenant: tenant) }
}

@Suite struct IncidentStoreBehaviourTests {
    let day = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14, minute: 2, second: 13)
    static let hour: Int64 = 3_600_000_000_000

    func draft(_ start: Int64, zone: String = "kzone", title: String = "chat down") -> IncidentDraft {
        IncidentDraft(title: title, start: start, zones: [zone], severity: .p2, severityRule: "P2 set by hand", openedBy: "manual")
    }

    @Test(arguments: Backend.allCases)
    func allocatesSequentialIDsPerDayAndListsOldestFirst(backend: Backend) throws {
        try backend.withMetastore { m in
            let store = try m.store()
            let later = try store.create(draft(day + 24 * Self.hour))
            let a = try store.create(draft(day))
            let b = try store.create(draft(day + Self.hour))
            let earlier = try store.create(draft(day - 24 * Self.hour))
            #expect(later.id.description == "INC-2025-11-22-001")
            #expect(a.id.description == "INC-2025-11-21-001")
            #expect(b.id.description == "INC-2025-11-21-002")
            #expect(earlier.id.description == "INC-2025-11-20-001")
            #expect(try store.list().map(\.id) == [earlier.id, a.id, b.id, later.id])
        }
    }

    @Test(arguments: Backend.allCases)
    func everyFieldRoundTrips(backend: Backend) throws {
        try backend.withMetastore { m in
            let events = [
                IncidentEvent(time: day, source: .log, text: "CUDA out of memory — \"quoted\", 'single', back\\slash",
                              evidence: Evidence(query: #"{job="ai-engine"} |= "OOM""#, from: day - 60, to: day + 60)),
                IncidentEvent(time: day + 5, source: .trace, text: "span error", evidence: Evidence(traceID: "4bf92f3577b34da6a3ce929d0e0e4736")),
                IncidentEvent(time: day + 9, source: .alert, text: "HighErrorRate", alertFingerprint: "f00d", alertResolved: false),
            ]
            let d = IncidentDraft(title: "kzone chat down ✓ {a,\"b c\"}", start: day, end: day + Self.hour,
                                  zones: ["kzone", "b zone", "{x}"], services: ["ai-engine", "api"], severity: .p1,
                                  severityRule: "P1: every zone down", openedBy: "rule", events: events)
            let store = try m.store()
            let created = try store.create(d)
            try store.addNote(created.id, IncidentNote(time: day + 7, author: "ana", text: "restarted\nvLLM"))
            let open = try store.create(IncidentDraft(title: "still open", start: day + 2 * Self.hour, zones: [], services: [],
                                                      severity: .p4, severityRule: "", openedBy: "manual"))
            let again = try m.store()
            var expected = created
            expected.notes = [IncidentNote(time: day + 7, author: "ana", text: "restarted\nvLLM")]
            #expect(try again.get(created.id) == expected)
            #expect(try again.get(open.id) == open)
            #expect(try again.get(open.id)?.end == nil)
            #expect(try again.list() == [expected, open])
        }
    }

    @Test(arguments: Backend.allCases)
    func notesPersistAcrossReopen(backend: Backend) throws {
        try backend.withMetastore { m in
            let id = try m.store().create(draft(day)).id
            try m.store().addNote(id, IncidentNote(time: day + 60, author: "ana", text: "restarted vllm"))
            try m.store().addNote(id, IncidentNote(time: day + 120, author: "bo", text: "traffic back"))
            let again = try #require(try m.store().get(id))
            #expect(again.notes.map(\.text) == ["restarted vllm", "traffic back"])
            #expect(again.zones == ["kzone"])
        }
    }

    @Test(arguments: Backend.allCases)
    func unknownIncidentIsNotFound(backend: Backend) throws {
        try backend.withMetastore { m in
            let store = try m.store()
            let missing = IncidentID("INC-2025-01-01-001")!
            #expect(try store.get(missing) == nil)
            #expect(throws: IncidentStoreError.notFound(missing)) { try store.addNote(missing, IncidentNote(time: 0, author: "a", text: "b")) }
            #expect(try store.list().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func aThrowingChangeStoresNothing(backend: Backend) throws {
        struct Refused: Error {}
        try backend.withMetastore { m in
            let store = try m.store()
            let created = try store.create(draft(day))
            #expect(throws: Refused.self) {
                try store.update(created.id) { i in
                    i.title = "half-applied"
                    i.notes.append(IncidentNote(time: 1, author: "x", text: "y"))
                    throw Refused()
                }
            }
            #expect(try store.get(created.id) == created)
        }
    }

    @Test(arguments: Backend.allCases)
    func aChangeCannotMoveTheID(backend: Backend) throws {
        try backend.withMetastore { m in
            let store = try m.store()
            let created = try store.create(draft(day))
            let updated = try store.update(created.id) { i in
                i.id = IncidentID("INC-2030-01-01-007")!
                i.end = day + Self.hour
                i.severity = .p3
            }
            #expect(updated.id == created.id)
            #expect(try store.list().map(\.id) == [created.id])
            #expect(try store.get(created.id)?.severity == .p3)
            #expect(try store.get(created.id)?.end == day + Self.hour)
        }
    }

    @Test(arguments: Backend.allCases)
    func tenantsDoNotSeeEachOthersIncidents(backend: Backend) throws {
        try backend.withMetastore { m in
            let stores = try m.open()
            let a = try stores.store(tenant: "team-a"), b = try stores.store(tenant: "team-b")
            let ia = try a.create(draft(day))
            #expect(try b.list().isEmpty)
            #expect(try b.get(ia.id) == nil)
            #expect(throws: IncidentStoreError.notFound(ia.id)) { try b.addNote(ia.id, IncidentNote(time: 0, author: "a", text: "b")) }
            #expect(try b.create(draft(day)).id == ia.id)  // each tenant numbers its own incidents
            #expect(try a.get(ia.id)?.notes.isEmpty == true)
            #expect(throws: (any Error).self) { try stores.store(tenant: "../x") }
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentCreatesFromSeparateStoresGetDistinctIDs(backend: Backend) throws {
        try backend.withMetastore { m in
            let start = day
            let failures = Failures()
            // Each worker opens the metastore itself, as separate processes or nodes would (for PostgreSQL: its
            // own connection, and its own migration run racing the others).
            DispatchQueue.concurrentPerform(iterations: 12) { i in
                do {
                    let store = try m.store()
                    _ = try store.create(IncidentDraft(title: "x\(i)", start: start + Int64(i % 2) * 24 * Self.hour,
                                                       severity: .p4, severityRule: "", openedBy: "manual"))
                } catch { failures.add(error) }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            let ids = try m.store().list().map(\.id)
            #expect(ids.filter { $0.day == 21 }.map(\.sequence) == Array(1...6))
            #expect(ids.filter { $0.day == 22 }.map(\.sequence) == Array(1...6))
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentNotesAreAllKept(backend: Backend) throws {
        try backend.withMetastore { m in
            let id = try m.store().create(draft(day)).id
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 12) { i in
                do {
                    try m.store().addNote(id, IncidentNote(time: day + Int64(i), author: "n\(i)", text: "note \(i)"))
                } catch { failures.add(error) }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            let notes = try #require(try m.store().get(id)).notes
            #expect(Set(notes.map(\.author)) == Set((0..<12).map { "n\($0)" }))
        }
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ e: any Error) { lock.withLock { errors.append("\(e)") } }
    var all: [String] { lock.withLock { errors } }
}
