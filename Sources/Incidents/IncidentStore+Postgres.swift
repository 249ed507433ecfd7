import Foundation
import LogStore
import Storage

/// The shared incident store: incidents in PostgreSQL (`mclog_incidents`, one row each, scoped by tenant), so
/// several mclog processes see and change the same incidents. Every call is one transaction: an ID is allocated
/// by bumping a per-(tenant, UTC day) counter row, whose row lock serialises concurrent creators (distinct IDs,
/// no gaps — a rolled-back create rolls its number back too); an update reads the row `FOR UPDATE`, applies the
/// change and writes it back before anyone else can. Schema: `IncidentStore+Format.md`; it is created and
/// migrated by `PostgresIncidentStore.migrate` (component `incidents` in `mclog_schema`).
public final class PostgresIncidentStore: IncidentStore, Sendable {
    public let client: PostgresClient
    public let tenant: String

    /// A store for `tenant` on `client`'s database; call `migrate` once per process before the first use.
    public init(client: PostgresClient, tenant: String = Tenant.defaultID) throws {
        try Tenant.validate(tenant)
        self.client = client
        self.tenant = tenant
    }

    /// Creates or upgrades the incident tables (idempotent; safe when several nodes start at once).
    public static func migrate(_ client: PostgresClient) throws {
        try PostgresSchema.migrate(client, component: "incidents", migrations: migrations)
    }

    static let migrations = [
        PostgresMigration(version: 1, summary: "incidents and per-day ID counters", sql: """
            CREATE TABLE mclog_incident_days (
                tenant text NOT NULL,
                day date NOT NULL,
                last_sequence integer NOT NULL,
                PRIMARY KEY (tenant, day));
            CREATE TABLE mclog_incidents (
                tenant text NOT NULL,
                day date NOT NULL,
                sequence integer NOT NULL CHECK (sequence >= 1),
                id text NOT NULL,
                title text NOT NULL,
                start_ns bigint NOT NULL,
                end_ns bigint,
                zones text[] NOT NULL,
                services text[] NOT NULL,
                severity text NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
                severity_rule text NOT NULL,
                opened_by text NOT NULL,
                events json NOT NULL,
                notes json NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, day, sequence),
                UNIQUE (tenant, id));
            CREATE INDEX mclog_incidents_window ON mclog_incidents (tenant, start_ns);
            """),
    ]

    /// The columns every read selects; arrays come back as JSON so they decode without parsing `{a,"b c"}`.
    static let selectColumns = """
        id, title, start_ns, end_ns, array_to_json(zones) AS zones, array_to_json(services) AS services, severity,
        severity_rule, opened_by, events, notes
        """

    public func create(_ draft: IncidentDraft) throws -> Incident {
        let day = IncidentID(time: draft.start, sequence: 1)
        return try client.transaction { c in
            let sequence = try c.execute("""
                INSERT INTO mclog_incident_days (tenant, day, last_sequence) VALUES ($1, $2::date, 1)
                ON CONFLICT (tenant, day) DO UPDATE SET last_sequence = mclog_incident_days.last_sequence + 1
                RETURNING last_sequence
                """, [tenant, day.date]).single().int("last_sequence")
            let incident = Incident(id: IncidentID(time: draft.start, sequence: sequence), draft: draft)
            let key: [any PostgresBindable] = [tenant, day.date, sequence, incident.id.description]
            try c.execute("""
                INSERT INTO mclog_incidents (tenant, day, sequence, id, title, start_ns, end_ns, zones, services, severity,
                                             severity_rule, opened_by, events, notes)
                VALUES ($1, $2::date, $3, $4, $5, $6, $7, ARRAY(SELECT json_array_elements_text($8::json)),
                        ARRAY(SELECT json_array_elements_text($9::json)), $10, $11, $12, $13::json, $14::json)
                """, key + (try Self.columnValues(incident)))
            return incident
        }
    }

    public func get(_ id: IncidentID) throws -> Incident? {
        let rows = try client.execute(
            "SELECT \(Self.selectColumns) FROM mclog_incidents WHERE tenant = $1 AND day = $2::date AND sequence = $3",
            [tenant, id.date, id.sequence])
        return try rows.first.map(decode)
    }

    public func list() throws -> [Incident] {
        try client.execute("SELECT \(Self.selectColumns) FROM mclog_incidents WHERE tenant = $1 ORDER BY day, sequence", [tenant])
            .map(decode)
    }

