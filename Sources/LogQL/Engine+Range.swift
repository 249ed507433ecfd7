import LogStore

/// Per-series state of a range aggregation: difference arrays for sums and counts (fixed memory per step), or
/// the samples themselves for functions that need every value in a window (min, max, quantile, …).
final class RangeAccumulator {
    var sum: [Double]
    var count: [Double]
    var samples: [(Int64, Double)] = []

    init(steps: Int) {
        sum = Array(repeating: 0, count: steps + 1)
        count = Array(repeating: 0, count: steps + 1)
    }
}

/// One worker thread's share of a range aggregation: its own pipeline and per-series accumulators.
final class RangeWorker: EntrySink {
    let r: RangeAggregation
    let pipeline: Pipeline
    let unwrapFilters: [LabelFilterStage]
    let n: Int
    let t0: Int64
    let step: Int64
    let sampleMode: Bool
    let labelsFixed: Bool
    var series: [[Label]: RangeAccumulator] = [:]
    var lastKey: [Label]?
    var lastAcc: RangeAccumulator?
    var lastStream: LabelSet?
    var pipelineError: (String, [Label])?
    var postFilterLines = 0
    /// A `sum by/without (…)` pushed into this range aggregation: series are keyed by the grouped labels.
    let pushed: Grouping?
    /// For a pushed `by (…)`: its names, sorted and unique. Each line's group is found from these labels' values
    /// in `groupCache` without building a label array.
    let groupNames: [String]?
    var groupCache: [(values: [String?], acc: RangeAccumulator)] = []
    var groupValues: [String?] = []
    var lastGroup = 0

    init(_ r: RangeAggregation, skip: Set<Int>, times: [Int64], sampleMode: Bool, pushed: Grouping? = nil) throws {
        self.r = r
        self.pushed = pushed
        let names = pushed.flatMap { $0.without ? nil : Array(Set($0.labels)).sorted() }
        groupNames = names
        groupValues = Array(repeating: nil, count: names?.count ?? 0)
        pipeline = try Pipeline(r.query, skip: skip, neededLabels: names.map { Set($0) })
        unwrapFilters = try (r.unwrap?.filters ?? []).map { try LabelFilterStage($0) }
        n = times.count
        t0 = times[0]
        step = n > 1 ? times[1] - times[0] : 1
        self.sampleMode = sampleMode
        labelsFixed = r.unwrap == nil && r.query.stages.allSatisfy {
            if case .lineFilter = $0 { return true }
            return false
        }
    }

    func accept(_ e: SelectedEntry) -> Bool {
        postFilterLines += 1
        guard pipeline.run(stream: e.labels, metadata: e.metadata, timestamp: e.timestamp, line: e.line) else {
            return true
        }
        let labels = pipeline.labels
        var value: Double
        if let u = r.unwrap {
            if let raw = labels.get(u.label) {
                let text = raw.trimmingSpaces
                let converted: Double?
                switch u.conversion {
                case .none: converted = Double(text)
                case .duration, .durationSeconds: converted = Units.durationNanos(text).map { Double($0) / 1e9 }
                case .bytes: converted = Units.bytes(text)
                }
                if let c = converted {
                    value = c
                } else {
                    value = 0
                    labels.setError(PipelineError.sampleExtraction, details: "strconv.ParseFloat: parsing \"\(raw)\": invalid syntax")
                }
            } else {
                value = 0
                labels.setError(PipelineError.sampleExtraction, details: "label \(u.label) not found")
            }
            labels.delete(u.label)
            let line = pipeline.rewritten
            for f in unwrapFilters {
                let keep = (line ?? []).withUnsafeBytes { f.process(line: $0, timestamp: e.timestamp, labels: labels) }
                if case .drop = keep { return true }
            }
        } else {
            switch r.function {
            case .bytesRate, .bytesOverTime: value = Double(pipeline.rewritten?.count ?? e.line.count)
            default: value = 1
            }
        }
        if labels.hasError {
            pipelineError = (labels.get(LabelsBuilder.errorLabel) ?? "", labels.labels())
            return false
        }
        let acc: RangeAccumulator
        if let names = groupNames, e.metadata.isEmpty {
            acc = groupAccumulator(names, labels)
        } else if labelsFixed, let a = lastAcc, let s = lastStream, s == e.labels {
            // No stage changes labels: the series is the stream's, found without building labels.
            acc = a
        } else {
            var key = labels.labels()
            if let g = r.grouping { key = Aggregations.group(key, g) }
            if let g = pushed { key = Aggregations.group(key, g) }
            if key == lastKey, let a = lastAcc {
                acc = a
            } else if let a = series[key] {
                acc = a
            } else {
                acc = RangeAccumulator(steps: n)
                series[key] = acc
            }
            lastKey = key
            lastAcc = acc
            lastStream = e.labels
        }
        let eff = e.timestamp + r.offset
        if sampleMode {
            acc.samples.append((eff, value))
        } else {
            // Steps k with t_k >= eff and t_k < eff + range.
            let first = eff <= t0 ? 0 : Int((eff - t0 + step - 1) / step)
            let lastT = eff + r.range - 1
            guard lastT >= t0, first < n else { return true }
            let last = min(n - 1, Int((lastT - t0) / step))
            if first <= last {
                acc.sum[first] += value
                acc.sum[last + 1] -= value
                acc.count[first] += 1
                acc.count[last + 1] -= 1
            }
        }
        return true
    }

