/// mclog's TraceQL subset: span filters `{ … }` of comparisons joined by `&&`, `||` and `!`, combined into
/// spanset expressions with `&&`, `||` and the structural operators `>>` (descendant), `>` (child),
/// `<<` (ancestor), `<` (parent) and `~` (sibling). Anything else is rejected by the parser with the construct's
/// name and position (`TraceQLError`).
public enum TraceQL {
    /// Parses `text` (throws `TraceQLError`).
    public static func parse(_ text: String) throws -> SpansetExpr {
        var p = TraceQLParser(text)
        return try p.parseQuery()
    }

    /// A TraceQL/Go duration (`2s`, `150ms`, `1h30m`, `10us`) in nanoseconds, or nil.
    public static func duration(_ text: String) -> Int64? { TraceQLParser.duration(text) }
}

public indirect enum SpansetExpr: Sendable, Equatable, CustomStringConvertible {
    /// `{ cond }`; nil condition is `{ }`, every span.
    case filter(FieldExpr?)
    case and(SpansetExpr, SpansetExpr)
    case or(SpansetExpr, SpansetExpr)
    case structural(StructuralOp, SpansetExpr, SpansetExpr)

    public var description: String {
        switch self {
        case .filter(nil): "{ }"
        case .filter(let f?): "{ \(f) }"
        case .and(let a, let b): "(\(a) && \(b))"
        case .or(let a, let b): "(\(a) || \(b))"
        case .structural(let op, let a, let b): "(\(a) \(op.rawValue) \(b))"
        }
    }

    /// Every comparison in the expression (the attributes a search result reports for matched spans).
    var comparisons: [(Operand, CompareOp, Literal)] {
        switch self {
        case .filter(nil): []
        case .filter(let f?): f.comparisons
        case .and(let a, let b), .or(let a, let b), .structural(_, let a, let b): a.comparisons + b.comparisons
        }
    }
}

public enum StructuralOp: String, Sendable {
    case descendant = ">>", child = ">", ancestor = "<<", parent = "<", sibling = "~"
}

public indirect enum FieldExpr: Sendable, Equatable, CustomStringConvertible {
    case and(FieldExpr, FieldExpr)
    case or(FieldExpr, FieldExpr)
    case not(FieldExpr)
    case compare(Operand, CompareOp, Literal)

    public var description: String {
        switch self {
        case .and(let a, let b): "(\(a) && \(b))"
        case .or(let a, let b): "(\(a) || \(b))"
        case .not(let a): "!\(a)"
        case .compare(let o, let op, let l): "\(o) \(op.rawValue) \(l)"
        }
    }

    var comparisons: [(Operand, CompareOp, Literal)] {
        switch self {
        case .and(let a, let b), .or(let a, let b): a.comparisons + b.comparisons
        case .not(let a): a.comparisons
        case .compare(let o, let op, let l): [(o, op, l)]
        }
    }
}

public enum CompareOp: String, Sendable {
    case eq = "=", ne = "!=", gt = ">", ge = ">=", lt = "<", le = "<=", match = "=~", notMatch = "!~"
    /// Legacy tag search (`tags=k=v`): the attribute's text equals the value, whatever its type.
    case textEq = "=text"
}

/// Where an attribute is looked up.
public enum AttributeScope: String, Sendable {
    /// `.name`: the span's attribute, else its resource's (Tempo's unscoped lookup).
    case unscoped = ""
    case span, resource, event, link, instrumentation
}

public enum Intrinsic: String, Sendable, CaseIterable {
    case name, status, kind, duration, statusMessage, rootName, rootServiceName, traceDuration
}

public enum Operand: Sendable, Equatable, CustomStringConvertible {
    case attribute(AttributeScope, String)
    case intrinsic(Intrinsic)

    public var description: String {
        switch self {
        case .attribute(let s, let n): s == .unscoped ? "." + n : s.rawValue + "." + n
        case .intrinsic(let i): i.rawValue
        }
    }
}

public enum Literal: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// Nanoseconds.
    case duration(Int64)
    case status(StatusCode)
    case kind(SpanKind)

    public var description: String {
        switch self {
        case .string(let s): jsonQuote(s)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .duration(let ns): "\(ns)ns"
        case .status(let s): s.name
        case .kind(let k): k.name
        }
    }
}

/// A TraceQL query mclog cannot run: a syntax error, or a construct outside the supported subset, with its
/// 1-based position in the query.
public struct TraceQLError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let position: Int
    public init(_ message: String, at position: Int) {
        self.message = message
        self.position = position
    }

    public var description: String { "TraceQL parse error at position \(position): \(message)" }
}
