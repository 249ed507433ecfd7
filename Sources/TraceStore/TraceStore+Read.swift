import Foundation
import Storage

extension TraceStore {
    /// Every stored span of trace `id` for `tenant` — from blocks (bloom, then sorted ids, then one page),
    /// heads waiting for their blocks and the live head — or nil when there is none.
    /// A span sent twice (an exporter's retry, the same part replayed) is returned once.
    public func trace(tenant: String, id: TraceID) throws -> Trace? {
        let (blockList, heads, _) = snapshot(tenant: tenant)
        return try Self.collect(id, tenant: tenant, blocks: blockList, heads: heads, decompressor: Decompressor())
    }

    static func collect(_ id: TraceID, tenant: String, blocks: [TraceBlock], heads: [TraceHead],
                        decompressor d: Decompressor) throws -> Trace? {
        let chunks = try collectChunks(id, tenant: tenant, blocks: blocks, heads: heads, decompressor: d)
        guard !chunks.isEmpty else { return nil }
        var batches: [ResourceSpans] = []
        for c in chunks {
            try c.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                batches += try SpanCodec.decodeBatches(&r)
            }
        }
        return Trace(id: id, batches: Trace.deduplicated(batches))
    }

    /// The encoded chunks of trace `id` in `blocks` and `heads`, oldest part first.
    static func collectChunks(_ id: TraceID, tenant: String, blocks: [TraceBlock], heads: [TraceHead],
                              decompressor d: Decompressor) throws -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        for b in blocks {
            if let found = try b.chunks(of: id, decompressor: d) { chunks += found }
        }
        for h in heads { if let e = h.entry(tenant: tenant, id: id) { chunks += e.chunks } }
        return chunks
    }

    /// The tenant's blocks, heads (frozen first, then live) and the traces split between them, taken under the
    /// lock.
    func snapshot(tenant: String) -> ([TraceBlock], [TraceHead], Set<TraceID>) {
        cond.lock()
        defer { cond.unlock() }
        let heads = frozen.map(\.head) + [head]
        var split = splitIDs[tenant] ?? []
        for h in heads { split.formUnion(h.splitTraces(tenant: tenant)) }
        return (blocks[tenant] ?? [], heads, split)
    }

    /// What a search reads: the search indexes of the tenant's blocks overlapping `[start, end]` (cached) and of
    /// its heads, in which the rows of split traces are skipped, and one more index built from those traces
    /// whole (every part, de-duplicated), so that each trace is evaluated once and entire.
    struct SearchView {
        var tables: [(table: SpanTable, skip: Set<TraceID>)] = []

        var inspectedTraces: Int { tables.reduce(0) { $0 + $1.table.traceCount - $1.skip.count } }
    }

    func searchView(tenant: String, start: Int64 = .min, end: Int64 = .max) throws -> SearchView {
        let (blockList, heads, split) = snapshot(tenant: tenant)
        var tables: [SpanTable] = []
        for b in blockList where b.meta.maxTime >= start && b.meta.minTime <= end {
            tables.append(try searchCache.table(for: b))
        }
        let live = Set(heads.map(\.serial))
        for h in heads {
            if let t = try searchCache.headTable(h, tenant: tenant, live: live) { tables.append(t) }
        }
        var view = SearchView()
        guard !split.isEmpty else {
            view.tables = tables.map { ($0, []) }
            return view
        }
        // Split traces with a part in the range, and the rows to skip in each table.
        var wanted = Set<TraceID>()
        for table in tables {
            var skip = Set<TraceID>()
            for t in 0..<table.traceCount where split.contains(table.traceIDs[t]) {
                skip.insert(table.traceIDs[t])
                if table.traceEnd[t] >= start && table.traceStart[t] <= end { wanted.insert(table.traceIDs[t]) }
            }
            view.tables.append((table, skip))
        }
        var whole: [(TraceID, [[UInt8]])] = []
        let d = Decompressor()
        for id in wanted.sorted() {
            let chunks = try Self.collectChunks(id, tenant: tenant, blocks: blockList, heads: heads, decompressor: d)
            if !chunks.isEmpty { whole.append((id, chunks)) }
        }
        if !whole.isEmpty { view.tables.append((try SpanTable.build(chunks: whole), [])) }
        return view
    }

    /// Traces matching `request`, newest first, at most `request.limit`.
    public func search(tenant: String, _ request: TraceSearchRequest) throws -> TraceSearchResponse {
        var merged: [TraceID: TraceSearchResult] = [:]
        var response = TraceSearchResponse()
        let wanted = Set(request.query.comparisons.map(\.0).map(\.description))
        let comparisons = request.query.comparisons
        let view = try searchView(tenant: tenant, start: request.start, end: request.end)
        response.inspectedTraces = view.inspectedTraces
        for (table, skip) in view.tables {
            response.inspectedSpans += table.spanCount
            let ev = try TraceQLEvaluator(table: table, expr: request.query)
            for t in 0..<table.traceCount {
                guard table.traceEnd[t] >= request.start, table.traceStart[t] <= request.end else { continue }
                if !skip.isEmpty && skip.contains(table.traceIDs[t]) { continue }
                let spans = ev.evaluate(trace: t)
                guard !spans.isEmpty else { continue }
                var r = TraceSearchResult(traceID: table.traceIDs[t], start: table.traceStart[t], end: table.traceEnd[t])
                let root = Int(table.traceRoot[t])
                if root >= 0 {
                    r.rootServiceName = table.strings[Int(table.service(ofSpan: root))]
                    r.rootTraceName = table.strings[Int(table.spanName[root])]
                    r.rootStart = table.spanStart[root]
                }
                let lo = Int(table.traceSpans[t]), hi = Int(table.traceSpans[t + 1])
                r.spanCount = hi - lo
                r.errorCount = (lo..<hi).reduce(0) { $0 + (table.spanStatus[$1] == StatusCode.error.rawValue ? 1 : 0) }
                r.matched = spans.count
                r.spans = spans.prefix(max(0, request.spansPerSpanSet)).map {
                    matchedSpan(table, Int($0), trace: t, comparisons: comparisons, wanted: wanted)
                }
                if let old = merged[r.traceID] {
                    merged[r.traceID] = old.merged(with: r, spansPerSpanSet: request.spansPerSpanSet)
                } else {
                    merged[r.traceID] = r
                }
            }
        }
        var results = Array(merged.values)
        if let m = request.minDuration { results.removeAll { $0.duration < m } }
        if let m = request.maxDuration { results.removeAll { $0.duration > m } }
        results.sort { ($0.start, $0.traceID) > ($1.start, $1.traceID) }
        response.traces = Array(results.prefix(request.limit))
        return response
    }

    private func matchedSpan(_ t: SpanTable, _ s: Int, trace: Int, comparisons: [(Operand, CompareOp, Literal)],
                             wanted: Set<String>) -> MatchedSpan {
        var m = MatchedSpan(spanID: SpanID(t.spanID[s]), name: t.strings[Int(t.spanName[s])],
                            service: t.strings[Int(t.service(ofSpan: s))], start: t.spanStart[s],
                            duration: t.spanDuration[s])
        var seen = Set<String>()
        for (operand, _, _) in comparisons where seen.insert(operand.description).inserted {
            switch operand {
            case .intrinsic(.status):
                m.attributes.append(Attribute("status", .string(StatusCode(rawValue: t.spanStatus[s])?.name ?? "unset")))
            case .intrinsic(.kind):
                m.attributes.append(Attribute("kind", .string(SpanKind(rawValue: t.spanKind[s])?.name ?? "unspecified")))
            case .intrinsic(.statusMessage):
                m.attributes.append(Attribute("statusMessage", .string(t.strings[Int(t.spanStatusMessage[s])])))
            case .intrinsic: break  // name and duration are fields of the span already
            case .attribute(let scope, let name):
                if let v = attributeValue(t, span: s, scope: scope, name: name) { m.attributes.append(Attribute(name, v)) }
            }
        }
        return m
    }

    func attributeValue(_ t: SpanTable, span s: Int, scope: AttributeScope, name: String) -> AttributeValue? {
        guard let key = t.id(of: name) else { return nil }
        var rows: [(Range<Int>, SpanTable.AttrScope)] = []
        let g = Int(t.spanGroup[s])
        switch scope {
        case .span: rows = [(t.spanRange(span: s), .span)]
        case .resource: rows = [(t.resourceRange(group: g), .resource)]
        case .unscoped: rows = [(t.spanRange(span: s), .span), (t.resourceRange(group: g), .resource)]
        case .event: rows = [(t.spanRange(span: s), .event)]
        case .link: rows = [(t.spanRange(span: s), .link)]
        case .instrumentation: rows = [(t.scopeRange(group: g), .instrumentation)]
        }
        for (r, sc) in rows {
            if let i = TraceQLEvaluator.first(t, r, key, sc.rawValue) { return t.value(row: i) }
        }
        return nil
    }

    // MARK: Tags

    /// Attribute names per scope (`span`, `resource`, `event`, `link`, `instrumentation`) of the tenant's spans
    /// overlapping `[start, end]`, sorted.
    public func tagNames(tenant: String, start: Int64 = .min, end: Int64 = .max) throws -> [String: [String]] {
        var out: [UInt8: Set<Int>] = [:]
        var names: [String: Set<String>] = [:]
        for (t, _) in try searchView(tenant: tenant, start: start, end: end).tables {
            out.removeAll(keepingCapacity: true)
            for i in 0..<t.attrKey.count { out[t.attrScope[i], default: []].insert(Int(t.attrKey[i])) }
            for (scope, keys) in out {
                let name = SpanTable.AttrScope(rawValue: scope).map(Self.scopeName) ?? "span"
                names[name, default: []].formUnion(keys.map { t.strings[$0] })
            }
        }
        return names.mapValues { $0.sorted() }
    }

    static func scopeName(_ s: SpanTable.AttrScope) -> String {
        switch s {
        case .span: "span"
        case .resource: "resource"
        case .event: "event"
        case .link: "link"
        case .instrumentation: "instrumentation"
        }
    }

    /// Distinct values of a tag: an attribute (`service.name` in any scope, or scoped `resource.service.name`,
    /// `span.http.method`, `.x`) or an intrinsic (`name`, `status`, `kind`, `rootName`, `rootServiceName`,
    /// `statusMessage`). Sorted, at most `limit`.
    public func tagValues(tenant: String, tag: String, start: Int64 = .min, end: Int64 = .max, limit: Int = 1000)
        throws -> [AttributeValue]
    {
        var seen = Set<String>()
        var values: [AttributeValue] = []
        func add(_ v: AttributeValue) {
            let key = v.typeName + ":" + v.text
            if seen.insert(key).inserted { values.append(v) }
        }
        let intrinsic: Intrinsic? = ["name": .name, "span:name": .name, "status": .status, "span:status": .status,
                                     "kind": .kind, "span:kind": .kind, "rootName": .rootName,
                                     "trace:rootName": .rootName, "rootServiceName": .rootServiceName,
                                     "trace:rootService": .rootServiceName, "statusMessage": .statusMessage][tag]
        var scope: AttributeScope? = nil
        var name = tag
        for (prefix, s) in [("span.", AttributeScope.span), ("resource.", .resource), ("event.", .event),
                            ("link.", .link), ("instrumentation.", .instrumentation), (".", .unscoped)]
            where tag.hasPrefix(prefix)
        {
            scope = s
            name = String(tag.dropFirst(prefix.count))
            break
        }
        for (t, skip) in try searchView(tenant: tenant, start: start, end: end).tables {
            if let intrinsic {
                switch intrinsic {
                case .name: for n in Set(t.spanName) { add(.string(t.strings[Int(n)])) }
                case .statusMessage: for n in Set(t.spanStatusMessage) where n != 0 { add(.string(t.strings[Int(n)])) }
                case .status: for s in Set(t.spanStatus) { add(.string(StatusCode(rawValue: s)?.name ?? "unset")) }
                case .kind: for k in Set(t.spanKind) { add(.string(SpanKind(rawValue: k)?.name ?? "unspecified")) }
                case .rootName, .rootServiceName:
                    // A part of a split trace has no true root; the whole trace's table has it.
                    for (i, r) in t.traceRoot.enumerated() where r >= 0 && !skip.contains(t.traceIDs[i]) {
                        let id = intrinsic == .rootName ? t.spanName[Int(r)] : t.service(ofSpan: Int(r))
                        add(.string(t.strings[Int(id)]))
                    }
                default: break
                }
                continue
            }
            guard let key = t.id(of: name) else { continue }
            let scopes: Set<UInt8>
            switch scope {
            case nil: scopes = [0, 1, 2, 3, 4]
            case .unscoped?: scopes = [0, 1]
            case .span?: scopes = [0]
            case .resource?: scopes = [1]
            case .event?: scopes = [2]
            case .link?: scopes = [3]
            case .instrumentation?: scopes = [4]
            }
            var rows = Set<Int>()  // (type, value) pairs, deduplicated before building values
            for i in 0..<t.attrKey.count where t.attrKey[i] == key && scopes.contains(t.attrScope[i]) {
                var h = Hasher()
                h.combine(t.attrType[i])
                h.combine(t.attrValue[i])
                if rows.insert(h.finalize()).inserted { add(t.value(row: i)) }
            }
        }
        values.sort { ($0.text, $0.typeName) < ($1.text, $1.typeName) }
        return Array(values.prefix(limit))
    }
}

