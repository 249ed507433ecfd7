import LogStore

/// A parsed LogQL query: a log query (streams of lines) or a metric query (samples).
public enum Query: Sendable, CustomStringConvertible {
    case log(LogQuery)
    case metric(MetricExpr)

    public var description: String {
        switch self {
        case .log(let q): q.description
        case .metric(let m): m.description
        }
    }
}

/// `{matchers} | stage | stage …`
public struct LogQuery: Sendable, CustomStringConvertible {
    public var matchers: [LabelMatcher]
    public var stages: [PipelineStage]

    public var description: String {
        "{" + matchers.map(\.description).joined(separator: ", ") + "}" + stages.map { " " + $0.description }.joined()
    }
}

/// A value extracted by `| json a="x.y"` or `| logfmt a="key"`.
public struct Extraction: Sendable, CustomStringConvertible {
    public var label: String
    public var expression: String
    public var description: String { "\(label)=\"\(escapeLogQL(expression))\"" }
}

/// One `label_format` assignment: `dst=src` renames, `dst="{{ template }}"` formats.
public struct LabelFormatItem: Sendable, CustomStringConvertible {
    public enum Source: Sendable {
        case rename(String)
        case template(String)
    }
    public var destination: String
    public var source: Source

    public var description: String {
        switch source {
        case .rename(let s): "\(destination)=\(s)"
        case .template(let t): "\(destination)=\"\(escapeLogQL(t))\""
        }
    }
}

/// An item of `drop`/`keep`: a bare label name or a matcher on it.
public struct LabelSelectorItem: Sendable, CustomStringConvertible {
    public var name: String
    public var matcher: LabelMatcher?
    public var description: String { matcher?.description ?? name }
}

public enum NumericOp: String, Sendable { case eq = "==", neq = "!=", gt = ">", gte = ">=", lt = "<", lte = "<=" }

/// A label filter: `level="error"`, `status >= 500`, `latency > 250ms`, `size > 20KB`, `addr = ip("10.0.0.0/8")`,
/// combined with `and`/`,` and `or`.
public indirect enum LabelFilterExpr: Sendable, CustomStringConvertible {
    public enum Unit: Sendable { case none, duration, bytes }
    case string(LabelMatcher)
    case numeric(name: String, op: NumericOp, value: Double, unit: Unit, text: String)
    case ip(name: String, negate: Bool, cidr: String)
    case and(LabelFilterExpr, LabelFilterExpr)
    case or(LabelFilterExpr, LabelFilterExpr)

    public var description: String {
        switch self {
        case .string(let m): m.description
        case .numeric(let n, let op, _, _, let text): "\(n)\(op.rawValue)\(text)"
        case .ip(let n, let neg, let c): "\(n)\(neg ? "!=" : "=")ip(\"\(c)\")"
        // `,` takes everything to its right, so an `and` on the left of `or` needs its own parentheses.
        case .and(let a, let b): "\(a), \(b)"
        case .or(let a, let b):
            if case .and = a { "((\(a)) or \(b))" } else { "(\(a) or \(b))" }
        }
    }
}

/// One pipeline stage as written.
public enum PipelineStage: Sendable, CustomStringConvertible {
    case lineFilter(LineFilterStage)
    case json([Extraction])
    case logfmt(strict: Bool, keepEmpty: Bool, [Extraction])
    case pattern(String)
    case regexp(String)
    case unpack
    case labelFilter(LabelFilterExpr)
    case lineFormat(String)
    case labelFormat([LabelFormatItem])
    case drop([LabelSelectorItem])
    case keep([LabelSelectorItem])
    case decolorize

