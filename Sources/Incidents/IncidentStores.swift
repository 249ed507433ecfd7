import LogStore
import Storage

/// The incident stores of one process, per tenant, in the configured metastore: files under the data directory
/// (`embedded`) or one shared PostgreSQL database (schema migrated once here, connections pooled). Build it once
/// (CLI command, `mclog serve`) and ask it for each tenant's store.
public final class IncidentStores: Sendable, CustomStringConvertible {
    public let metastore: MetastoreLocation
    public let dataDirectory: String
    let client: PostgresClient?

    /// Opens the metastore: for PostgreSQL this connects (an unreachable server or a bad URL is reported here)
    /// and creates or upgrades the incident tables.
    public init(metastore: MetastoreLocation, dataDirectory: String) throws {
        self.metastore = metastore
        self.dataDirectory = dataDirectory
        switch metastore {
        case .embedded:
            client = nil
        case .postgres(let connectionString):
            let c = try PostgresClient(connectionString)
            try PostgresIncidentStore.migrate(c)
            client = c
        }
    }

    /// `tenant`'s store (an invalid tenant id is an error).
    public func store(tenant: String) throws -> any IncidentStore {
        if let client { return try PostgresIncidentStore(client: client, tenant: tenant) }
        return try EmbeddedIncidentStore(dataDirectory: dataDirectory, tenant: tenant)
    }

    /// Where `tenant`'s incidents are, for messages: `DATA/incidents/fake` or `PostgreSQL host:port/db (tenant fake)`.
    public func location(tenant: String) -> String {
        if let client { return "PostgreSQL \(client.server) (tenant \(tenant))" }
        return dataDirectory + "/incidents/" + tenant
    }

    public var description: String {
        if let client { return "PostgreSQL \(client.server)" }
        return dataDirectory + "/incidents"
    }

    /// Closes idle PostgreSQL connections.
    public func close() { client?.close() }
}
