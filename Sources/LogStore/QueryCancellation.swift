import Foundation

/// Set by whoever gave up on a read (a query timeout, a closed connection); the store checks it between page
/// groups and throws `QueryCancelledError`, so an abandoned query stops instead of running to its end.
public final class QueryCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Throws `QueryCancelledError` once cancelled (readers call it between units of work).
    public func check() throws {
        if isCancelled { throw QueryCancelledError() }
    }
}

public struct QueryCancelledError: Error, CustomStringConvertible, Sendable {
    public var description: String { "query cancelled" }
}
