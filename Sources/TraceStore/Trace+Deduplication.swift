extension Trace {
    /// `batches` without spans seen before in them: the same span id and kind (an exporter's retry, or a part
    /// stored twice), keeping the first. A client and a server span may share an id (Zipkin's shared spans), so
    /// the kind is part of the identity, as in Tempo's trace combiner. Batches and scopes left empty are dropped.
    static func deduplicated(_ batches: [ResourceSpans]) -> [ResourceSpans] {
        var seen = Set<SpanKey>()
        var duplicates = false
        for b in batches {
            for sc in b.scopes {
                for s in sc.spans where !seen.insert(SpanKey(s)).inserted { duplicates = true }
            }
        }
        guard duplicates else { return batches }
        seen.removeAll(keepingCapacity: true)
        var out: [ResourceSpans] = []
        for b in batches {
            var kept = b
            kept.scopes = b.scopes.compactMap { sc in
                var s = sc
                s.spans = sc.spans.filter { seen.insert(SpanKey($0)).inserted }
                return s.spans.isEmpty ? nil : s
            }
            if !kept.scopes.isEmpty { out.append(kept) }
        }
        return out
    }
}

/// A span's identity within its trace.
struct SpanKey: Hashable {
    var id: UInt64
    var kind: UInt8

    init(_ s: Span) {
        id = s.spanID.value
        kind = s.kind.rawValue
    }
}
