import LogStore

/// `traces:` of `mclog.yaml`: how long the span store keeps trace blocks and how often it compacts them. Plain
/// values here (Ingest does not depend on the span store); `mclog` hands them to `TraceStoreOptions`.
public struct TraceSettings: Sendable, Equatable {
    /// Seconds a trace block is kept after its newest span ended (Tempo's
    /// `compactor.compaction.block_retention`); 0 keeps blocks forever, as `limits.retention` does for logs.
    public var retentionSeconds: Int64 = 0
    public var retentionByTenant: [String: Int64] = [:]
    /// Seconds between compaction and retention passes of `mclog serve`; 0 turns them off.
    public var compactionIntervalSeconds: Double = 60

    public init() {}
}

extension YAMLCursor {
    /// `{retention: 14d, retention_by_tenant: {tenant: 30d}, compaction_interval: 1m}`.
    func traces() throws -> TraceSettings {
        var s = TraceSettings()
        let k = try mapping(allowed: ["retention", "retention_by_tenant", "compaction_interval"])
        if let v = k["retention"] { s.retentionSeconds = try v.duration() / 1_000_000_000 }
        if let v = k["retention_by_tenant"] {
            for (tenant, d) in try v.pairs() {
                do { try Tenant.validate(tenant) } catch { throw d.error("\(error)") }
                s.retentionByTenant[tenant] = try d.duration() / 1_000_000_000
            }
        }
        if let v = k["compaction_interval"] {
            let ns = try v.duration()
            if ns != 0 && ns < 1_000_000_000 { throw v.error("must be at least 1s (or 0 to turn compaction off)") }
            s.compactionIntervalSeconds = Double(ns) / 1e9
        }
        return s
    }
}
