import LogStore

/// What the HTTP API's results cache needs to know about a metric query to compute it in time splits and put the
/// pieces together: which entries a range of evaluation times reads, and whether a step's value is the same bit
/// for bit whichever range the query covers.
extension MetricExpr {
    /// Every range aggregation (`fn(selector [range] offset o)`) in the expression.
    public var rangeAggregations: [RangeAggregation] {
        switch self {
        case .range(let r): [r]
        case .vectorAggregation(_, _, let inner, _): inner.rangeAggregations
        case .binary(_, let l, let r, _, _): l.rangeAggregations + r.rangeAggregations
        case .number, .vector: []
        case .labelReplace(let inner, _, _, _, _): inner.rangeAggregations
        case .paren(let e): e.rangeAggregations
        }
    }

    /// Whether the expression reads entries and computes each step from its own windows alone, exactly (bit for
    /// bit) as it would in any other query range, so that a range query computed in pieces equals the query in
    /// one piece. True for counts, byte counts and `rate` without `unwrap` (integer sums), and for the functions
    /// that keep each window's samples; false for `sum_over_time` and `rate` over unwrapped values, whose running
    /// floating-point sums round differently depending on where the range starts.
    public var isSplittable: Bool {
        let ranges = rangeAggregations
        return !ranges.isEmpty && ranges.allSatisfy { r in
            !(r.unwrap != nil && (r.function == .sumOverTime || r.function == .rate))
        }
    }

    /// The entry timestamps `[from, to]` that evaluating at the times `first…last` reads: each window
    /// `(t - range, t]` moved back by its offset.
    public func dataRange(first: Int64, last: Int64) -> ClosedRange<Int64>? {
        let ranges = rangeAggregations
        guard !ranges.isEmpty else { return nil }
        let from = ranges.map { first - $0.offset - $0.range + 1 }.min()!
        let to = ranges.map { last - $0.offset }.max()!
        return from...max(from, to)
    }
}

extension Engine {
    /// The range query's evaluation count check, as `execute` makes it (Loki's 11,000 points per series).
    public static func checkResolution(start: Int64, end: Int64, step: Int64) throws {
        guard step > 0 else { throw LogQLError("zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard end >= start else { throw LogQLError("end timestamp must not be before start time") }
        if (end - start) / step + 1 > 11000 {
            throw LogQLError("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
    }

    /// The error `execute` throws when a metric result would have more than `max` series.
    public static func seriesLimitError(_ max: Int) -> LogQLError {
        LogQLError("maximum of series (\(max)) reached for a single query")
    }

    /// Series in Loki's order (by labels), as `execute` returns a matrix.
    public static func sortSeries(_ series: inout [Series]) {
        series.sort { LabelOrder.less($0.labels, $1.labels) }
    }
}
