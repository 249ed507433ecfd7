/// Splits a request's batches by trace id, keeping each span's resource and scope, and rejects spans that break
/// a per-span limit (attribute or name length). Traces come out in the order they first appear.
enum TraceSplitter {
    static func split(_ batches: [ResourceSpans], limits: TraceLimits, result: inout TraceAppendResult)
        -> [(TraceID, [ResourceSpans])]
    {
        var index: [TraceID: Int] = [:]
        var ids: [TraceID] = []
        var lists: [[ResourceSpans]] = []
        // Where each trace's last group came from (batch, scope): consecutive spans of one batch and scope share
        // a ResourceSpans/ScopeSpans without comparing resources.
        var lastGroup: [(Int, Int)] = []
        for (bi, b) in batches.enumerated() {
            if let problem = attributeProblem(b.resource, "resource", limits) {
                result.reject(b.spanCount, problem)
                continue
            }
            for (si, sc) in b.scopes.enumerated() {
                if let problem = attributeProblem(sc.scope.attributes, "instrumentation scope", limits) {
                    result.reject(sc.spans.count, problem)
                    continue
                }
                for span in sc.spans {
                    if let problem = spanProblem(span, limits) {
                        result.reject(1, problem)
                        continue
                    }
                    if let i = index[span.traceID] {
                        if lastGroup[i] == (bi, si) {
                            let last = lists[i].count - 1
                            lists[i][last].scopes[0].spans.append(span)
                        } else {
                            lists[i].append(ResourceSpans(resource: b.resource, scopes: [ScopeSpans(scope: sc.scope, spans: [span])]))
                            lastGroup[i] = (bi, si)
                        }
                    } else {
                        index[span.traceID] = lists.count
                        ids.append(span.traceID)
                        lists.append([ResourceSpans(resource: b.resource, scopes: [ScopeSpans(scope: sc.scope, spans: [span])])])
                        lastGroup.append((bi, si))
                    }
                }
            }
        }
        return zip(ids, lists).map { ($0, $1) }
    }

    static func spanProblem(_ s: Span, _ limits: TraceLimits) -> String? {
        if s.name.utf8.count > limits.maxSpanNameBytes {
            return "span \(s.spanID) of trace \(s.traceID) has a name of \(s.name.utf8.count) bytes, more than the limit max_span_name_bytes=\(limits.maxSpanNameBytes)"
        }
        if let p = attributeProblem(s.attributes, "span \(s.spanID) of trace \(s.traceID)", limits) { return p }
        for e in s.events {
            if let p = attributeProblem(e.attributes, "an event of span \(s.spanID) of trace \(s.traceID)", limits) { return p }
        }
        for l in s.links {
            if let p = attributeProblem(l.attributes, "a link of span \(s.spanID) of trace \(s.traceID)", limits) { return p }
        }
        return nil
    }

    /// The first attribute longer than the limit, described; `owner` is only built when one is (it formats ids).
    static func attributeProblem(_ attrs: [Attribute], _ owner: @autoclosure () -> String, _ limits: TraceLimits) -> String? {
        for a in attrs {
            let n = max(a.key.utf8.count, a.value.byteSize)
            if n > limits.maxAttributeBytes {
                return "attribute \(a.key.prefix(64)) of \(owner()) is \(n) bytes long, more than the limit max_attribute_bytes=\(limits.maxAttributeBytes)"
            }
        }
        return nil
    }
}
