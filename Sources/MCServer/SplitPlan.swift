import LogQL

/// A metric range query's evaluation times `start + k·step` cut into pieces at multiples of the split interval
/// (Loki's `split_queries_by_interval`): the results cache stores one piece per split.
///
/// Loki rounds a split query's start down and end up to a multiple of step, which changes the answer's
/// timestamps; here the request's own grid is kept and the grid's phase (`start mod step`) is part of the cache
/// key, so an answer put together from cached pieces is the same, byte for byte, as the query computed in one
/// piece. Requests whose start is a multiple of step (as Grafana sends them, or all of them with
/// `align_queries_with_step`) share one grid.
struct SplitPlan {
    struct Piece: Equatable {
        /// First and last evaluation index (into the query's grid) in the piece.
        var first: Int
        var last: Int
        var split: Int64
        /// The piece holds all of its split's grid times and is older than the freshness limit.
        var cacheable: Bool
    }

    let start: Int64
    let step: Int64
    let count: Int
    let phase: Int64
    private(set) var pieces: [Piece] = []

    /// `cacheableThrough`: the newest entry timestamp a cacheable piece may read (now minus `max_freshness`).
    init(start: Int64, end: Int64, step: Int64, interval: Int64, cacheableThrough: Int64, expr: MetricExpr) {
        self.start = start
        self.step = step
        count = Int((end - start) / step) + 1
        phase = Self.mod(start, step)
        var k = 0
        while k < count {
            let firstTime = start + Int64(k) * step
            let split = Self.floorDiv(firstTime, interval)
            let splitEnd = (split + 1) * interval  // exclusive
            // The last grid index before the split's end.
            let last = min(count - 1, Int(Self.floorDiv(splitEnd - 1 - start, step)))
            let lastT = start + Int64(last) * step
            // Whole: the grid times just before and after the piece lie outside the split.
            let whole = firstTime - step < split * interval && lastT + step >= splitEnd
            let reach = expr.dataRange(first: firstTime, last: lastT)?.upperBound ?? lastT
            pieces.append(Piece(first: k, last: last, split: split, cacheable: whole && reach <= cacheableThrough))
            k = last + 1
        }
    }

    func time(_ k: Int) -> Int64 { start + Int64(k) * step }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func mod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

    /// Cuts a matrix computed for pieces `range` (points in time order per series) into one matrix per piece,
    /// each keeping only the series with points in it.
    func cut(_ series: [Series], pieces range: ClosedRange<Int>) -> [[Series]] {
        var out = [[Series]](repeating: [], count: range.count)
        for s in series {
            var i = 0
            for (slot, p) in range.enumerated() {
                let lastT = time(pieces[p].last)
                let from = i
                while i < s.points.count && s.points[i].0 <= lastT { i += 1 }
                if i > from { out[slot].append(Series(labels: s.labels, points: Array(s.points[from..<i]))) }
            }
        }
        return out
    }
}
