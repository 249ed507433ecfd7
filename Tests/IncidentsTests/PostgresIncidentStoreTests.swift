import Foundation
import PostgresTestSupport
import Storage
import Testing
@testable import Incidents

/// What only the PostgreSQL store has: its schema, rollback of a failed create, bad rows, connection errors.
@Suite struct PostgresIncidentStoreTests {
    let day = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14, minute: 2, second: 13)

    func draft(_ title: String = "chat down") -> IncidentDraft {
        IncidentDraft(title: title, start: day, zones: ["kzone"], severity: .p2, severityRule: "P2", openedBy: "manual")
    }

    @Test func openingMigratesOnceAndReopeningKeepsTheData() throws {
        try TestPostgres.withDatabase { url in
            let first = try IncidentStores(metastore: .postgres(url), dataDirectory: "/nonexistent")
            let id = try first.store(tenant: "fake").create(draft()).id
            let client = try PostgresClient(url)
            #expect(try PostgresSchema.version(client, component: "incidents") == PostgresIncidentStore.migrations.count)
            let second = try IncidentStores(metastore: .postgres(url), dataDirectory: "/nonexistent")
            #expect(try second.store(tenant: "fake").list().map(\.id) == [id])
            // Searchable parts are real columns (a shared-mode operator can query them with psql).
            let row = try client.execute("SELECT id, severity, zones[1] AS zone, start_ns FROM mclog_incidents").single()
            #expect(try row.string("id") == id.description)
            #expect(try row.string("severity") == "P2")
            #expect(try row.string("zone") == "kzone")
            #expect(try row.int64("start_ns") == day)
            #expect(second.location(tenant: "fake").contains("PostgreSQL") && !"\(second)".contains("/nonexistent"))
            // Nothing was written to the data directory.
            #expect(!FileManager.default.fileExists(atPath: "/nonexistent"))
            client.close()
        }
    }

    @Test func aFailedCreateUsesNoID() throws {
        try TestPostgres.withDatabase { url in
            let store = try IncidentStores(metastore: .postgres(url), dataDirectory: "/nonexistent").store(tenant: "fake")
            // PostgreSQL text cannot hold NUL: the insert fails after the ID counter was bumped in the same transaction.
            #expect(throws: PostgresError.self) { try store.create(draft("bad\u{0}title")) }
            #expect(try store.list().isEmpty)
            #expect(try store.create(draft()).id.description == "INC-2025-11-21-001")
        }
    }

    @Test func anUndecodableRowIsReportedNotHidden() throws {
        try TestPostgres.withDatabase { url in
            let store = try IncidentStores(metastore: .postgres(url), dataDirectory: "/nonexistent").store(tenant: "fake")
            let id = try store.create(draft()).id
            let client = try PostgresClient(url)
            try client.execute("UPDATE mclog_incidents SET events = '{\"not\": \"a list\"}'")
            client.close()
            do {
                _ = try store.get(id)
                Issue.record("a row with a bad events column decoded")
            } catch let e as IncidentStoreError {
                #expect("\(e)".contains(id.description) && "\(e)".contains("events"))
            }
            #expect(throws: IncidentStoreError.self) { try store.list() }
            // An update of it fails the same way and changes nothing.
            #expect(throws: IncidentStoreError.self) { try store.addNote(id, IncidentNote(time: 0, author: "a", text: "b")) }
        }
    }

    @Test func badURLsAndUnreachableServersAreClearErrors() throws {
        let cases: [(String, String)] = [
            (TestPostgres.unreachableURL(), "cannot connect"),
            ("postgres://db.example:99999/mclog", "port"),
            ("postgres://db.example/mclog?bogus=1", "bad connection string"),
        ]
        for (url, expected) in cases {
            do {
                _ = try IncidentStores(metastore: .postgres(url), dataDirectory: "/nonexistent")
                Issue.record("\(url) opened")
            } catch let e as PostgresError {
                #expect("\(e)".contains(expected), "\(e)")
            }
        }
    }

    @Test(arguments: [
        ("embedded", MetastoreLocation.embedded),
        ("postgres://mclog@db.example:5432/mclog", .postgres("postgres://mclog@db.example:5432/mclog")),
        ("postgresql:///mclog?host=/run/postgresql", .postgres("postgresql:///mclog?host=/run/postgresql")),
        ("host=db.example dbname=mclog", .postgres("host=db.example dbname=mclog")),
    ])
    func metastoreLocationsParse(text: String, expected: MetastoreLocation) throws {
        #expect(try MetastoreLocation(parsing: text) == expected)
    }

    @Test(arguments: ["", "mysql://db/x", "postgres", "Embedded", "postgres://db.example/x?nope=1"])
    func badMetastoreLocationsAreRejected(text: String) {
        #expect(throws: PostgresError.self) { try MetastoreLocation(parsing: text) }
    }
}
