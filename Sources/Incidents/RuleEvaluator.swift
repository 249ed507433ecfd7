import LogQL
import LogStore

/// Evaluates detection rules over past data through the LogQL engine, as `mclog query` would run their
/// expressions: a range query from `from` to `to` at the rule's `every` step (aligned to multiples of the step).
public struct RuleEvaluator: Sendable {
    public let engine: Engine
    public let tenant: String
    /// Stops the evaluation's reads when cancelled (the HTTP API's query timeout).
    public var cancellation: QueryCancellation?

    public init(engine: Engine, tenant: String = Tenant.defaultID) {
        self.engine = engine
        self.tenant = tenant
    }

    /// The hits of `rule` in `[from, to]`: per series, each run of consecutive steps where the comparison holds
    /// and that lasts at least `for` (Prometheus' pending → firing; a missing step ends the run).
    public func hits(_ rule: DetectionRule, from: Int64, to: Int64) throws -> [RuleHit] {
        let step = rule.every
        let start = (from / step + (from % step == 0 ? 0 : 1)) * step
        guard start <= to else { return [] }
        var params = QueryParams(tenant: tenant, start: start, end: to, step: step, limit: 0)
        params.cancellation = cancellation
        let result: QueryResult
        do {
            (result, _) = try engine.execute(.metric(rule.query), params)
        } catch let e as LogQLError {
            throw RuleError(file: rule.file, line: nil, key: "expr", message: "evaluation failed: \(e.message)")
        }
        let series: [Series]
        switch result {
        case .matrix(let m): series = m
        default: return []
        }
        var out: [RuleHit] = []
        let range = DetectionRule.longestRange(rule.query)
        for s in series {
            var labels = rule.labels
            for l in s.labels { labels[l.name] = l.value }
            var run: [(Int64, Double)] = []
            func close() {
                defer { run.removeAll() }
                guard let first = run.first, let last = run.last, last.0 - first.0 >= rule.forDuration else { return }
                let peak = run.max { $0.1 < $1.1 }!
                let evidence = Evidence(query: rule.expr, from: first.0 - range, to: last.0)
                out.append(RuleHit(rule: rule.name, title: rule.title, labels: labels, firstSeen: first.0, lastSeen: last.0,
                                   firingAt: first.0 + rule.forDuration, peak: peak.1, peakAt: peak.0,
                                   severity: rule.severity, layer: rule.layer, evidence: evidence))
            }
            for p in s.points {
                if rule.comparison.holds(p.1, rule.threshold) {
                    if let last = run.last, p.0 - last.0 != step { close() }
                    run.append(p)
                } else {
                    close()
                }
            }
            close()
        }
        return out.sorted { ($0.firstSeen, $0.rule) < ($1.firstSeen, $1.rule) }
    }
}

extension DetectionRule {
    /// The longest range window (`[5m]`) in an expression: how far before its first step a hit's data may start.
    static func longestRange(_ e: MetricExpr) -> Int64 {
        switch e {
        case .range(let r): r.range + r.offset
        case .vectorAggregation(_, _, let inner, _): longestRange(inner)
        case .binary(_, let l, let r, _, _): max(longestRange(l), longestRange(r))
        case .labelReplace(let inner, _, _, _, _): longestRange(inner)
        case .paren(let inner): longestRange(inner)
        case .number, .vector: 0
        }
    }

    /// The stream selectors' `{…}` texts of the expression's log queries (for building evidence queries).
    static func logQueries(_ e: MetricExpr) -> [LogQuery] {
        switch e {
        case .range(let r): [r.query]
        case .vectorAggregation(_, _, let inner, _): logQueries(inner)
        case .binary(_, let l, let r, _, _): logQueries(l) + logQueries(r)
        case .labelReplace(let inner, _, _, _, _): logQueries(inner)
        case .paren(let inner): logQueries(inner)
        case .number, .vector: []
        }
    }
}
