import ArgumentParser
import Foundation
import Incidents
import Ingest
import Storage

/// Where the incident commands keep incidents: `--metastore`, else the `metastore:` of `--config`, else
/// `$MCLOG_METASTORE`, else embedded (files under the data directory). `--config` also supplies the data directory
/// when `--data` is not given.
struct MetastoreOptions: ParsableArguments {
    @Option(help: "A configuration file (mclog.yaml) whose `data` and `metastore` keys to use.")
    var config: String?

    @Option(help: "embedded, or a PostgreSQL URL postgres://user@host:5432/db (default: the --config file's metastore, else $MCLOG_METASTORE, else embedded).")
    var metastore: String?

    /// The data directory and the incident stores that these options and `data` name. For PostgreSQL this
    /// connects and migrates the incident schema; failures name the server.
    func open(data: DataOptions) throws -> (dataDirectory: String, stores: IncidentStores) {
        let (dataDirectory, location) = try resolve(data: data)
        return (dataDirectory, try IncidentStores(metastore: location, dataDirectory: dataDirectory))
    }

    /// The data directory and metastore named, without connecting.
    func resolve(data: DataOptions) throws -> (dataDirectory: String, metastore: MetastoreLocation) {
        var dataDirectory = data.directory
        var location = MetastoreLocation.embedded
        if let config {
            let c: IngestConfig
            do { c = try IngestConfig.load(path: config) } catch let e as ConfigError { throw UsageError(e.description) }
            if data.data == nil { dataDirectory = c.dataDirectory }
            location = c.metastore
        }
        let fromEnvironment = config == nil ? ProcessInfo.processInfo.environment["MCLOG_METASTORE"].flatMap { $0.isEmpty ? nil : $0 } : nil
        if let text = metastore ?? fromEnvironment {
            let source = metastore != nil ? "--metastore" : "$MCLOG_METASTORE"
            do { location = try MetastoreLocation(parsing: text) } catch let e as PostgresError {
                throw UsageError("\(source): \(e.message)")
            }
        }
        return (dataDirectory, location)
    }
}
