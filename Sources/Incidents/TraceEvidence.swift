/// What the correlator needs from the span store: error and slow spans in a window, grouped by service and
/// operation, with the trace ids that let a backend error line be linked to the AI-engine span behind it.
/// `TraceStoreEvidence` implements it over mclog's span store; without one the correlator runs without trace
/// evidence and says so in the post-mortem rather than inventing any.
public protocol TraceEvidenceSource: Sendable {
    /// Error spans and spans slower than `slowerThan` (ns) that started in `[from, to)`, for `zones` (empty: all),
    /// grouped by service and operation.
    func spanGroups(tenant: String, from: Int64, to: Int64, zones: [String], slowerThan: Int64) throws -> [SpanGroup]
}

/// Error or slow spans of one service and operation.
public struct SpanGroup: Sendable, Codable, Equatable {
    public var service: String
    public var operation: String
    public var errorSpans: Int
    public var slowSpans: Int
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Some trace ids of these spans (for linking to log lines that carry the same `trace_id`); after
    /// correlation, the ones shared with error log lines come first.
    public var traceIDs: [String]
    /// Trace ids of these spans that error or warning log lines in scope also carry (set by the correlator):
    /// the link from a backend error line to the span that caused it.
    public var linkedTraceIDs: [String] = []
    /// Error and warning log lines in scope that carry one of `linkedTraceIDs`.
    public var linkedLogLines = 0

    public init(service: String, operation: String, errorSpans: Int, slowSpans: Int, firstSeen: Int64, lastSeen: Int64,
                traceIDs: [String]) {
        self.service = service
        self.operation = operation
        self.errorSpans = errorSpans
        self.slowSpans = slowSpans
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.traceIDs = traceIDs
    }
}
