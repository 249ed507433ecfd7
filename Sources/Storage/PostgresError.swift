/// A PostgreSQL failure: what mclog was doing, the server it talked to (without the password), and PostgreSQL's
/// own message, SQLSTATE, detail and hint when the server sent them.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The connection string or URL is malformed.
        case badConnectionString = "bad connection string"
        /// The server could not be reached or refused the login.
        case connect = "cannot connect"
        /// A statement failed (the server's error, with its SQLSTATE).
        case statement = "statement failed"
        /// A result did not have the shape the caller expected (a NULL, a missing column, a non-number).
        case result = "unexpected result"
        /// The schema in the database is newer than this mclog, or a migration list is malformed.
        case schema = "schema"
    }

    public var kind: Kind
    /// PostgreSQL's primary message (or libpq's, for connection failures).
    public var message: String
    /// The five-character SQLSTATE, e.g. `23505` (unique violation), `42P01` (undefined table).
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    /// `host:port/database` (never the password), when known.
    public var server: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
                server: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.server = server
    }

    /// `PostgreSQL 127.0.0.1:5432/mclog: statement failed: [23505] duplicate key value … (detail: …)`.
    public var description: String {
        var s = "PostgreSQL"
        if let server { s += " " + server }
        s += ": " + kind.rawValue + ": "
        if let sqlState { s += "[\(sqlState)] " }
        s += message
        if let detail { s += " (detail: \(detail))" }
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}