    public var description: String {
        switch self {
        case .lineFilter(let f): f.description
        case .json(let e): "| json" + (e.isEmpty ? "" : " " + e.map(\.description).joined(separator: ", "))
        case .logfmt(let strict, let keepEmpty, let e):
            "| logfmt" + (strict ? " --strict" : "") + (keepEmpty ? " --keep-empty" : "")
                + (e.isEmpty ? "" : " " + e.map(\.description).joined(separator: ", "))
        case .pattern(let p): "| pattern \"\(escapeLogQL(p))\""
        case .regexp(let r): "| regexp \"\(escapeLogQL(r))\""
        case .unpack: "| unpack"
        case .labelFilter(let f): "| \(f)"
        case .lineFormat(let t): "| line_format \"\(escapeLogQL(t))\""
        case .labelFormat(let items): "| label_format " + items.map(\.description).joined(separator: ", ")
        case .drop(let items): "| drop " + items.map(\.description).joined(separator: ", ")
        case .keep(let items): "| keep " + items.map(\.description).joined(separator: ", ")
        case .decolorize: "| decolorize"
        }
    }

    /// Whether the stage can drop lines (so a store-side limit would undercount).
    var canDrop: Bool {
        switch self {
        case .lineFilter, .labelFilter: true
        default: false
        }
    }
}

/// `| unwrap latency`, `| unwrap duration(latency)`, `| unwrap bytes(size)`, with the label filters after it.
public struct Unwrap: Sendable, CustomStringConvertible {
    public enum Conversion: String, Sendable { case none = "", duration, durationSeconds = "duration_seconds", bytes }
    public var label: String
    public var conversion: Conversion
    public var filters: [LabelFilterExpr]

    public var description: String {
        let core = conversion == .none ? label : "\(conversion.rawValue)(\(label))"
        return "| unwrap \(core)" + filters.map { " | \($0)" }.joined()
    }
}

public enum RangeFunction: String, Sendable, CaseIterable {
    case rate, countOverTime = "count_over_time", bytesRate = "bytes_rate", bytesOverTime = "bytes_over_time"
    case absentOverTime = "absent_over_time", sumOverTime = "sum_over_time", avgOverTime = "avg_over_time"
    case minOverTime = "min_over_time", maxOverTime = "max_over_time", stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time", quantileOverTime = "quantile_over_time"
    case firstOverTime = "first_over_time", lastOverTime = "last_over_time", rateCounter = "rate_counter"

    /// Functions that aggregate unwrapped values (and so require `| unwrap`).
    public var needsUnwrap: Bool {
        switch self {
        case .countOverTime, .bytesRate, .bytesOverTime, .absentOverTime: false
        case .rate: false  // rate works with or without unwrap
        default: true
        }
    }

    /// Functions that may take `| unwrap`: those that need it, and `rate` and `absent_over_time`, where it is optional.
    public var acceptsUnwrap: Bool { needsUnwrap || self == .rate || self == .absentOverTime }

    /// Functions that accept `by`/`without` grouping directly; Loki allows it on the unwrapped aggregations that
    /// pick or summarise values, not on `sum_over_time`, `rate`, `rate_counter` or the log range functions.
    public var allowsGrouping: Bool {
        switch self {
        case .avgOverTime, .stddevOverTime, .stdvarOverTime, .quantileOverTime, .maxOverTime, .minOverTime,
             .firstOverTime, .lastOverTime: true
        default: false
        }
    }
}

public struct Grouping: Sendable, CustomStringConvertible {
    public var without: Bool
    public var labels: [String]
    public var description: String { (without ? "without" : "by") + " (" + labels.joined(separator: ", ") + ")" }
}

/// `fn(log-query [range] offset d)`.
public struct RangeAggregation: Sendable, CustomStringConvertible {
    public var function: RangeFunction
    public var query: LogQuery
    public var unwrap: Unwrap?
    /// Window length and offset, ns.
    public var range: Int64
    public var offset: Int64
    public var rangeText: String
    public var offsetText: String?
    /// `quantile_over_time(0.99, …)`.
    public var parameter: Double?
    public var grouping: Grouping?

    public var description: String {
        let param = parameter.map { formatNumber($0) + ", " } ?? ""
        let off = offsetText.map { " offset \($0)" } ?? ""
        let unwrapText = unwrap.map { " " + $0.description } ?? ""
        return "\(function.rawValue)(\(param)\(query)\(unwrapText) [\(rangeText)]\(off))" + (grouping.map { " \($0)" } ?? "")
    }
}

