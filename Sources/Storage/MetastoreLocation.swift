/// Where shared metadata (incidents now; blocks and leases with scale-out) lives: `embedded` — files under the
/// data directory — or a PostgreSQL database given as a `postgres://` URL or a libpq `key=value` string.
public enum MetastoreLocation: Sendable, Equatable, CustomStringConvertible {
    case embedded
    case postgres(String)

    /// Parses the `metastore:` setting / `--metastore` option. The PostgreSQL string is checked by libpq's own
    /// parser (nothing is connected here).
    public init(parsing text: String) throws {
        if text == "embedded" {
            self = .embedded
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") || text.contains("=") else {
            throw PostgresError(.badConnectionString,
                                "\"\(text)\" is neither \"embedded\" nor a postgres:// URL nor a libpq string (host=… dbname=…)")
        }
        _ = try PostgresConnectionString(text)
        self = .postgres(text)
    }

    /// `embedded` or `postgres host:port/database` — never the password.
    public var description: String {
        switch self {
        case .embedded: "embedded"
        case .postgres(let s): "postgres " + ((try? PostgresConnectionString(s).server) ?? "(unparsable connection string)")
        }
    }
}
