import LogStore

/// Recursive-descent parser for LogQL. Errors carry the byte position of the offending token.
public struct Parser {
    var tokens: [Token]
    var index = 0

    public init(_ query: String) throws { tokens = try Lexer.tokenize(query) }

    /// Parses a log query: `{...}` or `<...>`, then line filters.
    public static func parseLogSelector(_ query: String) throws -> LogSelector {
        var p = try Parser(query)
        let sel = try p.logSelector()
        if case .end = p.peek.kind { return sel }
        throw LogQLError("unexpected \(p.describe(p.peek)); expected a line filter (|=, !=, |~, !~) or end of query",
                         at: p.peek.position)
    }

    var peek: Token { tokens[index] }

    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier(let s): "identifier \(s)"
        case .string(let s): "string \"\(s)\""
        case .symbol(let s): "'\(s)'"
        case .end: "end of query"
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

    mutating func logSelector() throws -> LogSelector {
        let matchers = try selector()
        var filters: [LineFilterStage] = []
        while case .symbol(let s) = peek.kind, let op = LineFilterStage.Op(rawValue: s) {
            _ = advance()
            var values = [try string("a string after \(s)")]
            while case .identifier("or") = peek.kind {
                _ = advance()
                values.append(try string("a string after 'or'"))
            }
            filters.append(LineFilterStage(op: op, values: values))
        }
        return LogSelector(matchers: matchers, filters: filters)
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