extension SpanTable {
    func value(row i: Int) -> AttributeValue {
        switch ValueType(rawValue: attrType[i]) {
        case .int: .int(attrValue[i])
        case .double: .double(Double(bitPattern: UInt64(bitPattern: attrValue[i])))
        case .bool: .bool(attrValue[i] != 0)
        default: .string(strings[Int(attrValue[i])])
        }
    }
}

/// A search: a TraceQL expression, a time range the trace must overlap, trace duration bounds and a limit.
public struct TraceSearchRequest: Sendable {
    public var query: SpansetExpr
    /// Unix ns; a trace matches when its span times overlap `[start, end]`.
    public var start: Int64 = .min
    public var end: Int64 = .max
    /// Bounds on the trace's duration (first span start to last span end), ns.
    public var minDuration: Int64?
    public var maxDuration: Int64?
    public var limit = 20
    /// Matched spans reported per trace (Tempo's `spss`, default 3).
    public var spansPerSpanSet = 3

    public init(query: SpansetExpr) { self.query = query }
}

public struct TraceSearchResponse: Sendable {
    public var traces: [TraceSearchResult] = []
    public var inspectedTraces = 0
    public var inspectedSpans = 0
}

/// One matching trace: its root, time span, counts, and the first matched spans.
public struct TraceSearchResult: Sendable {
    public var traceID: TraceID
    public var rootServiceName: String?
    public var rootTraceName: String?
    var rootStart = Int64.max
    public var start: Int64
    public var end: Int64
    public var spanCount = 0
    public var errorCount = 0
    /// Spans the query matched (all of them; `spans` holds the first few).
    public var matched = 0
    public var spans: [MatchedSpan] = []

    public var duration: Int64 { max(0, end - start) }

    init(traceID: TraceID, start: Int64, end: Int64) {
        self.traceID = traceID
        self.start = start
        self.end = end
    }

    /// The same trace found in another block or head.
    func merged(with o: TraceSearchResult, spansPerSpanSet: Int) -> TraceSearchResult {
        var r = self
        r.start = min(start, o.start)
        r.end = max(end, o.end)
        if o.rootServiceName != nil && (rootServiceName == nil || o.rootStart < rootStart) {
            r.rootServiceName = o.rootServiceName
            r.rootTraceName = o.rootTraceName
            r.rootStart = o.rootStart
        }
        r.spanCount += o.spanCount
        r.errorCount += o.errorCount
        r.matched += o.matched
        r.spans = Array((spans + o.spans).sorted { $0.start < $1.start }.prefix(spansPerSpanSet))
        return r
    }
}

public struct MatchedSpan: Sendable {
    public var spanID: SpanID
    public var name: String
    public var service: String
    public var start: Int64
    public var duration: Int64
    /// The span's values of the attributes and intrinsics the query compared.
    public var attributes: [Attribute] = []
}