    /// The accumulator of the line's group under a pushed `by (names)`, found by the values of those labels:
    /// the same key as `Aggregations.group(labels.labels(), by)` (labels have unique names when the entry has no
    /// structured metadata), but without building it for every line.
    @inline(__always)
    private func groupAccumulator(_ names: [String], _ labels: LabelsBuilder) -> RangeAccumulator {
        for j in names.indices { groupValues[j] = labels.get(names[j]) }
        if lastGroup < groupCache.count, groupCache[lastGroup].values == groupValues {
            return groupCache[lastGroup].acc
        }
        for k in groupCache.indices where groupCache[k].values == groupValues {
            lastGroup = k
            return groupCache[k].acc
        }
        var key: [Label] = []
        for (j, v) in groupValues.enumerated() { if let v { key.append(Label(names[j], v)) } }
        let acc: RangeAccumulator
        if let a = series[key] {
            acc = a
        } else {
            acc = RangeAccumulator(steps: n)
            series[key] = acc
        }
        if groupCache.count < 64 {
            groupCache.append((groupValues, acc))
            lastGroup = groupCache.count - 1
        }
        return acc
    }
}

extension Engine {
    /// `sum by/without (…) (count_over_time(…))` or `(bytes_over_time(…))` without unwrap: the sum can be taken
    /// line by line into the groups (each line adds an integer, so the result is exactly the sum of the
    /// per-series values), so no series is built per extracted label set. Returns the range aggregation and
    /// the grouping to push into it.
    static func pushableSum(_ op: VectorOp, _ grouping: Grouping?, _ inner: MetricExpr) -> (RangeAggregation, Grouping)? {
        guard op == .sum, let g = grouping else { return nil }
        var e = inner
        while case .paren(let x) = e { e = x }
        guard case .range(let r) = e, r.unwrap == nil, r.grouping == nil,
              r.function == .countOverTime || r.function == .bytesOverTime
        else { return nil }
        return (r, g)
    }

    /// Evaluates `fn(query [range] offset o)` at every evaluation time in one pass over the entries, on all
    /// cores: each worker runs its own pipeline into its own accumulators, merged at the end.
    /// The window at time t is `(t - range, t]` (Loki's), shifted back by the offset.
    func evaluateRange(_ r: RangeAggregation, times: [Int64], params: QueryParams, stats: inout QueryStats,
                       pushed: Grouping? = nil) throws -> StepVector
    {
        let n = times.count
        let (filter, covered) = try r.query.pushdownFilter()
        var request = SelectRequest(tenant: params.tenant, matchers: r.query.matchers,
                                    from: times[0] - r.offset - r.range + 1, to: times[n - 1] - r.offset + 1,
                                    direction: .forward, filter: filter, limit: 0)
        request.useBloom = params.useBloom
        request.metadataHints = r.query.metadataHints()
        request.cancellation = params.cancellation
        let sampleMode: Bool
        switch r.function {
        case .avgOverTime, .minOverTime, .maxOverTime, .stddevOverTime, .stdvarOverTime, .quantileOverTime,
             .firstOverTime, .lastOverTime, .rateCounter:
            sampleMode = true
        default:
            sampleMode = false
        }
        let workers = try (0..<store.parallelism).map { _ in
            try RangeWorker(r, skip: covered, times: times, sampleMode: sampleMode, pushed: pushed)
        }
        stats.store = try store.selectParallel(request, sinks: workers)
        stats.postFilterLines += workers.reduce(0) { $0 + $1.postFilterLines }
        let pipelineError = workers.lazy.compactMap(\.pipelineError).first
        var series: [[Label]: RangeAccumulator] = [:]
        for w in workers {
            for (key, acc) in w.series {
                guard let into = series[key] else {
                    series[key] = acc
                    continue
                }
                for k in 0...n {
                    into.sum[k] += acc.sum[k]
                    into.count[k] += acc.count[k]
                }
                into.samples += acc.samples
            }
        }
        stats.linesProcessed += stats.store.linesScanned
        stats.bytesProcessed += stats.store.decompressedBytes
        if let (err, labels) = pipelineError {
            let l = "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
            throw LogQLError("pipeline error: '\(err)' for series: '\(l)'. Use a label filter to intentionally skip this error. (e.g | __error__!=\"\(err)\"). To skip all errors you can match all errors with | __error__=\"\".")
        }
        let seconds = Double(r.range) / 1e9
        var out: StepVector = [:]
        if r.function == .absentOverTime {
            var present = Array(repeating: false, count: n)
            for acc in series.values {
                var c = 0.0
                for k in 0..<n {
                    c += acc.count[k]
                    if c > 0 { present[k] = true }
                }
            }
            // Loki's absentLabels: the equality matchers' labels, minus any name that another matcher also uses.
            var counts: [String: Int] = [:]
            for m in r.query.matchers { counts[m.name, default: 0] += 1 }
            let labels = r.query.matchers.filter { $0.op == .eq && counts[$0.name] == 1 }
                .map { Label($0.name, $0.value) }.sorted()
            let values: [Double?] = present.map { $0 ? nil : 1 }
            if values.contains(where: { $0 != nil }) { out[labels] = values }
            return out
        }
        for (key, acc) in series {
            var values = [Double?](repeating: nil, count: n)
            if sampleMode {
                var lo = 0, hi = 0
                // Entries arrive in time order per stream; a series may merge several streams.
                let s = acc.samples.sorted { $0.0 < $1.0 }
                for k in 0..<n {
                    let end = times[k], start = times[k] - r.range
                    while hi < s.count && s[hi].0 <= end { hi += 1 }
                    while lo < hi && s[lo].0 <= start { lo += 1 }
                    guard lo < hi else { continue }
                    values[k] = RangeFunctions.apply(r.function, s[lo..<hi], parameter: r.parameter,
                                                     windowStart: start, windowEnd: end, seconds: seconds)
                }
            } else {
                var sum = 0.0, count = 0.0
                for k in 0..<n {
                    sum += acc.sum[k]
                    count += acc.count[k]
                    guard count > 0.5 else { continue }
                    switch r.function {
                    case .countOverTime: values[k] = count
                    case .rate: values[k] = (r.unwrap == nil ? count : sum) / seconds
                    case .bytesRate: values[k] = sum / seconds
                    case .bytesOverTime, .sumOverTime: values[k] = sum
                    default: values[k] = nil
                    }
                }
            }
            if values.contains(where: { $0 != nil }) { out[key] = values }
        }
        return out
    }
}

