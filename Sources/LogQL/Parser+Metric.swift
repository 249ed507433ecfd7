import LogStore

extension Parser {
    /// Binary expressions by precedence climbing (`^` is right-associative, the rest left).
    mutating func expression(minPrecedence: Int) throws -> MetricExpr {
        var lhs = try unary()
        while let op = peekBinaryOp(), op.precedence >= minPrecedence {
            let opTok = advance()
            var returnBool = false
            if isIdentifier("bool") {
                guard op.isComparison else { throw LogQLError("bool is only allowed after a comparison", at: peek.position) }
                _ = advance()
                returnBool = true
            }
            let matching = try vectorMatching(for: op, at: opTok.position)
            let next = op == .pow ? op.precedence : op.precedence + 1
            let rhs = try expression(minPrecedence: next)
            // Loki folds literal legs at parse time; a set operator cannot take one. (Comparisons between two
            // literals fold to 0 or 1, with or without bool, as in Loki.)
            if op.isSet, let v = lhs.constantValue {
                throw LogQLError("unexpected literal for left leg of logical/set binary operation (\(op.rawValue)): \(goFloat(v))", at: opTok.position)
            }
            if op.isSet, let v = rhs.constantValue {
                throw LogQLError("unexpected literal for right leg of logical/set binary operation (\(op.rawValue)): \(goFloat(v))", at: opTok.position)
            }
            lhs = .binary(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: matching)
        }
        return lhs
    }

    func peekBinaryOp() -> BinaryOp? {
        switch peek.kind {
        case .symbol(let s): return BinaryOp(rawValue: s)
        case .identifier(let s) where s == "and" || s == "or" || s == "unless": return BinaryOp(rawValue: s)
        default: return nil
        }
    }

    mutating func vectorMatching(for op: BinaryOp, at position: Int) throws -> VectorMatching? {
        guard isIdentifier("on") || isIdentifier("ignoring") else { return nil }
        let on = isIdentifier("on")
        _ = advance()
        var m = VectorMatching(on: on, labels: try labelList(), card: .oneToOne, include: [])
        if isIdentifier("group_left") || isIdentifier("group_right") {
            if op.isSet { throw LogQLError("no grouping allowed for \(op.rawValue) operation", at: peek.position) }
            m.card = isIdentifier("group_left") ? .manyToOne : .oneToMany
            _ = advance()
            if isSymbol("(") { m.include = try labelList() }
        }
        return m
    }

    /// `(a, b)`
    mutating func labelList() throws -> [String] {
        try expect("(", "'('")
        var out: [String] = []
        if isSymbol(")") {
            _ = advance()
            return out
        }
        while true {
            out.append(try identifier("a label name"))
            if isSymbol(")") {
                _ = advance()
                return out
            }
            try expect(",", "',' or ')'")
        }
    }

    mutating func unary() throws -> MetricExpr {
        if isSymbol("-") || isSymbol("+") {
            let neg = isSymbol("-")
            _ = advance()
            let e = try unary()
            if case .number(let v) = e { return .number(neg ? -v : v) }
            return neg ? .binary(op: .mul, lhs: .number(-1), rhs: e, returnBool: false, matching: nil) : e
        }
        return try primary()
    }

    mutating func primary() throws -> MetricExpr {
        let t = peek
        switch t.kind {
        case .number(let text):
            _ = advance()
            guard let v = Double(text) else { throw LogQLError("invalid number \(text)", at: t.position) }
            return .number(v)
        case .symbol("("):
            _ = advance()
            let e = try expression(minPrecedence: 1)
            try expect(")", "')'")
            return .paren(e)
        case .symbol("{"), .symbol("<"):
            throw LogQLError("a log query cannot be used here; wrap it in a range aggregation such as count_over_time({…}[5m])", at: t.position)
        case .identifier(let name):
            if let fn = RangeFunction(rawValue: name) { return .range(try rangeAggregation(fn)) }
            if let op = VectorOp(rawValue: name) { return try vectorAggregation(op) }
            switch name {
            case "vector":
                _ = advance()
                try expect("(", "'(' after vector")
                let vt = advance()
                guard case .number(let text) = vt.kind, let v = Double(text) else {
                    throw LogQLError("vector() takes a number", at: vt.position)
                }
                try expect(")", "')'")
                return .vector(v)
            case "label_replace":
                _ = advance()
                try expect("(", "'(' after label_replace")
                let inner = try expression(minPrecedence: 1)
                var args: [String] = []
                for what in ["destination label", "replacement", "source label", "regex"] {
                    try expect(",", "',' before the \(what)")
                    args.append(try string("the \(what) string"))
                }
                try expect(")", "')'")
                do { _ = try ByteSearchRegexCheck.compile(args[3]) } catch {
                    throw LogQLError("invalid regex in label_replace: \(error)", at: t.position)
                }
                return .labelReplace(inner: inner, destination: args[0], replacement: args[1], source: args[2], regex: args[3])
            case "approx_topk", "variants":
                throw LogQLError("\(name) is not supported (it is experimental in Loki); use topk or separate queries", at: t.position)
            default:
                throw LogQLError("unknown function or keyword \(name); a query starts with a stream selector like {job=\"nginx\"} or a function like count_over_time", at: t.position)
            }
        default:
            throw LogQLError("unexpected \(describe(t)); expected a metric expression", at: t.position)
        }
    }

    mutating func grouping() throws -> Grouping? {
        guard isIdentifier("by") || isIdentifier("without") else { return nil }
        let without = isIdentifier("without")
        _ = advance()
        return Grouping(without: without, labels: try labelList())
    }

