internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection. Not thread-safe — a connection serves one caller at a time; share a `PostgresClient`
/// (which hands connections out exclusively) across threads instead. Statements are sent with `PQexecParams`
/// in text format, so values never become SQL text (no quoting, no injection).
public final class PostgresConnection {
    private let conn: OpaquePointer
    /// `host:port/database`, for messages.
    public let server: String

    /// Connects to `connectionString` (a URL or key/value pairs). Unless the string says otherwise, a connection
    /// attempt gives up after 10 s, uses UTF-8 and names itself `mclog` in `pg_stat_activity`.
    public init(_ connectionString: String) throws {
        let parsed = try PostgresConnectionString(connectionString)
        server = parsed.server
        // Keywords before `dbname` are defaults: with expand_dbname, the expanded string's own values win.
        let keys = ["connect_timeout", "application_name", "client_encoding", "dbname"]
        let values = ["10", "mclog", "UTF8", connectionString]
        let cKeys = keys.map { strdup($0) }, cValues = values.map { strdup($0) }
        defer { (cKeys + cValues).forEach { free($0) } }
        let k = cKeys.map { UnsafePointer($0) } + [nil], v = cValues.map { UnsafePointer($0) } + [nil]
        guard let c = PQconnectdbParams(k, v, 1) else { throw PostgresError(.connect, "out of memory", server: server) }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(c)).trimmingTrailingNewlines()
            PQfinish(c)
            throw PostgresError(.connect, message, server: parsed.server)
        }
        conn = c
        // Without a processor libpq prints NOTICEs ("relation … already exists, skipping") to stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(conn) }

    /// Whether the connection is up (a server restart or a network failure breaks it for good).
    public var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Whether a transaction is open (or failed and not yet rolled back).
    public var inTransaction: Bool { PQtransactionStatus(conn) != PQTRANS_IDLE }

    /// Runs one statement with `$1…` parameters and returns its rows. A failure throws `PostgresError` with the
    /// server's SQLSTATE and message.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> PostgresRows {
        let texts = parameters.map(\.postgresText)
        for (i, t) in texts.enumerated() where t?.utf8.contains(0) == true {
            throw PostgresError(.statement, "parameter $\(i + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                                server: server)
        }
        let cTexts = texts.map { $0.map { strdup($0) } ?? nil }
        defer { cTexts.forEach { free($0) } }
        let result = cTexts.map { UnsafePointer($0) }.withUnsafeBufferPointer { params in
            PQexecParams(conn, sql, Int32(params.count), nil, params.baseAddress, nil, nil, 0)
        }
        return try rows(from: result)
    }

    /// Runs a script of several `;`-separated statements without parameters (a migration); returns the last
    /// statement's rows.
    @discardableResult
    public func executeScript(_ sql: String) throws -> PostgresRows {
        try rows(from: PQexec(conn, sql))
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it (or the commit) throws, so a failure
    /// leaves nothing half-applied. Transactions do not nest.
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        guard !inTransaction else { throw PostgresError(.statement, "a transaction is already open on this connection", server: server) }
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if isHealthy && inTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    private func rows(from result: OpaquePointer?) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(.statement, String(cString: PQerrorMessage(conn)).trimmingTrailingNewlines(), server: server)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            func field(_ code: UInt8) -> String? { PQresultErrorField(result, Int32(code)).map { String(cString: $0) } }
            let message = field(UInt8(ascii: "M"))
                ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines()
            throw PostgresError(.statement, message, sqlState: field(UInt8(ascii: "C")), detail: field(UInt8(ascii: "D")),
                                hint: field(UInt8(ascii: "H")), server: server)
        }
        let nColumns = Int(PQnfields(result)), nRows = Int(PQntuples(result))
        let columns = (0..<nColumns).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(nRows)
        for r in 0..<Int32(nRows) {
            rows.append((0..<Int32(nColumns)).map { c in
                PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, values: rows, affectedRows: affected)
    }
}
