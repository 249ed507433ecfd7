import Storage

/// Spans not yet in a block, per tenant and trace. Every trace keeps the encoded chunks that were written to the
/// WAL, nothing decoded: a block page stores them as they are, the search index is built from their bytes, and a
/// lookup decodes the one trace it wants.
final class TraceHead: @unchecked Sendable {
    struct Entry {
        var chunks: [[UInt8]] = []
        var spanCount = 0
        var bytes = 0
        var minStart = Int64.max
        var maxEnd = Int64.min
        /// Spans and bytes of the trace that were already in blocks or in heads waiting for their blocks when
        /// its first span reached this head (for the per-trace limits); nil when there were none.
        var earlier: TraceCounts?

        mutating func add(_ c: TraceChunk) {
            chunks.append(c.encoded)
            spanCount += c.spanCount
            bytes += c.encoded.count
            minStart = min(minStart, c.minStart)
            maxEnd = max(maxEnd, c.maxEnd)
        }
    }

    var tenants: [String: [TraceID: Entry]] = [:]
    /// Per tenant, the traces whose `earlier` is set.
    private var split: [String: Set<TraceID>] = [:]
    private(set) var bytes = 0
    private(set) var spanCount = 0
    /// Monotonic seconds when the first span of this head arrived.
    private(set) var firstArrival: Double?
    /// Bumped on every change; search indexes built from the head are cached per generation.
    private(set) var generation = 0

    /// Unique for the process's lifetime (an object address may be reused once a flushed head is freed); keys the
    /// cached search index of this head.
    let serial: UInt64 = TraceHead.nextSerial()
    private static let serialLock = NSLockLike()
    nonisolated(unsafe) private static var lastSerial: UInt64 = 0

    private static func nextSerial() -> UInt64 {
        serialLock.lock()
        defer { serialLock.unlock() }
        lastSerial += 1
        return lastSerial
    }

    /// Guards `tenants` and `generation` against readers outside the store's lock (searches, lookups by id).
    private let lock = NSLockLike()

    var isEmpty: Bool { tenants.isEmpty }

    func entry(tenant: String, id: TraceID) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        return tenants[tenant]?[id]
    }

    /// The tenant's traces and the generation they belong to, or nil when the tenant has none here.
    func readTraces(tenant: String) -> (Int, [(TraceID, [[UInt8]])])? {
        lock.lock()
        defer { lock.unlock() }
        guard let t = tenants[tenant], !t.isEmpty else { return nil }
        return (generation, t.map { ($0.key, $0.value.chunks) })
    }

    /// Ids of the tenant's traces here that also have spans elsewhere (blocks or older heads).
    func splitTraces(tenant: String) -> [TraceID] {
        lock.lock()
        defer { lock.unlock() }
        return (split[tenant] ?? []).map { $0 }
    }

    /// Adds `traces`; `earlier(id)` is asked, for a trace new to this head, what other parts of it hold.
    func apply(tenant: String, _ traces: [TraceChunk], now: Double, earlier: (TraceID) -> TraceCounts?) {
        lock.lock()
        defer { lock.unlock() }
        if firstArrival == nil { firstArrival = now }
        // Mutate in place: copying the tenant's dictionary or a trace's entry per append would be quadratic.
        if tenants[tenant] == nil { tenants[tenant] = [:] }
        for c in traces {
            if tenants[tenant]![c.id] == nil {
                var e = Entry()
                e.earlier = earlier(c.id)
                if e.earlier != nil { split[tenant, default: []].insert(c.id) }
                tenants[tenant]![c.id] = e
            }
            tenants[tenant]![c.id]!.add(c)
            bytes += c.encoded.count
            spanCount += c.spanCount
        }
        generation += 1
    }
}

/// How much of a trace some part of the store holds.
struct TraceCounts: Sendable, Equatable {
    var spans = 0
    var bytes = 0
}

/// The spans of one trace from one request, encoded once for the WAL and the block (the decoded spans are not
/// kept).
struct TraceChunk: Sendable {
    var id: TraceID
    var encoded: [UInt8]
    var spanCount = 0
    var minStart = Int64.max
    var maxEnd = Int64.min

    /// Encodes `batches` (all spans of trace `id`).
    init(id: TraceID, batches: [ResourceSpans]) {
        var w = ByteWriter(capacity: 1024)
        SpanCodec.encode(batches, into: &w)
        self.init(id: id, batches: batches, encoded: w.bytes)
    }

    /// A chunk already encoded (by `OTLPProtobuf.decodeTraces`), with what it holds.
    init(id: TraceID, encoded: [UInt8], spanCount: Int, minStart: Int64, maxEnd: Int64) {
        self.id = id
        self.encoded = encoded
        self.spanCount = spanCount
        self.minStart = minStart
        self.maxEnd = maxEnd
    }

    /// Decodes a chunk read back from the WAL.
    init(id: TraceID, encoded: [UInt8]) throws {
        let batches = try encoded.withUnsafeBytes { raw -> [ResourceSpans] in
            var reader = ByteReader(raw)
            return try SpanCodec.decodeBatches(&reader)
        }
        self.init(id: id, batches: batches, encoded: encoded)
    }

    private init(id: TraceID, batches: [ResourceSpans], encoded: [UInt8]) {
        self.id = id
        self.encoded = encoded
        for b in batches {
            for s in b.scopes {
                for sp in s.spans {
                    spanCount += 1
                    minStart = min(minStart, sp.start)
                    maxEnd = max(maxEnd, sp.end)
                }
            }
        }
    }
}
