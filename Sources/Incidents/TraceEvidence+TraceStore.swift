import TraceStore

/// Trace evidence from mclog's span store: the spans of the window that ended in error or took longer than the
/// slow threshold, found with a TraceQL search (`{ (status = error || duration > T) && (.zone = "z" || …) }`)
/// and grouped by service and operation (span name). With a zone scope only spans whose `zone` attribute (on the
/// span or its resource) names one of the zones count: spans without one cannot be placed in a zone, and
/// counting them would blame every zone for another zone's errors.
public struct TraceStoreEvidence: TraceEvidenceSource {
    public let store: TraceStore
    /// Trace ids kept per group (the earliest ones), for linking to log lines; the post-mortem shows a few.
    public var traceIDsPerGroup = 200

    public init(store: TraceStore) { self.store = store }

    /// The TraceQL expression searched, for the evidence text.
    public static func query(zones: [String], slowerThan: Int64) -> SpansetExpr {
        let bad = FieldExpr.or(.compare(.intrinsic(.status), .eq, .status(.error)),
                               .compare(.intrinsic(.duration), .gt, .duration(slowerThan)))
        guard let first = zones.first else { return .filter(bad) }
        let zone: (String) -> FieldExpr = { .compare(.attribute(.unscoped, "zone"), .eq, .string($0)) }
        let inZones = zones.dropFirst().reduce(zone(first)) { .or($0, zone($1)) }
        return .filter(.and(bad, inZones))
    }

    public func spanGroups(tenant: String, from: Int64, to: Int64, zones: [String], slowerThan: Int64) throws -> [SpanGroup] {
        var request = TraceSearchRequest(query: Self.query(zones: zones, slowerThan: slowerThan))
        request.start = from
        request.end = to
        request.limit = .max
        request.spansPerSpanSet = .max
        struct Key: Hashable { var service: String, operation: String }
        var groups: [Key: SpanGroup] = [:]
        var seen: [Key: Set<String>] = [:]
        for trace in try store.search(tenant: tenant, request).traces {
            let id = trace.traceID.description
            for span in trace.spans where span.start >= from && span.start < to {
                let error = span.attributes[key: "status"] == .string(StatusCode.error.name)
                let slow = span.duration > slowerThan
                guard error || slow else { continue }
                let key = Key(service: span.service, operation: span.name)
                var g = groups[key] ?? SpanGroup(service: span.service, operation: span.name, errorSpans: 0, slowSpans: 0,
                                                 firstSeen: span.start, lastSeen: span.start, traceIDs: [])
                if error { g.errorSpans += 1 }
                if slow { g.slowSpans += 1 }
                g.firstSeen = min(g.firstSeen, span.start)
                g.lastSeen = max(g.lastSeen, span.start)
                if seen[key, default: []].insert(id).inserted { g.traceIDs.append(id) }
                groups[key] = g
            }
        }
        // The earliest traces of each group first (search answers newest first).
        return groups.map { key, g -> SpanGroup in
            var g = g
            g.traceIDs = Array(g.traceIDs.reversed().prefix(traceIDsPerGroup))
            return g
        }.sorted { ($0.firstSeen, $0.service, $0.operation) < ($1.firstSeen, $1.service, $1.operation) }
    }
}