    /// The filter's conditions in the `WHERE` clause (the window's overlap uses the `(tenant, start_ns)` index);
    /// `limit` takes the newest rows, listed oldest first like `list()`.
    public func list(_ filter: IncidentFilter) throws -> [Incident] {
        var conditions = ["tenant = $1"]
        var parameters: [any PostgresBindable] = [tenant]
        func bind(_ value: any PostgresBindable) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        func textArray(_ values: [String]) throws -> String {
            "ARRAY(SELECT json_array_elements_text(\(bind(String(decoding: try JSONEncoder().encode(values), as: UTF8.self)))::json))"
        }
        switch filter.status {
        case .open: conditions.append("end_ns IS NULL")
        case .resolved: conditions.append("end_ns IS NOT NULL")
        case nil: break
        }
        if !filter.zones.isEmpty { conditions.append("zones && \(try textArray(filter.zones))") }
        if !filter.severities.isEmpty { conditions.append("severity = ANY(\(try textArray(filter.severities.map(\.rawValue))))") }
        if let to = filter.to { conditions.append("start_ns <= \(bind(to))") }
        if let from = filter.from { conditions.append("(end_ns IS NULL OR end_ns >= \(bind(from)))") }
        var sql = "SELECT \(Self.selectColumns), day, sequence FROM mclog_incidents WHERE " + conditions.joined(separator: " AND ")
        if let limit = filter.limit {
            sql = "SELECT * FROM (\(sql) ORDER BY day DESC, sequence DESC LIMIT \(bind(limit))) newest"
        }
        return try client.execute(sql + " ORDER BY day, sequence", parameters).map(decode)
    }

    @discardableResult
    public func update(_ id: IncidentID, _ change: (inout Incident) throws -> Void) throws -> Incident {
        try client.transaction { c in
            let rows = try c.execute("""
                SELECT \(Self.selectColumns) FROM mclog_incidents
                WHERE tenant = $1 AND day = $2::date AND sequence = $3 FOR UPDATE
                """, [tenant, id.date, id.sequence])
            guard let row = rows.first else { throw IncidentStoreError.notFound(id) }
            var incident = try decode(row)
            try change(&incident)
            incident.id = id  // the ID is the row's key; a change cannot move it
            let key: [any PostgresBindable] = [tenant, id.date, id.sequence]
            try c.execute("""
                UPDATE mclog_incidents SET title = $4, start_ns = $5, end_ns = $6,
                    zones = ARRAY(SELECT json_array_elements_text($7::json)),
                    services = ARRAY(SELECT json_array_elements_text($8::json)), severity = $9, severity_rule = $10,
                    opened_by = $11, events = $12::json, notes = $13::json, updated_at = now()
                WHERE tenant = $1 AND day = $2::date AND sequence = $3
                """, key + (try Self.columnValues(incident)))
            return incident
        }
    }

    /// `title … notes` as statement parameters (arrays and lists as JSON text).
    static func columnValues(_ i: Incident) throws -> [any PostgresBindable] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try e.encode(v), as: UTF8.self) }
        return [i.title, i.start, i.end, try json(i.zones), try json(i.services), i.severity.rawValue, i.severityRule,
                i.openedBy, try json(i.events), try json(i.notes)]
    }

    func decode(_ row: PostgresRow) throws -> Incident {
        let idText = (try? row.string("id")) ?? "?"
        do {
            guard let id = IncidentID(try row.string("id")) else { throw PostgresError(.result, "id \"\(idText)\" is not an incident ID") }
            let severityText = try row.string("severity")
            guard let severity = Severity(rawValue: severityText) else {
                throw PostgresError(.result, "severity \"\(severityText)\" is not P1–P4")
            }
            return Incident(
                id: id, title: try row.string("title"), start: try row.int64("start_ns"), end: try row.optionalInt64("end_ns"),
                zones: try row.json("zones", as: [String].self), services: try row.json("services", as: [String].self),
                severity: severity, severityRule: try row.string("severity_rule"), openedBy: try row.string("opened_by"),
                events: try row.json("events", as: [IncidentEvent].self), notes: try row.json("notes", as: [IncidentNote].self))
        } catch let e as PostgresError {
            throw IncidentStoreError.corrupt(path: "PostgreSQL \(client.server) mclog_incidents \(tenant)/\(idText)", reason: e.message)
        }
    }
}