public enum VectorOp: String, Sendable, CaseIterable {
    case sum, avg, min, max, count, stddev, stdvar, topk, bottomk, sort, sortDesc = "sort_desc"
}

public enum BinaryOp: String, Sendable {
    case or, and, unless
    case eq = "==", neq = "!=", gt = ">", gte = ">=", lt = "<", lte = "<="
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"

    /// Loki/Prometheus precedence, lowest first.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eq, .neq, .gt, .gte, .lt, .lte: 3
        case .add, .sub: 4
        case .mul, .div, .mod: 5
        case .pow: 6
        }
    }

    var isComparison: Bool { [.eq, .neq, .gt, .gte, .lt, .lte].contains(self) }
    var isSet: Bool { [.and, .or, .unless].contains(self) }
}

/// `on(a, b)` / `ignoring(a)` with `group_left(c)` / `group_right`.
public struct VectorMatching: Sendable, CustomStringConvertible {
    public enum Card: String, Sendable { case oneToOne = "", manyToOne = "group_left", oneToMany = "group_right" }
    public var on: Bool
    public var labels: [String]
    public var card: Card
    public var include: [String]

    public var description: String {
        var s = (on ? "on" : "ignoring") + "(" + labels.joined(separator: ", ") + ")"
        if card != .oneToOne { s += " \(card.rawValue)" + (include.isEmpty ? "" : "(" + include.joined(separator: ", ") + ")") }
        return s
    }
}

/// A metric expression.
public indirect enum MetricExpr: Sendable, CustomStringConvertible {
    case range(RangeAggregation)
    case vectorAggregation(op: VectorOp, parameter: Double?, inner: MetricExpr, grouping: Grouping?)
    case binary(op: BinaryOp, lhs: MetricExpr, rhs: MetricExpr, returnBool: Bool, matching: VectorMatching?)
    case number(Double)
    case vector(Double)
    case labelReplace(inner: MetricExpr, destination: String, replacement: String, source: String, regex: String)
    case paren(MetricExpr)

    public var description: String {
        switch self {
        case .range(let r): return r.description
        case .vectorAggregation(let op, let p, let inner, let g):
            return op.rawValue + (g.map { " \($0) " } ?? "") + "(" + (p.map { formatNumber($0) + ", " } ?? "") + inner.description + ")"
        case .binary(let op, let l, let r, let b, let m):
            return "\(l) \(op.rawValue)\(b ? " bool" : "")\(m.map { " \($0)" } ?? "") \(r)"
        case .number(let v): return formatNumber(v)
        case .vector(let v): return "vector(\(formatNumber(v)))"
        case .labelReplace(let i, let d, let rep, let s, let re):
            return "label_replace(\(i), \"\(escapeLogQL(d))\", \"\(escapeLogQL(rep))\", \"\(escapeLogQL(s))\", \"\(escapeLogQL(re))\")"
        case .paren(let e): return "(\(e))"
        }
    }

    /// The value of a scalar expression, folded as Loki folds literal legs at parse time (comparisons give 0 or 1,
    /// division and modulo by zero NaN); nil for anything that is not a scalar.
    var constantValue: Double? {
        switch self {
        case .number(let v): return v
        case .paren(let e): return e.constantValue
        case .binary(let op, let l, let r, _, _):
            guard let a = l.constantValue, let b = r.constantValue else { return nil }
            return BinaryEvaluator.arith(op, a, b, returnBool: true)
        default: return nil
        }
    }

    /// Whether the expression evaluates to a scalar (no labels).
    var isScalar: Bool {
        switch self {
        case .number: true
        case .paren(let e): e.isScalar
        case .binary(_, let l, let r, _, _): l.isScalar && r.isScalar
        default: false
        }
    }
}

/// Go-like shortest formatting of a float (`2`, `0.5`, `1e+06`).
func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}
