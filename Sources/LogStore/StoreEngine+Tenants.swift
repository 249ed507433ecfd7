extension StoreEngine {
    /// Tenants with data in blocks or heads, sorted.
    func tenants() -> [String] {
        cond.lock()
        defer { cond.unlock() }
        var out = Set(blocks.filter { !$0.value.isEmpty }.keys)
        for h in frozen.map(\.head) + [head] {
            for (tenant, streams) in h.tenants where !streams.isEmpty { out.insert(tenant) }
        }
        return out.sorted()
    }
}

extension LogStore {
    /// Tenants with stored data, sorted: whom `mclog serve`'s periodic rule evaluation looks at.
    public func tenants() -> [String] { engine.tenants() }
}
