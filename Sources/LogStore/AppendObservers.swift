import Foundation

/// Callbacks told of every batch after it is durable, in append order per caller (live tail uses them).
/// A callback runs on the appending thread, so it must be quick and must not append itself.
final class AppendObservers: @unchecked Sendable {
    typealias Observer = @Sendable (_ tenant: String, _ streams: [(LabelSet, EntryBatch)]) -> Void
    private let lock = NSLock()
    private var observers: [Int: Observer] = [:]
    private var nextID = 0

    func add(_ o: @escaping Observer) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        observers[nextID] = o
        return nextID
    }

    func remove(_ id: Int) {
        lock.lock()
        observers[id] = nil
        lock.unlock()
    }

    func notify(tenant: String, _ streams: [(LabelSet, EntryBatch)]) {
        lock.lock()
        let list = Array(observers.values)
        lock.unlock()
        for o in list { o(tenant, streams) }
    }
}
