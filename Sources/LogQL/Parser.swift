import LogStore

/// Recursive-descent parser for LogQL. Errors carry the byte position of the offending token.
public struct Parser {
    var tokens: [Token]
    var index = 0

    public init(_ query: String) throws { tokens = try Lexer.tokenize(query) }

    /// Parses a whole query: a log query or a metric query.
    public static func parse(_ query: String) throws -> Query {
        var p = try Parser(query)
        if case .end = p.peek.kind {
            throw LogQLError("empty query: expected a stream selector like {job=\"nginx\"} or a metric query", at: p.peek.position)
        }
        let q: Query
        if p.startsSelector {
            q = .log(try p.logQuery())
        } else if let depth = p.parenthesisedSelectorDepth {
            // `({job="x"} |= "y")`: a log query in parentheses, as Loki's grammar allows.
            for _ in 0..<depth { _ = p.advance() }
            let inner = try p.logQuery()
            for _ in 0..<depth { try p.expect(")", "')' to close the log query") }
            q = .log(inner)
        } else {
            q = .metric(try p.expression(minPrecedence: 1))
        }
        guard case .end = p.peek.kind else {
            if case .log = q, p.isSymbol("[") {
                throw LogQLError("a log query cannot take a range; use a range aggregation such as count_over_time({…}[5m])", at: p.peek.position)
            }
            if case .metric = q, p.isIdentifier("offset") {
                throw LogQLError("offset must follow the range inside the function, e.g. count_over_time({…}[5m] offset 5m)", at: p.peek.position)
            }
            throw LogQLError("unexpected \(p.describe(p.peek))", at: p.peek.position)
        }
        return q
    }

    /// Parses a log query only (what `mclog query` prints lines for).
    public static func parseLogQuery(_ query: String) throws -> LogQuery {
        guard case .log(let q) = try parse(query) else {
            throw LogQLError("expected a log query, got a metric query", at: 0)
        }
        return q
    }

