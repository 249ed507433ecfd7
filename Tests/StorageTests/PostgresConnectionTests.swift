import Dispatch
import PostgresTestSupport
import Storage
import Testing

/// The libpq client against a real server (see `TestPostgres`): statements, typed rows, errors, transactions.
@Suite struct PostgresConnectionTests {
    @Test(arguments: [
        ("postgres://ana:secret@db.example:6543/mclog?sslmode=require", "db.example:6543/mclog"),
        ("postgresql:///mclog?host=/run/postgresql", "/run/postgresql:5432/mclog"),
        ("host=10.0.0.5 port=5433 dbname='my db' user=ana password=secret", "10.0.0.5:5433/my db"),
    ])
    func connectionStringsParseAndNameTheServerWithoutThePassword(text: String, server: String) throws {
        let parsed = try PostgresConnectionString(text)
        #expect(parsed.server == server)
        #expect(!parsed.server.contains("secret"))
        // The key/value rendering reads back to the same options.
        #expect(try PostgresConnectionString(parsed.text) == parsed)
    }

    @Test(arguments: [
        "postgres://host:notaport/db",
        "postgres://db.example/mclog?nosuchoption=1",
        "host=a dbname",
        "host='unterminated",
    ])
    func malformedConnectionStringsAreErrors(text: String) {
        #expect {
            try PostgresConnectionString(text)
        } throws: { e in
            (e as? PostgresError)?.kind == .badConnectionString && !"\(e)".isEmpty
        }
    }

    @Test func unreachableServerIsAClearError() throws {
        let url = TestPostgres.unreachableURL()
        do {
            _ = try PostgresClient(url)
            Issue.record("connected to a port nobody listens on")
        } catch let e as PostgresError {
            #expect(e.kind == .connect)
            #expect("\(e)".contains("127.0.0.1"))
            #expect("\(e)".contains("cannot connect"))
        }
    }

    @Test func wrongDatabaseNameCarriesTheServersMessage() throws {
        let base = try PostgresConnectionString(try TestPostgres.serverURL())
        do {
            _ = try PostgresConnection(base.with("dbname", "no_such_database_here").text)
            Issue.record("connected to a database that does not exist")
        } catch let e as PostgresError {
            #expect(e.kind == .connect)
            #expect(e.message.contains("no_such_database_here"))
        }
    }

    @Test func parametersAndTypedRows() throws {
        try TestPostgres.withDatabase { url in
            let c = try PostgresConnection(url)
            let quote = "it's \"quoted\"; DROP TABLE x; -- ü ✓"
            let nothing: Int64? = nil
            let row = try c.execute(
                "SELECT $1::text AS s, $2::bigint AS n, $3::bigint AS missing, $4::boolean AS b, $5::float8 AS d, $6::int AS i",
                [quote, Int64.min, nothing, true, 0.1, 42]).single()
            #expect(try row.string("s") == quote)
            #expect(try row.int64("n") == Int64.min)
            #expect(try row.optionalInt64("missing") == nil)
            #expect(try row.bool("b"))
            #expect(try row.double("d") == 0.1)
            #expect(try row.int("i") == 42)
            #expect(throws: PostgresError.self) { try row.string("missing") }
            #expect(throws: PostgresError.self) { try row.string("nonexistent") }
            let j = try c.execute("SELECT $1::jsonb AS j", ["[1, 2]"]).single()
            #expect(try j.json("j", as: [Int].self) == [1, 2])

            try c.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
            let inserted = try c.execute("INSERT INTO t VALUES ($1, $2), ($3, $4)", [1, "a", 2, "b"])
            #expect(inserted.affectedRows == 2)
            #expect(try c.execute("SELECT k, v FROM t ORDER BY k").map { try $0.string("v") } == ["a", "b"])
        }
    }

    @Test func serverErrorsCarrySQLStateAndMessage() throws {
        try TestPostgres.withDatabase { url in
            let c = try PostgresConnection(url)
            try c.execute("CREATE TABLE t (k int PRIMARY KEY)")
            try c.execute("INSERT INTO t VALUES (1)")
            let cases: [(String, [any PostgresBindable], String)] = [
                ("INSERT INTO t VALUES ($1)", [1], "23505"),
                ("SELEC 1", [], "42601"),
                ("SELECT * FROM nowhere", [], "42P01"),
                ("SELECT $1::int", ["seven"], "22P02"),
            ]
            for (sql, params, state) in cases {
                do {
                    try c.execute(sql, params)
                    Issue.record("\(sql) succeeded")
                } catch let e as PostgresError {
                    #expect(e.kind == .statement)
                    #expect(e.sqlState == state, "\(sql): \(e)")
                    #expect("\(e)".contains("[\(state)]"))
                }
            }
            // The connection is usable after a failed statement.
            #expect(try c.execute("SELECT count(*) AS n FROM t").single().int("n") == 1)
            #expect(throws: PostgresError.self) { try c.execute("SELECT $1::text", ["a\u{0}b"]) }
        }
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        struct Boom: Error {}
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url)
            try client.execute("CREATE TABLE t (k int PRIMARY KEY)")
            #expect(throws: Boom.self) {
                try client.transaction { c in
                    try c.execute("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            }
            // A failing statement inside rolls back the statements before it too.
            #expect(throws: PostgresError.self) {
                try client.transaction { c in
                    try c.execute("INSERT INTO t VALUES (2)")
                    try c.execute("INSERT INTO t VALUES (2)")
                }
            }
            #expect(try client.execute("SELECT count(*) AS n FROM t").single().int("n") == 0)
            try client.transaction { try $0.execute("INSERT INTO t VALUES (3)") }
            #expect(try client.execute("SELECT k FROM t").map { try $0.int("k") } == [3])
            client.close()
        }
    }

    @Test func poolServesConcurrentCallersOnSeparateConnections() throws {
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url, maxConnections: 3)
            try client.execute("CREATE TABLE t (k int PRIMARY KEY, backend int)")
            DispatchQueue.concurrentPerform(iterations: 24) { i in
                // Each transaction sees only its own uncommitted row: statements of callers never interleave.
                try! client.transaction { c in
                    try c.execute("INSERT INTO t VALUES ($1, pg_backend_pid())", [i])
                    let mine = try c.execute("SELECT count(*) AS n FROM t WHERE backend = pg_backend_pid() AND k = $1", [i])
                    let n = try mine.single().int("n")
                    precondition(n == 1)
                }
            }
            #expect(try client.execute("SELECT count(*) AS n FROM t").single().int("n") == 24)
            #expect(try client.execute("SELECT count(DISTINCT backend) AS n FROM t").single().int("n") <= 3)
            client.close()
        }
    }

    @Test func aBrokenConnectionIsReplaced() throws {
        try TestPostgres.withDatabase { url in
            let client = try PostgresClient(url, maxConnections: 1)
            let pid = try client.execute("SELECT pg_backend_pid() AS p").single().int("p")
            let admin = try PostgresConnection(url)
            try admin.execute("SELECT pg_terminate_backend($1)", [pid])
            // The first call on the dead connection fails; the pool drops it and the next call reconnects.
            _ = try? client.execute("SELECT 1")
            #expect(try client.execute("SELECT pg_backend_pid() AS p").single().int("p") != pid)
            client.close()
        }
    }
}
