import LogQL
import LogStore

extension Correlator {
    /// Trace ids shown per span group in the post-mortem.
    static let traceIDsShown = 10
    /// Trace ids asked for in one log query (a `trace_id=~"a|b|…"` filter).
    static let traceIDsPerQuery = 100

    /// The span groups of the searched window, each linked to the error and warning log lines that carry one of
    /// its trace ids: those ids move to the front (they are the ones worth opening), and the group records how
    /// many lines share them. Reads the logs through the engine with the same zone scope as the signatures.
    func traceEvidence(_ source: TraceEvidenceSource, zones: [String], from: Int64, to: Int64) throws -> [SpanGroup] {
        var groups = try source.spanGroups(tenant: tenant, from: from, to: to, zones: zones, slowerThan: slowSpan)
        try cancellation?.check()
        let ids = Set(groups.flatMap(\.traceIDs)).sorted()
        var lines: [String: Int] = [:]
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(ids.count, start + Self.traceIDsPerQuery)]
            start += Self.traceIDsPerQuery
            let q = LogQLText.selector([#"level=~"critical|error|warn""#], zones: zones)
                + " | trace_id=~" + LogQLText.quote(chunk.joined(separator: "|"))
            var params = logParams(from: from, to: to, limit: maxSignatureLines)
            params.categorizeLabels = true
            guard case .streams(let streams) = try engine.execute(q, params).0 else { continue }
            for s in streams {
                let streamID = s.labels.first { $0.name == "trace_id" }?.value
                for e in s.entries {
                    if let id = e.metadata.first(where: { $0.name == "trace_id" })?.value ?? streamID { lines[id, default: 0] += 1 }
                }
            }
        }
        for i in groups.indices {
            let linked = groups[i].traceIDs.filter { lines[$0] != nil }
            groups[i].linkedTraceIDs = Array(linked.prefix(Self.traceIDsShown))
            groups[i].linkedLogLines = linked.reduce(0) { $0 + lines[$1]! }
            let rest = groups[i].traceIDs.filter { lines[$0] == nil }
            groups[i].traceIDs = Array((linked + rest).prefix(Self.traceIDsShown))
        }
        return groups
    }
}
