import Foundation
import Ingest

extension ServerOptions {
    /// The options `mclog.yaml` gives: `listen`, `limits.max_entries_per_query` and the `server:` section.
    /// Keys the file leaves out keep their defaults.
    public init(config: IngestConfig) throws {
        self.init()
        (host, port) = try Self.parseListen(config.listen)
        maxEntriesLimit = config.limits.maxEntriesPerQuery
        let s = config.server
        if let v = s.queryTimeoutNanos { queryTimeoutSeconds = Double(v) / 1e9 }
        if let v = s.maxQuerySeries { maxQuerySeries = v }
        if let v = s.maxQueryLengthNanos { maxQueryLength = v }
        if let v = s.maxConcurrentQueries { maxConcurrentQueriesPerTenant = v }
        if let v = s.maxQueuedQueries { maxQueuedQueriesPerTenant = v }
        if let v = s.maxBodyBytes { maxBodyBytes = v }
        if let v = s.enforceIngestionRate { enforceIngestionRate = v }
        if let a = s.auth { auth = AuthConfig(bearerTokens: a.bearerTokens, basicUsers: a.basicUsers) }
    }

    /// `host:port` split; an empty host listens on every interface, `[::1]` loses its brackets.
    public static func parseListen(_ s: String) throws -> (String, Int) {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port)
        else { throw ListenAddressError(text: s) }
        let host = String(s[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }
}

/// A listen address that is not `host:port`.
public struct ListenAddressError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "invalid listen address \"\(text)\": want host:port, e.g. 127.0.0.1:3100" }
}