    mutating func rangeAggregation(_ fn: RangeFunction) throws -> RangeAggregation {
        let fnTok = advance()
        var g = try grouping()
        try expect("(", "'(' after \(fn.rawValue)")
        var param: Double?
        if case .number(let text) = peek.kind, case .symbol(",") = peekNext.kind {
            let pt = advance()
            guard fn == .quantileOverTime else {
                throw LogQLError("parameter \(text) not supported for operation \(fn.rawValue)", at: pt.position)
            }
            guard let v = Double(text) else { throw LogQLError("invalid parameter for operation \(fn.rawValue): \(text)", at: pt.position) }
            param = v
            _ = advance()
        } else if fn == .quantileOverTime {
            throw LogQLError("parameter required for operation quantile_over_time, e.g. quantile_over_time(0.99, …)", at: peek.position)
        }
        // Either `{…} [5m] | stages` or `{…} | stages [5m]`, optionally in parentheses.
        var parens = 0
        while isSymbol("(") {
            _ = advance()
            parens += 1
        }
        guard startsSelector else {
            throw LogQLError("unexpected \(describe(peek)); \(fn.rawValue) needs a log query with a range, e.g. \(fn.rawValue)({job=\"x\"}[5m])", at: peek.position)
        }
        var query = LogQuery(matchers: try selector(), stages: [])
        var rangeText: String?
        var range: Int64 = 0
        var offset: Int64 = 0
        var offsetText: String?
        if isSymbol("[") {
            (range, rangeText) = try rangeLiteral()
            // `{…}[5m] offset 1h | json`: Loki lets the offset follow the range before the pipeline too.
            if isIdentifier("offset") { (offset, offsetText) = try offsetModifier() }
        }
        let (stages, unwrap) = try pipeline(stopAtUnwrap: true)
        query.stages = stages
        for _ in 0..<parens { try expect(")", "')'") }
        if rangeText == nil {
            guard isSymbol("[") else {
                throw LogQLError("unexpected \(describe(peek)); expected a range like [5m] after the log query", at: peek.position)
            }
            (range, rangeText) = try rangeLiteral()
        }
        if offsetText == nil && isIdentifier("offset") { (offset, offsetText) = try offsetModifier() }
        try expect(")", "')' to close \(fn.rawValue)")
        if g == nil { g = try grouping() }
        if g != nil && !fn.allowsGrouping {
            throw LogQLError("grouping not allowed for \(fn.rawValue) aggregation", at: fnTok.position)
        }
        if fn.needsUnwrap && unwrap == nil {
            throw LogQLError("invalid aggregation \(fn.rawValue) without unwrap", at: fnTok.position)
        }
        if !fn.acceptsUnwrap && unwrap != nil {
            throw LogQLError("invalid aggregation \(fn.rawValue) with unwrap", at: fnTok.position)
        }
        return RangeAggregation(function: fn, query: query, unwrap: unwrap, range: range, offset: offset,
                                rangeText: rangeText!, offsetText: offsetText, parameter: param, grouping: g)
    }

    /// `offset 1h`
    mutating func offsetModifier() throws -> (Int64, String) {
        _ = advance()
        let ot = advance()
        guard case .number(let text) = ot.kind else { throw LogQLError("offset needs a duration, e.g. offset 1h", at: ot.position) }
        return (try Units.duration(text, at: ot.position), text)
    }

    mutating func rangeLiteral() throws -> (Int64, String) {
        try expect("[", "'['")
        let t = advance()
        guard case .number(let text) = t.kind else {
            throw LogQLError("unexpected \(describe(t)); expected a duration like 5m", at: t.position)
        }
        let d = try Units.duration(text, at: t.position)
        guard d > 0 else { throw LogQLError("range must be positive", at: t.position) }
        try expect("]", "']'")
        return (d, text)
    }

    mutating func vectorAggregation(_ op: VectorOp) throws -> MetricExpr {
        let opTok = advance()
        var g = try grouping()
        try expect("(", "'(' after \(op.rawValue)")
        var param: Double?
        if op == .topk || op == .bottomk {
            let pt = advance()
            guard case .number(let text) = pt.kind, case .symbol(",") = peek.kind else {
                throw LogQLError("parameter required for operation \(op.rawValue): it needs a positive integer k first, e.g. \(op.rawValue)(10, …)", at: pt.position)
            }
            guard let v = Double(text), v == v.rounded() else {
                throw LogQLError("invalid parameter \(op.rawValue)(\(text),: k must be a positive integer", at: pt.position)
            }
            guard v >= 1 else {
                throw LogQLError("invalid parameter \(op.rawValue)(\(text),: k must be greater than 0 (a positive integer)", at: pt.position)
            }
            param = v
            _ = advance()
        } else if case .number(let text) = peek.kind, case .symbol(",") = peekNext.kind {
            throw LogQLError("unsupported parameter for operation \(op.rawValue)(\(text),", at: peek.position)
        }
        let inner = try expression(minPrecedence: 1)
        try expect(")", "')' to close \(op.rawValue)")
        if g == nil { g = try grouping() }
        if (op == .sort || op == .sortDesc) && g != nil {
            throw LogQLError("\(op.rawValue) does not take by/without", at: opTok.position)
        }
        if inner.isScalar { throw LogQLError("\(op.rawValue) needs a vector, not a scalar", at: opTok.position) }
        return .vectorAggregation(op: op, parameter: param, inner: inner, grouping: g)
    }
}

import ByteSearch
import Foundation

/// Go's `%f`: `1.000000`.
func goFloat(_ v: Double) -> String { String(format: "%f", v) }

enum ByteSearchRegexCheck {
    static func compile(_ pattern: String) throws -> Regex { try Regex(pattern, anchored: true) }
}
