/// Recursive-descent parser for the TraceQL subset (see `TraceQL`). Precedence, loosest first, as in Tempo:
/// spanset `||`, spanset `&&`, structural operators (left-associative); inside a filter `||`, `&&`, `!`.
struct TraceQLParser {
    enum Token: Equatable {
        case lbrace, rbrace, lparen, rparen
        case op(String)  // && || ! = != > >= < <= =~ !~ >> << ~ | and the unsupported ones
        case ident(String)
        case string(String)
        case number(String)
        case end
    }

    let text: [UInt8]
    var pos = 0
    var tok: Token = .end
    var tokPos = 1

    init(_ s: String) { text = Array(s.utf8) }

    static let supportedSummary =
        "mclog supports span filters { … } of comparisons (=, !=, >, >=, <, <=, =~, !~) joined by &&, || and !, combined with &&, ||, >>, >, <<, < and ~"

    func fail(_ message: String, at p: Int? = nil) -> TraceQLError { TraceQLError(message, at: p ?? tokPos) }

    func unsupported(_ what: String, at p: Int? = nil) -> TraceQLError {
        TraceQLError("unsupported TraceQL construct: \(what) (\(Self.supportedSummary))", at: p ?? tokPos)
    }

    // MARK: Lexer

    mutating func next() throws {
        while pos < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[pos]) { pos += 1 }
        tokPos = pos + 1
        guard pos < text.count else {
            tok = .end
            return
        }
        let c = text[pos]
        func peek(_ o: Int) -> UInt8? { pos + o < text.count ? text[pos + o] : nil }
        switch c {
        case UInt8(ascii: "{"): pos += 1; tok = .lbrace
        case UInt8(ascii: "}"): pos += 1; tok = .rbrace
        case UInt8(ascii: "("): pos += 1; tok = .lparen
        case UInt8(ascii: ")"): pos += 1; tok = .rparen
        case UInt8(ascii: "\""), UInt8(ascii: "`"):
            tok = .string(try lexString(quote: c))
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            tok = .number(lexNumber())
        case UInt8(ascii: "-") where peek(1).map({ $0 >= 0x30 && $0 <= 0x39 }) == true:
            pos += 1
            tok = .number("-" + lexNumber())
        default:
            if isIdentStart(c) {
                let start = pos
                while pos < text.count, isIdentChar(text[pos]) { pos += 1 }
                tok = .ident(String(decoding: text[start..<pos], as: UTF8.self))
                return
            }
            // Operators: longest match first.
            for o in ["!>>", "!<<", "&>>", "&<<", "&&", "||", "!=", "!~", "=~", ">=", "<=", ">>", "<<", "&>", "&<", "&~",
                      "!>", "!<", "=", ">", "<", "!", "~", "|", "+", "-", "*", "/", "%", "^", ","] {
                let u = Array(o.utf8)
                if pos + u.count <= text.count, Array(text[pos..<pos + u.count]) == u {
                    pos += u.count
                    tok = .op(o)
                    return
                }
            }
            throw fail("unexpected character \"\(String(decoding: [c], as: UTF8.self))\"", at: pos + 1)
        }
    }

    func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }

    func isIdentChar(_ c: UInt8) -> Bool {
        isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ":") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "/")
    }

    mutating func lexNumber() -> String {
        let start = pos
        while pos < text.count,
            (text[pos] >= 0x30 && text[pos] <= 0x39) || text[pos] == UInt8(ascii: ".")
                || (text[pos] >= 0x61 && text[pos] <= 0x7A) || text[pos] == 0xC2 || text[pos] == 0xB5
        {
            pos += 1
        }
        return String(decoding: text[start..<pos], as: UTF8.self)
    }

    mutating func lexString(quote: UInt8) throws -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while pos < text.count {
            let c = text[pos]
            if c == quote {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") && pos + 1 < text.count {
                pos += 1
                switch text[pos] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case let e: out.append(e)
                }
                pos += 1
                continue
            }
            out.append(c)
            pos += 1
        }
        throw fail("unterminated string", at: start + 1)
    }

    // MARK: Grammar

    mutating func parseQuery() throws -> SpansetExpr {
        try next()
        if tok == .end { throw fail("empty query: want a span filter such as { status = error }") }
        let e = try parseSpansetOr()
        switch tok {
        case .end: return e
        case .op("|"): throw unsupported("pipeline operator \"|\" (aggregates, select(), by())")
        default: throw fail("unexpected \(describe(tok)) after a complete spanset expression")
        }
    }

    mutating func parseSpansetOr() throws -> SpansetExpr {
        var left = try parseSpansetAnd()
        while tok == .op("||") {
            try next()
            left = .or(left, try parseSpansetAnd())
        }
        return left
    }

    mutating func parseSpansetAnd() throws -> SpansetExpr {
        var left = try parseStructural()
        while tok == .op("&&") {
            try next()
            left = .and(left, try parseStructural())
        }
        return left
    }

    mutating func parseStructural() throws -> SpansetExpr {
        var left = try parseSpansetPrimary()
        while case .op(let o) = tok {
            if let op = StructuralOp(rawValue: o) {
                try next()
                left = .structural(op, left, try parseSpansetPrimary())
            } else if ["!>>", "!<<", "!>", "!<", "!~"].contains(o) {
                throw unsupported("negated structural operator \"\(o)\"")
            } else if ["&>>", "&<<", "&>", "&<", "&~"].contains(o) {
                throw unsupported("union structural operator \"\(o)\"")
            } else {
                break
            }
        }
        return left
    }

    mutating func parseSpansetPrimary() throws -> SpansetExpr {
        switch tok {
        case .lparen:
            try next()
            let e = try parseSpansetOr()
            guard tok == .rparen else { throw fail("want \")\", got \(describe(tok))") }
            try next()
            return e
        case .lbrace:
            try next()
            if tok == .rbrace {
                try next()
                return .filter(nil)
            }
            let f = try parseFieldOr()
            guard tok == .rbrace else {
                if case .op(let o) = tok, ["+", "-", "*", "/", "%", "^"].contains(o) {
                    throw unsupported("arithmetic operator \"\(o)\"")
                }
                throw fail("want \"}\" to close the span filter, got \(describe(tok))")
            }
            try next()
            return .filter(f)
        case .ident(let name) where ["count", "avg", "min", "max", "sum", "select", "by", "coalesce", "rate",
                                     "quantile_over_time", "histogram_over_time", "count_over_time", "with"].contains(name):
            throw unsupported("function or keyword \"\(name)\"")
        default:
            throw fail("want a span filter \"{ … }\", got \(describe(tok))")
        }
    }

    mutating func parseFieldOr() throws -> FieldExpr {
        var left = try parseFieldAnd()
        while tok == .op("||") {
            try next()
            left = .or(left, try parseFieldAnd())
        }
        return left
    }

    mutating func parseFieldAnd() throws -> FieldExpr {
        var left = try parseFieldUnary()
        while tok == .op("&&") {
            try next()
            left = .and(left, try parseFieldUnary())
        }
        return left
    }

    mutating func parseFieldUnary() throws -> FieldExpr {
        if tok == .op("!") {
            try next()
            return .not(try parseFieldUnary())
        }
        if tok == .lparen {
            try next()
            let e = try parseFieldOr()
            guard tok == .rparen else { throw fail("want \")\", got \(describe(tok))") }
            try next()
            return e
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> FieldExpr {
        let operandPos = tokPos
        let operand: Operand
        switch tok {
        case .ident(let name): operand = try resolveOperand(name, at: operandPos)
        case .string, .number:
            throw unsupported("a literal on the left of a comparison (write the attribute first)")
        default: throw fail("want an attribute or intrinsic, got \(describe(tok))")
        }
        try next()
        guard case .op(let o) = tok else {
            throw unsupported("an attribute without a comparison (existence checks and boolean attributes need \"= true\")",
                              at: operandPos)
        }
        if ["+", "-", "*", "/", "%", "^"].contains(o) { throw unsupported("arithmetic operator \"\(o)\"") }
        guard let op = CompareOp(rawValue: o), op != .textEq else {
            throw fail("want a comparison operator after \(operand), got \"\(o)\"")
        }
        try next()
        let litPos = tokPos
        let lit = try parseLiteral(for: operand)
        try check(operand, op, lit, at: litPos)
        return .compare(operand, op, lit)
    }

    func resolveOperand(_ name: String, at p: Int) throws -> Operand {
        for (prefix, scope) in [("span.", AttributeScope.span), ("resource.", .resource), ("event.", .event),
                                ("link.", .link), ("instrumentation.", .instrumentation)] where name.hasPrefix(prefix) {
            let rest = String(name.dropFirst(prefix.count))
            guard !rest.isEmpty else { throw fail("attribute name missing after \"\(prefix)\"", at: p) }
            return .attribute(scope, rest)
        }
        if name.hasPrefix("parent.") { throw unsupported("the parent. attribute scope", at: p) }
        if name.hasPrefix(".") {
            guard name.count > 1 else { throw fail("attribute name missing after \".\"", at: p) }
            return .attribute(.unscoped, String(name.dropFirst()))
        }
        let aliases: [String: Intrinsic] = [
            "name": .name, "span:name": .name, "status": .status, "span:status": .status, "kind": .kind,
            "span:kind": .kind, "duration": .duration, "span:duration": .duration, "statusMessage": .statusMessage,
            "span:statusMessage": .statusMessage, "rootName": .rootName, "trace:rootName": .rootName,
            "rootServiceName": .rootServiceName, "trace:rootService": .rootServiceName,
            "traceDuration": .traceDuration, "trace:duration": .traceDuration,
        ]
        if let i = aliases[name] { return .intrinsic(i) }
        if name.contains(":") || ["nestedSetLeft", "nestedSetRight", "nestedSetParent", "childCount", "parent"].contains(name) {
            throw unsupported("intrinsic \"\(name)\"", at: p)
        }
        throw fail("unknown attribute or intrinsic \"\(name)\" (attributes are written .name, span.name or resource.name)", at: p)
    }

    mutating func parseLiteral(for operand: Operand) throws -> Literal {
        let lit: Literal
        switch tok {
        case .string(let s): lit = .string(s)
        case .number(let n): lit = try number(n)
        case .ident(let w):
            switch w {
            case "true": lit = .bool(true)
            case "false": lit = .bool(false)
            case "nil": throw unsupported("nil (attribute existence)")
            default:
                if let s = StatusCode.allCases.first(where: { $0.name == w }) {
                    lit = .status(s)
                } else if let k = SpanKind.allCases.first(where: { $0.name == w }) {
                    lit = .kind(k)
                } else {
                    throw unsupported("comparing with \"\(w)\" (a value must be a string, number, duration, true/false, a status or a kind)")
                }
            }
        case .op("-"): throw unsupported("arithmetic on values")
        default: throw fail("want a value after the operator, got \(describe(tok))")
        }
        try next()
        return lit
    }

    func number(_ s: String) throws -> Literal {
        if let i = Int64(s) { return .int(i) }
        if let d = Double(s), !s.contains(where: { $0.isLetter }) { return .double(d) }
        if let ns = Self.duration(s) { return .duration(ns) }
        throw fail("invalid number or duration \"\(s)\"")
    }

    /// `2s`, `150ms`, `1h30m`, `1.5s`, `10us`/`10µs`, `5ns`.
    static func duration(_ s: String) -> Int64? {
        var total = 0.0
        var rest = Substring(s)
        var negative = false
        if rest.hasPrefix("-") {
            negative = true
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let num = rest.prefix { $0.isNumber || $0 == "." }
            guard let v = Double(num) else { return nil }
            rest = rest.dropFirst(num.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            total += v * scale
        }
        return Int64(negative ? -total : total)
    }

    /// Type checks that Tempo also makes: statuses only with `status`, kinds only with `kind`, and so on.
    func check(_ o: Operand, _ op: CompareOp, _ l: Literal, at p: Int) throws {
        let regex = op == .match || op == .notMatch
        if regex, case .string = l {} else if regex {
            throw fail("\(op.rawValue) needs a string (a regular expression)", at: p)
        }
        switch o {
        case .intrinsic(.status):
            guard case .status = l, op == .eq || op == .ne else {
                throw fail("status compares with = or != to error, ok or unset", at: p)
            }
        case .intrinsic(.kind):
            guard case .kind = l, op == .eq || op == .ne else {
                throw fail("kind compares with = or != to server, client, producer, consumer, internal or unspecified", at: p)
            }
        case .intrinsic(.duration), .intrinsic(.traceDuration):
            switch l {
            case .duration, .int: break
            default: throw fail("\(o) compares with a duration such as 2s or 150ms", at: p)
            }
        case .intrinsic(.name), .intrinsic(.statusMessage), .intrinsic(.rootName), .intrinsic(.rootServiceName):
            guard case .string = l else { throw fail("\(o) compares with a string", at: p) }
        case .attribute:
            switch l {
            case .status, .kind: throw fail("an attribute cannot be compared with a status or kind", at: p)
            default: break
            }
        }
    }

    func describe(_ t: Token) -> String {
        switch t {
        case .lbrace: "\"{\""
        case .rbrace: "\"}\""
        case .lparen: "\"(\""
        case .rparen: "\")\""
        case .op(let o): "\"\(o)\""
        case .ident(let s): "\"\(s)\""
        case .string(let s): "string \(jsonQuote(s))"
        case .number(let n): "\(n)"
        case .end: "end of query"
        }
    }
}
