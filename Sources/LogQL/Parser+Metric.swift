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
            throw LogQLError("a log query cannot be used here; wrap it in a range aggregation such as count_over_time(\(describe(t))…[5m])", at: t.position)
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
        if fn == .quantileOverTime {
            let pt = advance()
            guard case .number(let text) = pt.kind, let v = Double(text) else {
                throw LogQLError("quantile_over_time needs a quantile first, e.g. quantile_over_time(0.99, …)", at: pt.position)
            }
            param = v
            try expect(",", "',' after the quantile")
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
        if isSymbol("[") { (range, rangeText) = try rangeLiteral() }
        let (stages, unwrap) = try pipeline(stopAtUnwrap: true)
        query.stages = stages
        for _ in 0..<parens { try expect(")", "')'") }
        if rangeText == nil {
            guard isSymbol("[") else {
                throw LogQLError("unexpected \(describe(peek)); expected a range like [5m] after the log query", at: peek.position)
            }
            (range, rangeText) = try rangeLiteral()
        }
        var offset: Int64 = 0
        var offsetText: String?
        if isIdentifier("offset") {
            _ = advance()
            let ot = advance()
            guard case .number(let text) = ot.kind else { throw LogQLError("offset needs a duration", at: ot.position) }
            offset = try Units.duration(text, at: ot.position)
            offsetText = text
        }
        try expect(")", "')' to close \(fn.rawValue)")
        if g == nil { g = try grouping() }
        if g != nil && !fn.allowsGrouping {
            throw LogQLError("grouping not allowed for \(fn.rawValue) aggregation", at: fnTok.position)
        }
        if fn.needsUnwrap && unwrap == nil {
            throw LogQLError("invalid aggregation \(fn.rawValue) without unwrap", at: fnTok.position)
        }
        if !fn.needsUnwrap && fn != .rate && unwrap != nil {
            throw LogQLError("invalid aggregation \(fn.rawValue) with unwrap", at: fnTok.position)
        }
        return RangeAggregation(function: fn, query: query, unwrap: unwrap, range: range, offset: offset,
                                rangeText: rangeText!, offsetText: offsetText, parameter: param, grouping: g)
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
            guard case .number(let text) = pt.kind, let v = Double(text), v >= 1, v == v.rounded() else {
                throw LogQLError("\(op.rawValue) needs a positive integer k first, e.g. \(op.rawValue)(10, …)", at: pt.position)
            }
            param = v
            try expect(",", "',' after k")
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

/// Semantic checks after parsing.
enum Validator {
    static func check(_ e: MetricExpr) throws {
        switch e {
        case .binary(let op, let l, let r, let b, _):
            if op.isSet && (l.isScalar || r.isScalar) {
                throw LogQLError("set operator \(op.rawValue) not allowed in binary scalar expression")
            }
            if op.isComparison && l.isScalar && r.isScalar && !b {
                throw LogQLError("comparisons between scalars must use bool modifier")
            }
            try check(l)
            try check(r)
        case .vectorAggregation(_, _, let inner, _): try check(inner)
        case .labelReplace(let inner, _, _, _, _): try check(inner)
        case .paren(let inner): try check(inner)
        case .range, .number, .vector: break
        }
    }
}

import ByteSearch

enum ByteSearchRegexCheck {
    static func compile(_ pattern: String) throws -> Regex { try Regex(pattern, anchored: true) }
}