    var peek: Token { tokens[index] }
    var peekNext: Token { tokens[min(index + 1, tokens.count - 1)] }

    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier(let s): "identifier \(s)"
        case .string(let s): "string \"\(s)\""
        case .number(let s): "number \(s)"
        case .symbol(let s): "'\(s)'"
        case .end: "end of query"
        }
    }

    func isSymbol(_ s: String) -> Bool {
        if case .symbol(let x) = peek.kind { return x == s }
        return false
    }

    func isIdentifier(_ s: String) -> Bool {
        if case .identifier(let x) = peek.kind { return x == s }
        return false
    }

    var startsSelector: Bool { isSymbol("{") || isSymbol("<") }

    /// How many `(` precede a selector at the start of the query, or nil when the query does not start that way.
    var parenthesisedSelectorDepth: Int? {
        var i = index
        while case .symbol("(") = tokens[i].kind { i += 1 }
        guard i > index else { return nil }
        switch tokens[i].kind {
        case .symbol("{"), .symbol("<"): return i - index
        default: return nil
        }
    }

    mutating func expect(_ symbol: String, _ what: String) throws {
        let t = advance()
        guard case .symbol(let s) = t.kind, s == symbol else {
            throw LogQLError("unexpected \(describe(t)); expected \(what)", at: t.position)
        }
    }

    mutating func string(_ what: String) throws -> String {
        let t = advance()
        guard case .string(let s) = t.kind else {
            throw LogQLError("unexpected \(describe(t)); expected \(what)", at: t.position)
        }
        return s
    }

    mutating func identifier(_ what: String) throws -> String {
        let t = advance()
        guard case .identifier(let s) = t.kind else {
            throw LogQLError("unexpected \(describe(t)); expected \(what)", at: t.position)
        }
        return s
    }

    // MARK: Log queries

    mutating func logQuery() throws -> LogQuery {
        var q = LogQuery(matchers: try selector(), stages: [])
        q.stages = try pipeline(stopAtUnwrap: false).stages
        return q
    }

    /// Pipeline stages until something that is not a stage. With `stopAtUnwrap`, `| unwrap …` ends the
    /// pipeline and is returned (metric queries).
    mutating func pipeline(stopAtUnwrap: Bool) throws -> (stages: [PipelineStage], unwrap: Unwrap?) {
        var stages: [PipelineStage] = []
        while true {
            if case .symbol(let s) = peek.kind, let op = LineFilterStage.Op(rawValue: s) {
                _ = advance()
                stages.append(.lineFilter(LineFilterStage(op: op, values: try lineFilterValues(after: s))))
                continue
            }
            guard isSymbol("|") else { return (stages, nil) }
            let bar = advance()
            let t = peek
            if isSymbol("(") {
                stages.append(.labelFilter(try labelFilter()))
                continue
            }
            guard case .identifier(let name) = t.kind else {
                throw LogQLError("unexpected \(describe(t)) after '|'; expected a parser, a label filter or a formatter",
                                 at: t.position)
            }
            switch name {
            case "json":
                _ = advance()
                stages.append(.json(try extractions()))
            case "logfmt":
                _ = advance()
                var strict = false, keepEmpty = false
                while isFlag {
                    let flag = try self.flag()
                    switch flag {
                    case "strict": strict = true
                    case "keep-empty": keepEmpty = true
                    default: throw LogQLError("unknown logfmt flag --\(flag); expected --strict or --keep-empty", at: t.position)
                    }
                }
                stages.append(.logfmt(strict: strict, keepEmpty: keepEmpty, try extractions()))
            case "pattern":
                _ = advance()
                stages.append(.pattern(try string("a pattern string after pattern")))
            case "regexp":
                _ = advance()
                stages.append(.regexp(try string("a regex string after regexp")))
            case "unpack":
                _ = advance()
                stages.append(.unpack)
            case "line_format":
                _ = advance()
                stages.append(.lineFormat(try string("a template string after line_format")))
            case "label_format":
                _ = advance()
                stages.append(.labelFormat(try labelFormatItems()))
            case "drop":
                _ = advance()
                stages.append(.drop(try labelSelectorItems()))
            case "keep":
                _ = advance()
                stages.append(.keep(try labelSelectorItems()))
            case "xml":
                throw LogQLError("the xml parser is not supported (it is experimental in Loki); use regexp or pattern", at: t.position)
            case "decolorize":
                _ = advance()
                stages.append(.decolorize)
            case "unwrap":
                guard stopAtUnwrap else {
                    throw LogQLError("unwrap is only allowed inside a range aggregation such as sum_over_time(...)", at: t.position)
                }
                _ = advance()
                var unwrap = try unwrapTarget()
                // Label filters after unwrap (e.g. `| __error__=""`).
                while isSymbol("|"), { if case .identifier = peekNext.kind { return true }; return peekNext.kind == .symbol("(") }() {
                    _ = advance()
                    unwrap.filters.append(try labelFilter())
                }
                return (stages, unwrap)
            default:
                _ = bar
                stages.append(.labelFilter(try labelFilter()))
            }
        }
    }

    var isFlag: Bool {
        if case .symbol("-") = peek.kind, case .symbol("-") = peekNext.kind { return true }
        return false
    }

    /// `--strict`, `--keep-empty`
    mutating func flag() throws -> String {
        try expect("-", "--flag")
        try expect("-", "--flag")
        var name = try identifier("a flag name")
        while isSymbol("-"), case .identifier(let more) = peekNext.kind {
            _ = advance()
            _ = advance()
            name += "-" + more
        }
        return name
    }

    mutating func lineFilterValues(after op: String) throws -> [LineFilterStage.Value] {
        var values = [try lineFilterValue(after: op)]
        while isIdentifier("or") {
            _ = advance()
            values.append(try lineFilterValue(after: "'or'"))
        }
        return values
    }

    mutating func lineFilterValue(after what: String) throws -> LineFilterStage.Value {
        if isIdentifier("ip") {
            _ = advance()
            try expect("(", "'(' after ip")
            let cidr = try string("an IP, range or CIDR string")
            try expect(")", "')'")
            return .ip(cidr)
        }
        return .text(try string("a string after \(what)"))
    }

    /// `a="x.y", b` after json/logfmt, or nothing.
    mutating func extractions() throws -> [Extraction] {
        var out: [Extraction] = []
        guard case .identifier = peek.kind, !isIdentifier("or"), !isIdentifier("and") else { return out }
        while true {
            let label = try identifier("a label name")
            if isSymbol("=") {
                _ = advance()
                out.append(Extraction(label: label, expression: try string("a quoted expression")))
            } else {
                out.append(Extraction(label: label, expression: label))
            }
            guard isSymbol(",") else { return out }
            _ = advance()
        }
    }

    mutating func labelFormatItems() throws -> [LabelFormatItem] {
        var out: [LabelFormatItem] = []
        while true {
            let dst = try identifier("a label name")
            try expect("=", "'=' in label_format")
            switch peek.kind {
            case .identifier(let src):
                _ = advance()
                out.append(LabelFormatItem(destination: dst, source: .rename(src)))
            case .string(let t):
                _ = advance()
                out.append(LabelFormatItem(destination: dst, source: .template(t)))
            default:
                throw LogQLError("unexpected \(describe(peek)); expected a label name or a template string", at: peek.position)
            }
            guard isSymbol(",") else { return out }
            _ = advance()
        }
    }

    mutating func labelSelectorItems() throws -> [LabelSelectorItem] {
        var out: [LabelSelectorItem] = []
        while true {
            let nameTok = peek
            let name = try identifier("a label name")
            if case .symbol(let s) = peek.kind, let op = LabelMatcher.Op(rawValue: s) {
                _ = advance()
                let v = peek
                let value = try string("a quoted value")
                do { out.append(LabelSelectorItem(name: name, matcher: try LabelMatcher(name, op, value))) } catch {
                    throw LogQLError("invalid matcher: \(error)", at: v.position)
                }
            } else {
                _ = nameTok
                out.append(LabelSelectorItem(name: name, matcher: nil))
            }
            guard isSymbol(",") else { return out }
            _ = advance()
        }
    }

    /// Label filter expression with Loki's precedence. `or` binds loosest and `and` tighter, both left-associative;
    /// `,` and juxtaposition (`a="x" b="y"`) also mean and, but Loki's grammar gives them no precedence and resolves
    /// every conflict by shifting, so they take everything to their right: `a, b or c` is `a and (b or c)`.
    mutating func labelFilter(minPower: Int = 0) throws -> LabelFilterExpr {
        var lhs = try labelFilterPrimary()
        while let (left, right, isOr) = labelFilterOperator(), left >= minPower {
            if isIdentifier("or") || isIdentifier("and") || isSymbol(",") { _ = advance() }
            let rhs = try labelFilter(minPower: right)
            lhs = isOr ? .or(lhs, rhs) : .and(lhs, rhs)
        }
        return lhs
    }

    /// The operator after a label filter primary, with its left and right binding powers.
    func labelFilterOperator() -> (Int, Int, Bool)? {
        if isIdentifier("or") { return (1, 2, true) }
        if isIdentifier("and") { return (3, 4, false) }
        let next = peekNext.kind
        if isSymbol(",") {
            if case .identifier = next { return (5, 0, false) }
            if case .symbol("(") = next { return (5, 0, false) }
            return nil
        }
        // Juxtaposition: another `name op value` or a parenthesised filter.
        if isSymbol("(") { return (5, 0, false) }
        if case .identifier = peek.kind, case .symbol(let op) = next,
           ["=", "!=", "=~", "!~", "==", ">", ">=", "<", "<="].contains(op) {
            return (5, 0, false)
        }
        return nil
    }

    mutating func labelFilterPrimary() throws -> LabelFilterExpr {
        if isSymbol("(") {
            _ = advance()
            let e = try labelFilter()
            try expect(")", "')'")
            return e
        }
        let name = try identifier("a label name")
        let opTok = advance()
        guard case .symbol(let op) = opTok.kind else {
            throw LogQLError("unexpected \(describe(opTok)); expected a comparison after \(name)", at: opTok.position)
        }
        // ip("…")
        if isIdentifier("ip"), case .symbol("(") = peekNext.kind, op != "=" && op != "!=" {
            throw LogQLError("ip() label filters only take = or != (got \(op))", at: opTok.position)
        }
        if (op == "=" || op == "!="), isIdentifier("ip") {
            _ = advance()
            try expect("(", "'(' after ip")
            let cidr = try string("an IP, range or CIDR string")
            try expect(")", "')'")
            return .ip(name: name, negate: op == "!=", cidr: cidr)
        }
        var sign = ""
        if isSymbol("-") || isSymbol("+"), case .number = peekNext.kind {
            if isSymbol("-") { sign = "-" }
            _ = advance()
        }
        switch peek.kind {
        case .string(let v) where sign.isEmpty:
            guard let mop = LabelMatcher.Op(rawValue: op) else {
                throw LogQLError("operator \(op) needs a number, duration or bytes value, not a string", at: opTok.position)
            }
            let vt = advance()
            do { return .string(try LabelMatcher(name, mop, v)) } catch {
                throw LogQLError("invalid label filter: \(error)", at: vt.position)
            }
        case .number(let unsigned):
            let vt = advance()
            let text = sign + unsigned
            if !sign.isEmpty && Double(text) == nil {
                throw LogQLError("invalid value \(text): only plain numbers take a sign", at: vt.position)
            }
            let nop: NumericOp
            switch op {
            case "=", "==": nop = .eq
            case "!=": nop = .neq
            case ">": nop = .gt
            case ">=": nop = .gte
            case "<": nop = .lt
            case "<=": nop = .lte
            default: throw LogQLError("operator \(op) cannot compare numbers", at: opTok.position)
            }
            let (value, unit) = try Units.parseFilterValue(text, at: vt.position)
            return .numeric(name: name, op: nop, value: value, unit: unit, text: text)
        default:
            throw LogQLError("unexpected \(describe(peek)); expected a string, number, duration or bytes value", at: peek.position)
        }
    }

    mutating func unwrapTarget() throws -> Unwrap {
        let name = try identifier("a label name after unwrap")
        if isSymbol("("), let conv = Unwrap.Conversion(rawValue: name), conv != .none {
            _ = advance()
            let label = try identifier("a label name")
            try expect(")", "')'")
            return Unwrap(label: label, conversion: conv, filters: [])
        }
        return Unwrap(label: name, conversion: .none, filters: [])
    }

    /// `{name op "value", ...}` or the same between `<` and `>`.
    mutating func selector() throws -> [LabelMatcher] {
        let open = advance()
        let close: String
        switch open.kind {
        case .symbol("{"): close = "}"
        case .symbol("<"): close = ">"
        default: throw LogQLError("unexpected \(describe(open)); expected a stream selector like {job=\"nginx\"}", at: open.position)
        }
        var matchers: [LabelMatcher] = []
        if case .symbol(close) = peek.kind {
            throw LogQLError("stream selector is empty; at least one matcher is required", at: peek.position)
        }
        while true {
            let nameTok = advance()
            guard case .identifier(let name) = nameTok.kind else {
                throw LogQLError("unexpected \(describe(nameTok)); expected a label name", at: nameTok.position)
            }
            let opTok = advance()
            guard case .symbol(let o) = opTok.kind, let op = LabelMatcher.Op(rawValue: o) else {
                throw LogQLError("unexpected \(describe(opTok)); expected one of =, !=, =~, !~", at: opTok.position)
            }
            let valueTok = peek
            let value = try string("a quoted label value")
            do {
                matchers.append(try LabelMatcher(name, op, value))
            } catch {
                throw LogQLError("invalid matcher: \(error)", at: valueTok.position)
            }
            let sep = advance()
            if case .symbol(close) = sep.kind { break }
            guard case .symbol(",") = sep.kind else {
                throw LogQLError("unexpected \(describe(sep)); expected ',' or '\(close)'", at: sep.position)
            }
        }
        if matchers.allSatisfy(\.matchesEmpty) {
            throw LogQLError(
                "queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will",
                at: open.position)
        }
        return matchers
    }
}

extension Parser {
    /// Parses a label set written as a selector of equality matchers: `{job="nginx", zone="kzone"}`.
    public static func parseLabels(_ text: String) throws -> [Label] {
        var p = try Parser(text)
        let open = p.peek
        let matchers = try p.selector()
        guard case .end = p.peek.kind else {
            throw LogQLError("unexpected \(p.describe(p.peek)) after the label set", at: p.peek.position)
        }
        for m in matchers where m.op != .eq {
            throw LogQLError("labels must be given as name=\"value\" (got \(m))", at: open.position)
        }
        return matchers.map { Label($0.name, $0.value) }
    }
}
