import Foundation
import LogQL
import LogStore

/// One `/loki/api/v1/tail` client. It first sends the newest `limit` stored entries since `start`, then every
/// entry appended afterwards that passes the query, as Loki's tail messages. Live entries come from the store's
/// append observers (after they are durable) into a bounded buffer; when a slow client lets it fill, further
/// entries are dropped and reported in `dropped_entries`, as Loki's ingester tailers do.
final class TailSession: @unchecked Sendable {
    let engine: Engine
    let tenant: String
    let query: LogQuery
    let start: Int64
    let limit: Int
    /// Most entries buffered for a client before entries are dropped.
    let maxBuffered: Int

    private let lock = NSLock()
    private let filter: LiveFilter
    private var buffered: [(ts: Int64, labels: [Label], line: String)] = []
    private var dropped: [(labels: [Label], ts: Int64)] = []
    private var wake: AsyncStream<Void>.Continuation?
    /// Entries sent with the history, so that one also appended live is not sent twice.
    private var sentInHistory = Set<Int>()
    private var historyEnd = Int64.min

    init(engine: Engine, tenant: String, query: LogQuery, start: Int64, limit: Int, maxBuffered: Int = 10_000) throws {
        self.engine = engine
        self.tenant = tenant
        self.query = query
        self.start = start
        self.limit = limit
        self.maxBuffered = maxBuffered
        self.filter = try LiveFilter(query)
    }

    /// A stream that yields whenever live entries are waiting.
    func wakeups() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        lock.lock()
        wake = continuation
        lock.unlock()
        return stream
    }

    /// Append-observer callback: filters the batch through the query and buffers what passes.
    func offer(tenant: String, _ streams: [(LabelSet, EntryBatch)]) {
        guard tenant == self.tenant else { return }
        lock.lock()
        var added = false
        for (labels, batch) in streams where filter.matches(stream: labels) {
            batch.text.withUnsafeBytes { text in
                for i in 0..<batch.count {
                    let line = UnsafeRawBufferPointer(rebasing: text[batch.lineRange(i)])
                    guard let r = filter.process(stream: labels, metadata: batch.metadata(i),
                                                 timestamp: batch.timestamps[i], line: line)
                    else { continue }
                    if buffered.count < maxBuffered {
                        buffered.append((batch.timestamps[i], r.labels, r.line))
                        added = true
                    } else {
                        dropped.append((r.labels, batch.timestamps[i]))
                    }
                }
            }
        }
        let w = wake
        lock.unlock()
        if added || !dropped.isEmpty { w?.yield() }
    }

    /// The newest `limit` stored entries in `[start, now]`, oldest first, as a tail message (nil when none).
    func history(now: Int64) throws -> String? {
        let params = QueryParams(tenant: tenant, start: start, end: now + 1, limit: limit, direction: .backward)
        let (result, _) = try engine.execute(.log(query), params)
        guard case .streams(let streams) = result else { return nil }
        var rows: [(ts: Int64, labels: [Label], line: String)] = []
        for s in streams { for e in s.entries { rows.append((e.0, s.labels, e.1)) } }
        lock.lock()
        historyEnd = now
        for r in rows { sentInHistory.insert(Self.key(r.ts, r.labels, r.line)) }
        lock.unlock()
        return Self.message(rows, dropped: [])
    }

    /// Takes what was appended since the last call, oldest first, as a tail message (nil when nothing).
    func drain() -> String? {
        lock.lock()
        var rows = buffered
        let lost = dropped
        buffered.removeAll(keepingCapacity: true)
        dropped.removeAll()
        let end = historyEnd
        let seen = sentInHistory
        lock.unlock()
        rows.removeAll { $0.ts <= end && seen.contains(Self.key($0.ts, $0.labels, $0.line)) }
        return Self.message(rows, dropped: lost)
    }

    static func key(_ ts: Int64, _ labels: [Label], _ line: String) -> Int {
        var h = Hasher()
        h.combine(ts)
        h.combine(labels)
        h.combine(line)
        return h.finalize()
    }

    /// `{"streams":[{"stream":{…},"values":[["ns","line"],…]}],"dropped_entries":[…]|null}`
    static func message(_ rows: [(ts: Int64, labels: [Label], line: String)], dropped: [(labels: [Label], ts: Int64)])
        -> String?
    {
        guard !rows.isEmpty || !dropped.isEmpty else { return nil }
        let sorted = rows.enumerated().sorted { ($0.element.ts, $0.offset) < ($1.element.ts, $1.offset) }.map(\.element)
        var order: [[Label]] = []
        var grouped: [[Label]: [String]] = [:]
        for r in sorted {
            if grouped[r.labels] == nil { order.append(r.labels) }
            grouped[r.labels, default: []].append("[\"\(r.ts)\"," + ResultJSON.quote(r.line) + "]")
        }
        let streams = order.map { "{\"stream\":" + ResultJSON.labelsObject($0) + ",\"values\":[" + grouped[$0]!.joined(separator: ",") + "]}" }
        let lost = dropped.isEmpty ? "null"
            : "[" + dropped.map { "{\"labels\":" + ResultJSON.labelsObject($0.labels) + ",\"timestamp\":\"\($0.ts)\"}" }
                .joined(separator: ",") + "]"
        return "{\"streams\":[" + streams.joined(separator: ",") + "],\"dropped_entries\":" + lost + "}"
    }
}
