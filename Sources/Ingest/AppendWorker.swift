import Foundation

/// The thread that runs the tailer's store appends, one at a time, so the tailer reads and parses the next
/// batch while the previous one is encoded, written to the WAL and fsync'd. At most one append is in flight:
/// `submit` requires the previous one to have been collected with `wait`.
final class AppendWorker: @unchecked Sendable {
    private let lock = NSCondition()
    private var job: (@Sendable () throws -> Void)?
    private var result: Result<Void, Error>?
    private var stopping = false
    private var thread: Thread?
    /// CPU time of this thread, added after every job (the tailer reports its own plus this).
    private let cpuNanos: LockedValue<Int64>

    init(cpuNanos: LockedValue<Int64>) {
        self.cpuNanos = cpuNanos
        let t = Thread { [self] in loop() }
        t.name = "mclog-ingest-append"
        thread = t
        t.start()
    }

    /// Starts `append` on the worker thread.
    func submit(_ append: @escaping @Sendable () throws -> Void) {
        lock.lock()
        precondition(job == nil && result == nil, "one append in flight at most")
        job = append
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the submitted append and returns its outcome; nil when nothing was submitted.
    func wait() -> Result<Void, Error>? {
        lock.lock()
        defer { lock.unlock() }
        guard job != nil || result != nil else { return nil }
        while result == nil { lock.wait() }
        let r = result
        result = nil
        return r
    }

    /// Finishes the append in flight (its result is dropped) and ends the thread.
    func shutdown() {
        lock.lock()
        stopping = true
        lock.broadcast()
        while thread != nil { lock.wait() }
        lock.unlock()
    }

    private func loop() {
        lock.lock()
        while true {
            while job == nil && !stopping { lock.wait() }
            guard let append = job else { break }
            lock.unlock()
            let start = IngestRunner.threadCPUNanos()
            let r = Result { try append() }
            let used = IngestRunner.threadCPUNanos() - start
            cpuNanos.withLock { $0 += used }
            lock.lock()
            job = nil
            result = r
            lock.broadcast()
        }
        thread = nil
        lock.broadcast()
        lock.unlock()
    }
}
