import Dispatch
import Foundation
import PostgresTestSupport
import Storage
import Testing

/// `PostgresSchema.migrate` against a real server: from empty, re-run, upgrade, failure, races, newer schemas.
@Suite struct PostgresSchemaTests {
    // The second step would fail if run twice (no IF NOT EXISTS, a unique insert), so a double run shows.
    let steps = [
        PostgresMigration(version: 1, summary: "table", sql: "CREATE TABLE things (k int PRIMARY KEY); INSERT INTO things VALUES (1);"),
        PostgresMigration(version: 2, summary: "column", sql: "ALTER TABLE things ADD COLUMN v text; INSERT INTO things VALUES (2, 'b');"),
    ]

    @Test func migratesFromEmptyAndRerunIsANoOp() throws {
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url)
            #expect(try PostgresSchema.version(client, component: "test") == 0)
            let first = try PostgresSchema.migrate(client, component: "test", migrations: steps)
            #expect(first.from == 0 && first.to == 2)
            let again = try PostgresSchema.migrate(client, component: "test", migrations: steps)
            #expect(again.from == 2 && again.to == 2)
            #expect(try PostgresSchema.version(client, component: "test") == 2)
            #expect(try client.execute("SELECT count(*) AS n FROM things").single().int("n") == 2)
            // Another component keeps its own version in the same table.
            try PostgresSchema.migrate(client, component: "other", migrations: [
                PostgresMigration(version: 1, summary: "t", sql: "CREATE TABLE other_things (k int)")])
            #expect(try PostgresSchema.version(client, component: "other") == 1)
            #expect(try PostgresSchema.version(client, component: "test") == 2)
            client.close()
        }
    }

    @Test func upgradesAnOlderSchemaStepByStep() throws {
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url)
            try PostgresSchema.migrate(client, component: "test", migrations: Array(steps.prefix(1)))
            #expect(try client.execute("SELECT count(*) AS n FROM things").single().int("n") == 1)
            let r = try PostgresSchema.migrate(client, component: "test", migrations: steps)
            #expect(r.from == 1 && r.to == 2)
            #expect(try client.execute("SELECT v FROM things WHERE k = 2").single().string("v") == "b")
            client.close()
        }
    }

    @Test func aFailingStepLeavesTheSchemaAsItWas() throws {
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url)
            try PostgresSchema.migrate(client, component: "test", migrations: Array(steps.prefix(1)))
            let broken = steps.prefix(1) + [
                PostgresMigration(version: 2, summary: "half", sql: "ALTER TABLE things ADD COLUMN w text; SELEC oops;")]
            do {
                try PostgresSchema.migrate(client, component: "test", migrations: Array(broken))
                Issue.record("a broken migration succeeded")
            } catch let e as PostgresError {
                #expect(e.sqlState == "42601")
                #expect(e.message.contains("test migration 2 (half)"))
            }
            #expect(try PostgresSchema.version(client, component: "test") == 1)
            // The first statement of the failed step was rolled back with it.
            #expect(try client.execute("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'things' AND column_name = 'w'")
                .single().int("n") == 0)
            client.close()
        }
    }

    @Test func concurrentMigrationsApplyEachStepOnce() throws {
        try TestPostgres.withDatabase { url in
            // Separate clients (as separate nodes would be) starting together on an empty database.
            let clients = try (0..<4).map { _ in try PostgresClient(url) }
            let results = ResultBox()
            DispatchQueue.concurrentPerform(iterations: clients.count) { i in
                do {
                    let r = try PostgresSchema.migrate(clients[i], component: "test", migrations: steps)
                    results.append("\(r.from)->\(r.to)")
                } catch {
                    results.append("error: \(error)")
                }
            }
            // Exactly one node migrated; the others waited on the advisory lock and found nothing to do.
            #expect(results.sorted == ["0->2", "2->2", "2->2", "2->2"])
            #expect(try clients[0].execute("SELECT count(*) AS n FROM things").single().int("n") == 2)
            clients.forEach { $0.close() }
        }
    }

    @Test func aNewerSchemaThanThisBinaryIsRefused() throws {
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url)
            try PostgresSchema.migrate(client, component: "test", migrations: steps)
            do {
                try PostgresSchema.migrate(client, component: "test", migrations: Array(steps.prefix(1)))
                Issue.record("an older step list ran against a newer schema")
            } catch let e as PostgresError {
                #expect(e.kind == .schema)
                #expect(e.message.contains("version 2") && e.message.contains("upgrade mclog"))
            }
            #expect(throws: PostgresError.self) {
                try PostgresSchema.migrate(client, component: "gap", migrations: [
                    PostgresMigration(version: 2, summary: "skips 1", sql: "SELECT 1")])
            }
            client.close()
        }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.withLock { items.append(s) } }
    var sorted: [String] { lock.withLock { items.sorted() } }
}
