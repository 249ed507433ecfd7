/// Bounds the queries each tenant runs at once: up to `maxRunning` run, up to `maxQueued` wait in order, and
/// any more are refused (429), so that one tenant's dashboard storm cannot starve the others or exhaust memory.
actor QueryGate {
    let maxRunning: Int
    let maxQueued: Int
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(maxRunning: Int, maxQueued: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxQueued = max(0, maxQueued)
    }

    func acquire(tenant: String) async throws {
        if running[tenant, default: 0] < maxRunning {
            running[tenant, default: 0] += 1
            return
        }
        guard waiting[tenant, default: []].count < maxQueued else {
            throw APIError(.tooManyRequests,
                           "too many outstanding requests for tenant \(tenant): \(maxRunning) running and \(maxQueued) queued (limits max_concurrent_queries_per_tenant, max_queued_queries_per_tenant)")
        }
        // The slot is handed over by `release`, which leaves `running` unchanged.
        await withCheckedContinuation { waiting[tenant, default: []].append($0) }
    }

    /// Queries of the tenant waiting for a slot.
    func queued(tenant: String) -> Int { waiting[tenant]?.count ?? 0 }

    func release(tenant: String) {
        if var w = waiting[tenant], !w.isEmpty {
            let next = w.removeFirst()
            waiting[tenant] = w
            next.resume()
        } else {
            running[tenant, default: 1] -= 1
        }
    }

    /// Runs `body` holding one of the tenant's slots.
    func withSlot<T: Sendable>(tenant: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire(tenant: tenant)
        do {
            let v = try await body()
            release(tenant: tenant)
            return v
        } catch {
            release(tenant: tenant)
            throw error
        }
    }
}
