import Foundation
import LogQL
import LogStore

/// Evaluates the detection rules on an interval inside `mclog serve`: every `interval`, for every tenant with
/// data, the rules run over the last `window` and their candidates open incidents or extend the stored ones
/// (`Correlator.detectAndStore`, the same pass as `mclog incidents detect`). Because each pass joins candidates
/// to overlapping stored incidents, consecutive passes over overlapping windows extend one incident instead of
/// opening duplicates. Runs on its own thread: evaluation is blocking store work.
public final class DetectionLoop: @unchecked Sendable {
    public struct Settings: Sendable {
        public var interval: Int64
        public var window: Int64
        public var margin: Int64

        public init(interval: Int64, window: Int64, margin: Int64 = 15 * 60_000_000_000) {
            self.interval = interval
            self.window = window
            self.margin = margin
        }
    }

    /// What one pass did for one tenant, for the server's log.
    public struct Pass: Sendable {
        public var tenant: String
        public var from: Int64
        public var to: Int64
        public var outcomes: [DetectionOutcome]
    }

    let engine: Engine
    let rules: [DetectionRule]
    let traces: TraceEvidenceSource?
    let settings: Settings
    let stores: @Sendable (String) throws -> any IncidentStore
    let tenants: @Sendable () -> [String]
    let now: @Sendable () -> Int64
    let report: @Sendable (Result<Pass, any Error>) -> Void

    private let cond = NSCondition()
    private var stopping = false
    private var thread: Thread?
    private var finished = false
    /// Completed passes (for tests and `/metrics`-style introspection).
    public private(set) var passes = 0

    /// - Parameters:
    ///   - stores: the incident store of a tenant (embedded or PostgreSQL).
    ///   - tenants: the tenants to evaluate on each pass (by default those with data in `logs`).
    ///   - now: the clock, Unix ns.
    ///   - report: called after each tenant's pass with what it did, or the error that stopped it.
    public init(logs: LogStore, rules: [DetectionRule], traces: TraceEvidenceSource?, settings: Settings,
                stores: @escaping @Sendable (String) throws -> any IncidentStore,
                tenants: (@Sendable () -> [String])? = nil,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) },
                report: @escaping @Sendable (Result<Pass, any Error>) -> Void = { _ in }) {
        engine = Engine(store: logs)
        self.rules = rules
        self.traces = traces
        self.settings = settings
        self.stores = stores
        self.tenants = tenants ?? { logs.tenants() }
        self.now = now
        self.report = report
    }

    /// One pass over every tenant now: evaluates `[now - window, now]` and stores what it finds.
    @discardableResult
    public func runOnce() -> [Pass] {
        let to = now()
        let from = to - settings.window
        var out: [Pass] = []
        for tenant in tenants() {
            do {
                let correlator = Correlator(engine: engine, rules: rules, traces: traces, tenant: tenant)
                correlator.margin = settings.margin
                let outcomes = try correlator.detectAndStore(into: try stores(tenant), from: from, to: to)
                let pass = Pass(tenant: tenant, from: from, to: to, outcomes: outcomes)
                out.append(pass)
                report(.success(pass))
            } catch {
                report(.failure(error))
            }
        }
        cond.lock()
        passes += 1
        cond.broadcast()
        cond.unlock()
        return out
    }

    /// Starts evaluating: a first pass right away, then one every `interval`.
    public func start() {
        guard settings.interval > 0, !rules.isEmpty else { return }
        let t = Thread { [self] in
            while true {
                runOnce()
                cond.lock()
                let deadline = Date(timeIntervalSinceNow: Double(settings.interval) / 1e9)
                while !stopping && cond.wait(until: deadline) {}
                let stop = stopping
                cond.unlock()
                if stop { break }
            }
            cond.lock()
            finished = true
            cond.broadcast()
            cond.unlock()
        }
        t.name = "mclog-incident-rules"
        cond.lock()
        thread = t
        cond.unlock()
        t.start()
    }

    /// Stops the loop and waits for a pass in progress to end.
    public func stopAndWait() {
        cond.lock()
        stopping = true
        cond.broadcast()
        while thread != nil && !finished { cond.wait() }
        cond.unlock()
    }

    /// Waits until at least `count` passes have completed or `timeout` seconds have passed; true if they have.
    public func waitForPasses(_ count: Int, timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        cond.lock()
        defer { cond.unlock() }
        while passes < count { if !cond.wait(until: deadline) { return passes >= count } }
        return true
    }
}
