import Dispatch
import Foundation

/// A small pool of `PostgresConnection`s, safe to share across threads: each call gets a connection of its own
/// for its duration, so concurrent callers never interleave statements. At most `maxConnections` are open;
/// callers beyond that wait. A connection that broke (server restart) is dropped and the next call opens a new one.
public final class PostgresClient: @unchecked Sendable {
    public let connectionString: String
    /// `host:port/database`, for messages.
    public let server: String
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private let slots: DispatchSemaphore

    /// Checks the string and connects once, so a wrong URL or an unreachable server is reported here, not at the
    /// first query.
    public init(_ connectionString: String, maxConnections: Int = 4) throws {
        self.connectionString = connectionString
        server = try PostgresConnectionString(connectionString).server
        slots = DispatchSemaphore(value: max(1, maxConnections))
        idle.append(try PostgresConnection(connectionString))
    }

    /// Runs `body` with a connection of its own. A connection left in a transaction or broken is not reused.
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        var reused: PostgresConnection? = lock.withLock { idle.popLast() }
        if let c = reused, !c.isHealthy { reused = nil }
        let c = try reused ?? PostgresConnection(connectionString)
        defer {
            if c.isHealthy && !c.inTransaction { lock.withLock { idle.append(c) } }
        }
        return try body(c)
    }

    /// Runs `body` in one transaction on one connection (see `PostgresConnection.transaction`).
    @discardableResult
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection { try $0.transaction(body) }
    }

    /// Runs one statement on any free connection.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> PostgresRows {
        try withConnection { try $0.execute(sql, parameters) }
    }

    /// Closes the idle connections (the ones in use close when their callers finish).
    public func close() {
        lock.withLock { idle.removeAll() }
    }
}
