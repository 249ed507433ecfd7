/// One step of a component's PostgreSQL schema: its version (1, 2, 3 … without gaps) and the statements that
/// take the schema from the previous version to it.
public struct PostgresMigration: Sendable {
    public let version: Int
    public let summary: String
    public let sql: String

    public init(version: Int, summary: String, sql: String) {
        self.version = version
        self.summary = summary
        self.sql = sql
    }
}

/// Versioned schema migrations. The table `mclog_schema (component, version, updated_at)` records how far each
/// component's schema (`incidents`, later the block metastore …) has been migrated, so components evolve
/// independently in one database. `migrate` applies the missing steps and records the new version in ONE
/// transaction that first takes a transaction-scoped advisory lock: when several mclog nodes start at once, one
/// migrates and the others wait, then find nothing to do; a failing step leaves the schema as it was.
public enum PostgresSchema {
    /// The `pg_advisory_xact_lock` key every migration takes (`mclog` in ASCII).
    public static let advisoryLockKey: Int64 = 0x6d_63_6c_6f_67

    /// Brings `component`'s schema to the newest of `migrations`; returns the versions before and after.
    /// A database whose version is newer than any migration known here is an error (an older mclog must not
    /// write to a schema it does not know).
    @discardableResult
    public static func migrate(_ client: PostgresClient, component: String, migrations: [PostgresMigration]) throws
        -> (from: Int, to: Int)
    {
        for (i, m) in migrations.enumerated() where m.version != i + 1 {
            throw PostgresError(.schema, "\(component) migration \"\(m.summary)\" has version \(m.version), expected \(i + 1)")
        }
        return try client.transaction { c in
            try c.execute("SELECT pg_advisory_xact_lock($1)", [advisoryLockKey])
            try c.execute("""
                CREATE TABLE IF NOT EXISTS mclog_schema (
                    component text PRIMARY KEY,
                    version integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now())
                """)
            let current = try c.execute("SELECT version FROM mclog_schema WHERE component = $1", [component])
                .first.map { try $0.int("version") } ?? 0
            guard current <= migrations.count else {
                throw PostgresError(.schema, "the database's \(component) schema is at version \(current), but this mclog "
                                    + "knows versions up to \(migrations.count); upgrade mclog", server: c.server)
            }
            for m in migrations[current...] {
                do {
                    try c.executeScript(m.sql)
                } catch var e as PostgresError {
                    e.message = "\(component) migration \(m.version) (\(m.summary)): " + e.message
                    throw e
                }
            }
            if current < migrations.count {
                try c.execute("""
                    INSERT INTO mclog_schema (component, version) VALUES ($1, $2)
                    ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, updated_at = now()
                    """, [component, migrations.count])
            }
            return (current, migrations.count)
        }
    }

    /// The recorded version of `component` (0 when it was never migrated or `mclog_schema` does not exist yet).
    public static func version(_ client: PostgresClient, component: String) throws -> Int {
        let exists = try client.execute("SELECT to_regclass('mclog_schema') IS NOT NULL AS e").single().bool("e")
        guard exists else { return 0 }
        return try client.execute("SELECT version FROM mclog_schema WHERE component = $1", [component]).first
            .map { try $0.int("version") } ?? 0
    }
}
