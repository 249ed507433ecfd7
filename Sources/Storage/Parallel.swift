import Dispatch
import Foundation

/// Runs `body(index, state)` for every index in `0..<count` on all cores and returns the results in index
/// order. Each worker thread builds its own `state` once (codec contexts, regex match data, scratch buffers).
/// The first error thrown is rethrown after all workers stop.
public func parallelMap<State, T>(
    _ count: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
    state makeState: () -> State, _ body: (Int, inout State) throws -> T
) throws -> [T] {
    if count == 0 { return [] }
    let box = ResultBox<T>(count)
    let n = max(1, min(workers, count))
    withoutActuallyEscaping(makeState) { makeState in
        withoutActuallyEscaping(body) { body in
            let job = UncheckedSendable((makeState, body))
            DispatchQueue.concurrentPerform(iterations: n) { w in
                var state = job.value.0()
                var i = w
                while i < count {
                    box.set(i, Result { try job.value.1(i, &state) })
                    i += n
                }
            }
        }
    }
    return try box.results.map { try $0!.get() }
}

/// Like `parallelMap(_:state:_:)`, but with one caller-owned state per worker that lives across calls
/// (decompression contexts, scratch buffers): worker `w` uses `states[w]`.
public func parallelMap<State: AnyObject, T>(
    _ count: Int, states: [State], _ body: (Int, State) throws -> T
) throws -> [T] {
    if count == 0 { return [] }
    let box = ResultBox<T>(count)
    let n = max(1, min(states.count, count))
    withoutActuallyEscaping(body) { body in
        let job = UncheckedSendable((states, body))
        DispatchQueue.concurrentPerform(iterations: n) { w in
            let state = job.value.0[w]
            var i = w
            while i < count {
                box.set(i, Result { try job.value.1(i, state) })
                i += n
            }
        }
    }
    return try box.results.map { try $0!.get() }
}

/// Wraps a value that is only touched in a data-race-free way the compiler cannot see.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ v: T) { value = v }
}

private final class ResultBox<T>: @unchecked Sendable {
    var results: [Result<T, Error>?]
    let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ r: Result<T, Error>) {
        lock.lock()
        results[i] = r
        lock.unlock()
    }
}
