import Foundation
import LogStore

/// Identical queries computed once: a request whose key matches a computation in flight waits for it and shares
/// its result instead of queuing for the engine itself (the query frontend's de-duplication).
///
/// Each waiter keeps its own timeout (504 when it passes) and may be cancelled on its own; the computation runs
/// in its own task and is cancelled only when no one waits for it any more. Whether a request may join a
/// computation already running is the caller's to say (`canJoin`): one that began before a write the request
/// must see would answer it with stale data.
final class SingleFlight<Value: Sendable>: @unchecked Sendable {
    final class Flight: @unchecked Sendable {
        let cancellation = QueryCancellation()
        /// Caller's data about the computation (for `canJoin`).
        let info: FlightInfo
        fileprivate var result: Result<Value, any Error>?
        fileprivate var waiters: [Int: CheckedContinuation<Value, any Error>] = [:]
        fileprivate var joined = 0

        init(info: FlightInfo) { self.info = info }
    }

    private let lock = NSLock()
    private var flights: [String: Flight] = [:]
    private var nextWaiter = 0

    /// Computations running now.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return flights.count
    }

    /// Requests waiting for any computation now.
    var totalWaiting: Int {
        lock.lock()
        defer { lock.unlock() }
        return flights.values.reduce(0) { $0 + $1.waiters.count }
    }

    /// The value of the computation of `key`: one already running that `canJoin` accepts, else a new one that
    /// `compute` performs (checking the flight's cancellation). Throws a 504 after `timeout` seconds of waiting.
    /// `shared` tells whether the value came from a computation another request started.
    func value(key: String, timeout: Double, info: FlightInfo, canJoin: (FlightInfo) -> Bool,
               compute: @escaping @Sendable (QueryCancellation) async throws -> Value) async throws
        -> (value: Value, shared: Bool)
    {
        let (flight, shared, id) = join(key: key, info: info, canJoin: canJoin)
        if !shared {
            Task.detached {
                let r: Result<Value, any Error>
                do { r = .success(try await compute(flight.cancellation)) } catch { r = .failure(error) }
                self.finish(key, flight, r)
            }
        }
        let v = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Value, any Error>) in
                wait(flight, id, c)
                BlockingWork.timer.asyncAfter(deadline: .now() + timeout) {
                    self.leave(key, flight, id, APIError(.gatewayTimeout, "query timed out after \(timeout)s (limit query_timeout)"))
                }
            }
        } onCancel: {
            self.leave(key, flight, id, CancellationError())
        }
        return (v, shared)
    }

    /// The computation a request waits for, whether another request started it, and the waiter's id.
    private func join(key: String, info: FlightInfo, canJoin: (FlightInfo) -> Bool) -> (Flight, Bool, Int) {
        lock.lock()
        defer { lock.unlock() }
        nextWaiter += 1
        if let f = flights[key], canJoin(f.info) {
            f.joined += 1
            return (f, true, nextWaiter)
        }
        let f = Flight(info: info)
        flights[key] = f
        return (f, false, nextWaiter)
    }

    /// Registers a waiter, or answers it at once when the computation has finished.
    private func wait(_ flight: Flight, _ id: Int, _ c: CheckedContinuation<Value, any Error>) {
        lock.lock()
        if let r = flight.result {
            lock.unlock()
            c.resume(with: r)
            return
        }
        flight.waiters[id] = c
        lock.unlock()
    }

    /// A waiter gives up: it gets `error`, and the computation is cancelled if it was the last one waiting.
    private func leave(_ key: String, _ flight: Flight, _ id: Int, _ error: any Error) {
        lock.lock()
        guard let c = flight.waiters.removeValue(forKey: id) else {
            lock.unlock()
            return
        }
        if flight.waiters.isEmpty && flight.result == nil {
            flight.cancellation.cancel()
            // New requests start afresh rather than join a computation that is stopping.
            if flights[key] === flight { flights[key] = nil }
        }
        lock.unlock()
        c.resume(throwing: error)
    }

    private func finish(_ key: String, _ flight: Flight, _ result: Result<Value, any Error>) {
        lock.lock()
        flight.result = result
        let waiters = flight.waiters.values
        flight.waiters = [:]
        if flights[key] === flight { flights[key] = nil }
        lock.unlock()
        for c in waiters { c.resume(with: result) }
    }
}

/// What a computation in flight read: its tenant, the write it began after, and the entry timestamps it reads
/// (nil: none, as for `vector(1)`).
struct FlightInfo: Sendable {
    var tenant: String
    var sequence: UInt64
    var dataRange: ClosedRange<Int64>?
}
