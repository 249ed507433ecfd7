import LogStore

/// One series of a metric result: labels and points (ns timestamp, value).
public struct Series: Sendable {
    public var labels: [Label]
    public var points: [(Int64, Double)]

    public init(labels: [Label], points: [(Int64, Double)]) {
        self.labels = labels
        self.points = points
    }
}

/// One stream of a log result.
public struct StreamResult: Sendable {
    public var labels: [Label]
    /// Timestamp (ns), line, and — filled when the query categorizes labels (`QueryParams.categorizeLabels`) —
    /// the entry's structured metadata and parsed labels, which then are not part of `labels`.
    public var entries: [(timestamp: Int64, line: String, metadata: [Label], parsed: [Label])]
}

/// What a query returns, in Loki's four result types.
public enum QueryResult: Sendable {
    case streams([StreamResult])
    case matrix([Series])
    case vector([(labels: [Label], timestamp: Int64, value: Double)])
    case scalar(timestamp: Int64, value: Double)

    public var typeName: String {
        switch self {
        case .streams: "streams"
        case .matrix: "matrix"
        case .vector: "vector"
        case .scalar: "scalar"
        }
    }
}

/// Loki-style query statistics.
public struct QueryStats: Sendable {
    public var store = SelectStats()
    public var linesProcessed = 0
    public var bytesProcessed = 0
    public var entriesReturned = 0
    public var postFilterLines = 0
    public var execSeconds = 0.0
}

/// How a query runs: its time range, step, limit and direction.
public struct QueryParams: Sendable {
    public var tenant: String
    /// Range `[start, end]` in ns; log queries read `[start, end)`, metric queries evaluate at start, start+step, … ≤ end.
    public var start: Int64
    public var end: Int64
    public var step: Int64
    /// Instant metric query evaluated at `end`.
    public var instant: Bool
    public var limit: Int
    public var direction: Direction
    /// Most series a metric query may return (Loki's `max_query_series`, 500).
    public var maxSeries: Int
    public var useBloom = true
    /// Stops the query's reads when cancelled (the HTTP API's query timeout).
    public var cancellation: QueryCancellation?
    /// Loki's `categorize-labels` encoding flag: log streams are keyed by their stream labels alone, and each
    /// entry carries its structured metadata and parsed labels apart.
    public var categorizeLabels = false

    public init(tenant: String = Tenant.defaultID, start: Int64, end: Int64, step: Int64 = 0, instant: Bool = false,
                limit: Int = 100, direction: Direction = .backward, maxSeries: Int = 500) {
        self.tenant = tenant
        self.start = start
        self.end = end
        self.step = step
        self.instant = instant
        self.limit = limit
        self.direction = direction
        self.maxSeries = maxSeries
    }

    /// Loki's default step for a range: `max(1s, (end - start) / 250)` rounded to whole seconds.
    public static func defaultStep(start: Int64, end: Int64) -> Int64 {
        let s = max(1, (end - start) / 250 / 1_000_000_000)
        return s * 1_000_000_000
    }
}
