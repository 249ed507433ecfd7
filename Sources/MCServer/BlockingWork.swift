import Dispatch
import LogStore
import Foundation

/// Runs synchronous store and engine work (fsync, decompression, scans) off Swift's cooperative threads, which
/// must never block: on a 2-core machine two blocked tasks would stall every request.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try body() }) }
        }
    }

    /// Fires query timeouts. Not the global queue: when blocking work occupies its threads, a timer queued there
    /// waits behind them and the timeout comes late or never.
    private static let timer = DispatchQueue(label: "mclog.query-timeout")

    /// Like `run`, but answers 504 after `seconds`. The engine checks `cancel` between pages and lines, so an
    /// abandoned query stops promptly instead of running on.
    static func run<T: Sendable>(timeout seconds: Double, cancel: QueryCancellation,
                                 _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let once = ResumeOnce<T>()
        return try await withCheckedThrowingContinuation { c in
            once.set(c)
            DispatchQueue.global().async { once.resume(with: Result { try body() }) }
            timer.asyncAfter(deadline: .now() + seconds) {
                cancel.cancel()
                once.resume(with: .failure(APIError(.gatewayTimeout,
                                                    "query timed out after \(seconds)s (limit query_timeout)")))
            }
        }
    }
}

/// Resumes a continuation at most once, from whichever of two threads gets there first.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?

    func set(_ c: CheckedContinuation<T, any Error>) {
        lock.lock()
        continuation = c
        lock.unlock()
    }

    func resume(with result: Result<T, any Error>) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(with: result)
    }
}