/// The window functions that need every sample.
enum RangeFunctions {
    static func apply(_ fn: RangeFunction, _ s: ArraySlice<(Int64, Double)>, parameter: Double?,
                      windowStart: Int64, windowEnd: Int64, seconds: Double) -> Double? {
        let values = s.map(\.1)
        switch fn {
        case .avgOverTime:
            // Incremental mean, as Prometheus computes it (equal values average to themselves exactly).
            var mean = 0.0, n = 0.0
            for v in values {
                n += 1
                mean += v / n - mean / n
            }
            return mean
        case .minOverTime: return values.min()
        case .maxOverTime: return values.max()
        case .firstOverTime: return values.first
        case .lastOverTime: return values.last
        case .stdvarOverTime, .stddevOverTime:
            // Welford, as Prometheus computes it.
            var mean = 0.0, m2 = 0.0, n = 0.0
            for v in values {
                n += 1
                let d = v - mean
                mean += d / n
                m2 += d * (v - mean)
            }
            let variance = m2 / n
            return fn == .stdvarOverTime ? variance : variance.squareRoot()
        case .quantileOverTime: return quantile(parameter ?? 0.5, values)
        case .rateCounter: return extrapolatedRate(s, windowStart: windowStart, windowEnd: windowEnd, seconds: seconds)
        default: return nil
        }
    }

    /// Prometheus' quantile: linear interpolation between the closest ranks; q outside [0,1] gives ±Inf.
    static func quantile(_ q: Double, _ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted()
        let rank = q * Double(sorted.count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
        let w = rank - Double(lo)
        return sorted[lo] * (1 - w) + sorted[hi] * w
    }

    /// Prometheus' extrapolated counter rate (what Loki's rate_counter uses).
    static func extrapolatedRate(_ s: ArraySlice<(Int64, Double)>, windowStart: Int64, windowEnd: Int64, seconds: Double) -> Double? {
        guard s.count >= 2, let first = s.first, let last = s.last else { return nil }
        var result = last.1 - first.1
        var prev = first.1
        for (_, v) in s.dropFirst() {
            if v < prev { result += prev }
            prev = v
        }
        var durationToStart = Double(first.0 - windowStart) / 1e9
        let durationToEnd = Double(windowEnd - last.0) / 1e9
        let sampled = Double(last.0 - first.0) / 1e9
        guard sampled > 0 else { return nil }
        let avg = sampled / Double(s.count - 1)
        if result > 0 && first.1 >= 0 {
            let toZero = sampled * (first.1 / result)
            if toZero < durationToStart { durationToStart = toZero }
        }
        let threshold = avg * 1.1
        var interval = sampled
        interval += durationToStart < threshold ? durationToStart : avg / 2
        interval += durationToEnd < threshold ? durationToEnd : avg / 2
        return result * (interval / sampled) / seconds
    }
}
