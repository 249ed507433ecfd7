import LogStore

extension LogQuery {
    /// Structured-metadata pairs every line the query keeps must carry, for the store to skip pages whose
    /// metadata filter lacks them (`SelectRequest.metadataHints`): the `name="value"` matchers of label-filter
    /// stages, joined by `and`, that come before any stage that could set or change labels (a parser such as
    /// `| json`, `label_format`, `drop`, `keep`, `line_format`…), since after one the label might come from the
    /// line. Empty values (which also match a missing label) and `__…__` names give no hint. The pipeline still
    /// evaluates every filter; the hint only saves reading pages.
    public func metadataHints() -> [Label] {
        var hints: [Label] = []
        for stage in stages {
            switch stage {
            case .lineFilter: continue
            case .labelFilter(let f): LogQuery.collectEqualities(f, into: &hints)
            default: return hints
            }
        }
        return hints
    }

    private static func collectEqualities(_ f: LabelFilterExpr, into hints: inout [Label]) {
        switch f {
        case .string(let m):
            if m.op == .eq, !m.value.isEmpty, !m.name.hasPrefix("__") { hints.append(Label(m.name, m.value)) }
        case .and(let a, let b):
            collectEqualities(a, into: &hints)
            collectEqualities(b, into: &hints)
        case .or, .numeric, .ip: return
        }
    }
}
