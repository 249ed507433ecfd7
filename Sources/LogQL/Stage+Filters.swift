import ByteSearch
import LogStore

/// A line filter that runs in the pipeline (after a stage that rewrote the line, or `ip(…)` / pattern filters).
final class LineFilterRunStage: LogStage {
    private enum Test {
        case literal(Literal)
        case regex(Regex.Matcher)
        case ip(IPRange)
        case pattern(PatternMatcher)
    }

    private let tests: [Test]
    private let negated: Bool

    init(_ f: LineFilterStage) throws {
        negated = f.op.negated
        tests = try f.values.map { v in
            switch (f.op, v) {
            case (_, .ip(let cidr)): return .ip(try IPRange(cidr))
            case (.contains, .text(let s)), (.notContains, .text(let s)): return .literal(Literal(s))
            case (.matches, .text(let s)), (.notMatches, .text(let s)): return .regex(Regex.Matcher(try LineFilterStage.regex(s)))
            case (.pattern, .text(let s)), (.notPattern, .text(let s)): return .pattern(try PatternMatcher(lineFilter: s))
            }
        }
    }

    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        let hit = tests.contains { t in
            switch t {
            case .literal(let l): l.occurs(in: line)
            case .regex(let m): m.matches(line)
            case .ip(let r): r.matchesAny(in: line)
            case .pattern(let p): p.matches(line)
            }
        }
        return hit != negated ? .keep : .drop
    }
}

/// `| level="error"`, `| status >= 500`, `| latency > 250ms`, `| addr = ip("10.0.0.0/8")`, with and/or.
final class LabelFilterStage: LogStage {
    private indirect enum Node {
        case string(LabelMatcher)
        case numeric(String, NumericOp, Double, LabelFilterExpr.Unit)
        case ip(String, Bool, IPRange)
        case and(Node, Node)
        case or(Node, Node)
    }

    private let root: Node

    init(_ e: LabelFilterExpr) throws {
        func build(_ e: LabelFilterExpr) throws -> Node {
            switch e {
            case .string(let m): return .string(m)
            case .numeric(let n, let op, let v, let unit, _): return .numeric(n, op, v, unit)
            case .ip(let n, let neg, let c): return .ip(n, neg, try IPRange(c))
            case .and(let a, let b): return .and(try build(a), try build(b))
            case .or(let a, let b): return .or(try build(a), try build(b))
            }
        }
        root = try build(e)
    }

    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        eval(root, labels) ? .keep : .drop
    }

    private func eval(_ n: Node, _ labels: LabelsBuilder) -> Bool {
        switch n {
        case .string(let m):
            return m.matches(labels.get(m.name))
        case .numeric(let name, let op, let want, let unit):
            guard let raw = labels.get(name) else { return false }
            let parsed: Double?
            switch unit {
            case .none: parsed = Double(raw.trimmingSpaces)
            case .duration: parsed = Units.durationNanos(raw.trimmingSpaces).map { Double($0) / 1e9 }
            case .bytes: parsed = Units.bytes(raw.trimmingSpaces)
            }
            guard let v = parsed else {
                // Loki keeps the line and marks it, so `| __error__=""` can drop it.
                labels.setError(PipelineError.labelFilter, details: "cannot convert \"\(raw)\" of label \(name) for comparison")
                return true
            }
            switch op {
            case .eq: return v == want
            case .neq: return v != want
            case .gt: return v > want
            case .gte: return v >= want
            case .lt: return v < want
            case .lte: return v <= want
            }
        case .ip(let name, let negate, let range):
            guard let raw = labels.get(name), let ip = IPRange.parse(Substring(raw.trimmingSpaces)) else { return negate }
            return range.contains(ip) != negate
        case .and(let a, let b): return eval(a, labels) && eval(b, labels)
        case .or(let a, let b): return eval(a, labels) || eval(b, labels)
        }
    }
}
