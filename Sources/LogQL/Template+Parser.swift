/// The parse tree of a template (Go's `text/template/parse` nodes, for the subset Loki's templates use).
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipe)
    case ifNode(TemplatePipe, [TemplateNode], [TemplateNode]?)
    case with(TemplatePipe, [TemplateNode], [TemplateNode]?)
    case range(TemplatePipe, [TemplateNode], [TemplateNode]?)
    case breakLoop, continueLoop
}

/// `decl := cmd | cmd | …`: each command's value is the last argument of the next.
struct TemplatePipe: Sendable {
    let pos: Int
    let decl: [String]
    let isAssign: Bool
    let cmds: [TemplateCommand]

    var description: String {
        var s = ""
        if !decl.isEmpty { s = decl.joined(separator: ", ") + (isAssign ? " = " : " := ") }
        return s + cmds.map(\.description).joined(separator: " | ")
    }
}

struct TemplateCommand: Sendable {
    let pos: Int
    let args: [TemplateArg]

    var description: String { args.map(\.description).joined(separator: " ") }
}

/// A numeric constant (`3`, `-1.5`, `0x1F`, `1e6`, `'a'`) with the interpretations Go's parser allows.
struct TemplateNumber: Sendable {
    let text: String
    var isInt = false, isUint = false, isFloat = false
    var int64: Int64 = 0
    var float: Double = 0
}

indirect enum TemplateArg: Sendable {
    case field(pos: Int, names: [String])
    case variable(pos: Int, name: String, fields: [String])
    case dot(pos: Int)
    case nilValue(pos: Int)
    case bool(pos: Int, Bool)
    case number(pos: Int, TemplateNumber)
    case string(pos: Int, value: String, text: String)
    /// A function call; `fn` is nil for the short-circuiting `and` and `or`.
    case function(pos: Int, name: String, fn: TemplateFunction?)
    case pipe(pos: Int, TemplatePipe)
    case chain(pos: Int, TemplateArg, fields: [String])

    var pos: Int {
        switch self {
        case .field(let p, _), .variable(let p, _, _), .dot(let p), .nilValue(let p), .bool(let p, _), .number(let p, _),
             .string(let p, _, _), .function(let p, _, _), .pipe(let p, _), .chain(let p, _, _):
            return p
        }
    }

    /// Go's `Node.String()`, as shown in `at <…>` of execution errors.
    var description: String {
        switch self {
        case .field(_, let names): return "." + names.joined(separator: ".")
        case .variable(_, let name, let fields): return ([name] + fields).joined(separator: ".")
        case .dot: return "."
        case .nilValue: return "nil"
        case .bool(_, let b): return b ? "true" : "false"
        case .number(_, let n): return n.text
        case .string(_, _, let text): return text
        case .function(_, let name, _): return name
        case .pipe(_, let p): return "(" + p.description + ")"
        case .chain(_, let node, let fields): return node.description + "." + fields.joined(separator: ".")
        }
    }
}

/// Go's template parser (`text/template/parse/parse.go`): the same grammar, errors and checks — functions must
/// exist, variables must be declared, only the first command of a pipeline may be a constant.
///
/// Not supported (refused with an error): `{{define}}`, `{{template}}`, `{{block}}` (a Loki template is a single
/// template) and complex numbers.
struct TemplateParser {
    private let items: [TemplateItem]
    private var i = 0
    private var vars: [String] = ["$"]
    private var rangeDepth = 0
    /// Nesting of `{{if}}`/`{{with}}`/`{{range}}` (an `else if` chain nests too) and of parentheses; parsing and
    /// running recurse on it, so it is bounded.
    private var controlDepth = 0
    private var parenDepth = 0
    static let maxControlDepth = 500
    static let maxParenDepth = 100
    private let length: Int

    private enum Parsed {
        case node(TemplateNode)
        case end(Int)
        case elseMarker(Int)
    }

    init(_ source: String) throws {
        var lexer = TemplateLexer(source)
        items = try lexer.run()
        length = source.utf8.count
    }

    // MARK: tokens

    private mutating func next() -> TemplateItem {
        defer { i += 1 }
        return i < items.count ? items[i] : items[items.count - 1]
    }

    private mutating func backup() { i -= 1 }

    private func peek() -> TemplateItem { i < items.count ? items[i] : items[items.count - 1] }

    private mutating func nextNonSpace() -> TemplateItem {
        var t = next()
        while t.kind == .space { t = next() }
        return t
    }

    private mutating func peekNonSpace() -> TemplateItem {
        while i < items.count, items[i].kind == .space { i += 1 }
        return peek()
    }

    private func unexpected(_ t: TemplateItem, _ context: String) -> LogQLError {
        LogQLError("unexpected \(t.description) in \(context)", at: t.kind == .eof ? length : t.pos)
    }

    // MARK: lists

    mutating func parse() throws -> [TemplateNode] {
        var root: [TemplateNode] = []
        while peek().kind != .eof {
            switch try textOrAction() {
            case .node(let n): root.append(n)
            case .end(let pos): throw LogQLError("unexpected {{end}}", at: pos)
            case .elseMarker(let pos): throw LogQLError("unexpected {{else}}", at: pos)
            }
        }
        return root
    }

    private mutating func itemList() throws -> ([TemplateNode], Parsed) {
        var list: [TemplateNode] = []
        while peekNonSpace().kind != .eof {
            let n = try textOrAction()
            if case .node(let node) = n { list.append(node) } else { return (list, n) }
        }
        throw LogQLError("unexpected EOF", at: length)
    }

    private mutating func textOrAction() throws -> Parsed {
        let t = nextNonSpace()
        switch t.kind {
        case .text: return .node(.text(t.val))
        case .leftDelim: return try action()
        default: throw unexpected(t, "input")
        }
    }

    private mutating func action() throws -> Parsed {
        let t = nextNonSpace()
        switch t.kind {
        case .keyword(.break), .keyword(.continue):
            let name = t.val
            let close = nextNonSpace()
            guard close.kind == .rightDelim else { throw unexpected(close, "{{\(name)}}") }
            guard rangeDepth > 0 else { throw LogQLError("{{\(name)}} outside {{range}}", at: t.pos) }
            return .node(t.kind == .keyword(.break) ? .breakLoop : .continueLoop)
        case .keyword(.else):
            let p = peekNonSpace()
            if p.kind == .keyword(.if) || p.kind == .keyword(.with) { return .elseMarker(t.pos) }
            let close = nextNonSpace()
            guard close.kind == .rightDelim else { throw unexpected(close, "else") }
            return .elseMarker(t.pos)
        case .keyword(.end):
            let close = nextNonSpace()
            guard close.kind == .rightDelim else { throw unexpected(close, "end") }
            return .end(t.pos)
        case .keyword(.if): return .node(try control("if", at: t.pos))
        case .keyword(.with): return .node(try control("with", at: t.pos))
        case .keyword(.range): return .node(try control("range", at: t.pos))
        case .keyword(.define), .keyword(.template), .keyword(.block):
            throw LogQLError("{{\(t.val)}} is not supported: a line_format or label_format template is a single template",
                             at: t.pos)
        default:
            backup()
            return .node(.action(try pipeline("command", end: .rightDelim)))
        }
    }

    /// `{{if}}`, `{{with}}` and `{{range}}`, with `{{else}}`, `{{else if}}` and `{{else with}}`.
    private mutating func control(_ context: String, at pos: Int) throws -> TemplateNode {
        controlDepth += 1
        defer { controlDepth -= 1 }
        if controlDepth > TemplateParser.maxControlDepth {
            throw LogQLError("template nesting too deep: more than \(TemplateParser.maxControlDepth) levels", at: pos)
        }
        let mark = vars.count
        defer { vars.removeSubrange(mark...) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, next) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [TemplateNode]? = nil
        if case .elseMarker = next {
            if context == "if", peek().kind == .keyword(.if) {
                elseList = [try control("if", at: self.next().pos)]
            } else if context == "with", peek().kind == .keyword(.with) {
                elseList = [try control("with", at: self.next().pos)]
            } else {
                let (list2, next2) = try itemList()
                guard case .end = next2 else {
                    if case .elseMarker(let p) = next2 { throw LogQLError("expected end; found {{else}}", at: p) }
                    throw LogQLError("expected end", at: length)
                }
                elseList = list2
            }
        }
        switch context {
        case "if": return .ifNode(pipe, list, elseList)
        case "with": return .with(pipe, list, elseList)
        default: return .range(pipe, list, elseList)
        }
    }

    // MARK: pipelines

    private mutating func pipeline(_ context: String, end: TemplateItem.Kind) throws -> TemplatePipe {
        let pos = peekNonSpace().pos
        var decl: [String] = []
        var isAssign = false
        decls: while peekNonSpace().kind == .variable {
            let save = i
            let v = next()
            let afterVariable = peek()
            let after = peekNonSpace()
            switch after.kind {
            case .assign, .declare:
                isAssign = after.kind == .assign
                _ = nextNonSpace()
                decl.append(v.val)
                vars.append(v.val)
            case .char where after.val == ",":
                _ = nextNonSpace()
                decl.append(v.val)
                vars.append(v.val)
                if context == "range" && decl.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue decls
                    default: throw LogQLError("range can only initialize variables", at: peek().pos)
                    }
                }
                throw LogQLError("too many declarations in \(context)", at: v.pos)
            default:
                _ = afterVariable
                i = save
            }
            break
        }
        var cmds: [TemplateCommand] = []
        while true {
            let t = nextNonSpace()
            if t.kind == end {
                if cmds.isEmpty { throw LogQLError("missing value for \(context)", at: t.pos) }
                for (k, c) in cmds.enumerated().dropFirst() {
                    switch c.args[0] {
                    case .bool, .dot, .nilValue, .number, .string:
                        throw LogQLError("non executable command in pipeline stage \(k + 1)", at: c.pos)
                    default: break
                    }
                }
                return TemplatePipe(pos: pos, decl: decl, isAssign: isAssign, cmds: cmds)
            }
            switch t.kind {
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string,
                 .variable, .leftParen:
                backup()
                cmds.append(try command())
            default:
                throw unexpected(t, context)
            }
        }
    }

    private mutating func command() throws -> TemplateCommand {
        let pos = peekNonSpace().pos
        var args: [TemplateArg] = []
        loop: while true {
            _ = peekNonSpace()
            if let op = try operand() { args.append(op) }
            let t = next()
            switch t.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(t, "operand")
            }
            break loop
        }
        if args.isEmpty { throw LogQLError("empty command", at: pos) }
        return TemplateCommand(pos: pos, args: args)
    }

    private mutating func operand() throws -> TemplateArg? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        let chainPos = peek().pos
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().val.dropFirst())) }
        switch node {
        case .field(let p, let names): return .field(pos: p, names: names + fields)
        case .variable(let p, let name, let f): return .variable(pos: p, name: name, fields: f + fields)
        case .bool, .string, .number, .nilValue, .dot:
            throw LogQLError("unexpected . after term \(GoFmt.quote(node.description))", at: chainPos)
        default: return .chain(pos: chainPos, node, fields: fields)
        }
    }

    private mutating func term() throws -> TemplateArg? {
        let t = nextNonSpace()
        switch t.kind {
        case .identifier:
            if t.val == "and" || t.val == "or" { return .function(pos: t.pos, name: t.val, fn: nil) }
            guard let fn = TemplateFunctions.table[t.val] else {
                throw LogQLError("function \(GoFmt.quote(t.val)) not defined", at: t.pos)
            }
            return .function(pos: t.pos, name: t.val, fn: fn)
        case .dot: return .dot(pos: t.pos)
        case .nilKeyword: return .nilValue(pos: t.pos)
        case .variable:
            guard vars.contains(t.val) else { throw LogQLError("undefined variable \(GoFmt.quote(t.val))", at: t.pos) }
            return .variable(pos: t.pos, name: t.val, fields: [])
        case .field: return .field(pos: t.pos, names: [String(t.val.dropFirst())])
        case .bool: return .bool(pos: t.pos, t.val == "true")
        case .charConstant, .number: return .number(pos: t.pos, try TemplateParser.number(t))
        case .complex: throw LogQLError("complex numbers are not supported: \(t.val)", at: t.pos)
        case .leftParen:
            parenDepth += 1
            defer { parenDepth -= 1 }
            if parenDepth > TemplateParser.maxParenDepth {
                throw LogQLError("template nesting too deep: more than \(TemplateParser.maxParenDepth) parentheses", at: t.pos)
            }
            return .pipe(pos: t.pos, try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString: return .string(pos: t.pos, value: try TemplateParser.unquote(t), text: t.val)
        default:
            backup()
            return nil
        }
    }

    // MARK: constants

    /// Go's `newNumber`.
    private static func number(_ t: TemplateItem) throws -> TemplateNumber {
        var n = TemplateNumber(text: t.val)
        if t.kind == .charConstant {
            let body = Array(t.val.utf8.dropFirst())
            guard let (r, rest) = unquoteChar(body[...], quote: UInt8(ascii: "'")) else {
                throw LogQLError("invalid syntax", at: t.pos)
            }
            guard rest.elementsEqual([UInt8(ascii: "'")]) else {
                throw LogQLError("malformed character constant: \(t.val)", at: t.pos)
            }
            n.isInt = true; n.isUint = true; n.isFloat = true
            n.int64 = Int64(r); n.float = Double(r)
            return n
        }
        if t.val.hasSuffix("i") { throw LogQLError("complex numbers are not supported: \(t.val)", at: t.pos) }
        switch GoConvert.parseInt(t.val) {
        case .success(let v):
            n.isInt = true; n.int64 = v
            if v >= 0 { n.isUint = true }
            n.isFloat = true; n.float = Double(v)
        case .failure(.range) where UInt64(t.val.filter { $0 != "_" && $0 != "+" }) != nil:
            // Fits a uint64 but not an int64: usable only where a float will do.
            n.isUint = true; n.isFloat = true
            n.float = Double(t.val.filter { $0 != "_" && $0 != "+" }) ?? 0
        case .failure:
            if case .success(let f) = GoConvert.parseFloat(t.val) {
                if !t.val.contains(where: { ".eEpP".contains($0) }) {
                    throw LogQLError("integer overflow: \(GoFmt.quote(t.val))", at: t.pos)
                }
                n.isFloat = true; n.float = f
                let i = GoConvert.truncate(f)
                if Double(i) == f { n.isInt = true; n.int64 = i }
                if f >= 0 && f < 1.8446744073709552e19 && f.rounded(.towardZero) == f { n.isUint = true }
            }
        }
        if !n.isInt && !n.isUint && !n.isFloat {
            throw LogQLError("illegal number syntax: \(GoFmt.quote(t.val))", at: t.pos)
        }
        return n
    }

    /// `strconv.Unquote` of a `"…"` or `` `…` `` token.
    private static func unquote(_ t: TemplateItem) throws -> String {
        var b = Array(t.val.utf8)
        if t.kind == .rawString {
            b = Array(b.dropFirst().dropLast()).filter { $0 != UInt8(ascii: "\r") }
            return String(decoding: b, as: UTF8.self)
        }
        var rest = b.dropFirst().dropLast()
        var out: [UInt8] = []
        while let c = rest.first {
            if c != UInt8(ascii: "\\") { out.append(c); rest = rest.dropFirst(); continue }
            guard let (r, tail) = unquoteChar(rest, quote: UInt8(ascii: "\"")) else {
                throw LogQLError("invalid syntax", at: t.pos)
            }
            if r < 0 { out.append(UInt8(-r - 1)) } else {
                out.append(contentsOf: String(Character(Unicode.Scalar(UInt32(r)) ?? "\u{FFFD}")).utf8)
            }
            rest = tail
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `strconv.UnquoteChar` on bytes: the value and the rest. A raw byte (`\x..`, octal) is returned as
    /// `-(byte + 1)`, a rune as itself.
    private static func unquoteChar(_ s: ArraySlice<UInt8>, quote: UInt8) -> (Int, ArraySlice<UInt8>)? {
        guard let c = s.first else { return nil }
        if c == quote && (quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"")) { return nil }
        if c >= 0x80 {
            let n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
            guard s.count >= n else { return nil }
            let r = String(decoding: s.prefix(n), as: UTF8.self).unicodeScalars.first!
            return (Int(r.value), s.dropFirst(n))
        }
        if c != UInt8(ascii: "\\") { return (Int(c), s.dropFirst()) }
        guard s.count >= 2 else { return nil }
        let e = s[s.startIndex + 1]
        var rest = s.dropFirst(2)
        func hex(_ n: Int) -> Int? {
            guard rest.count >= n else { return nil }
            var v = 0
            for h in rest.prefix(n) {
                switch h {
                case 48...57: v = v << 4 | Int(h - 48)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | Int(h - 87)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | Int(h - 55)
                default: return nil
                }
            }
            rest = rest.dropFirst(n)
            return v
        }
        switch e {
        case UInt8(ascii: "a"): return (7, rest)
        case UInt8(ascii: "b"): return (8, rest)
        case UInt8(ascii: "f"): return (12, rest)
        case UInt8(ascii: "n"): return (10, rest)
        case UInt8(ascii: "r"): return (13, rest)
        case UInt8(ascii: "t"): return (9, rest)
        case UInt8(ascii: "v"): return (11, rest)
        case UInt8(ascii: "\\"): return (92, rest)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            guard e == quote else { return nil }
            return (Int(e), rest)
        case UInt8(ascii: "x"):
            guard let v = hex(2) else { return nil }
            return (quote == UInt8(ascii: "'") ? v : -(v + 1), rest)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            guard let v = hex(e == UInt8(ascii: "u") ? 4 : 8), v <= 0x10FFFF, !(v >= 0xD800 && v < 0xE000) else { return nil }
            return (v, rest)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            let digits = [e] + Array(rest.prefix(2))
            guard digits.count == 3, digits.allSatisfy({ $0 >= 48 && $0 <= 55 }) else { return nil }
            let v = digits.reduce(0) { $0 * 8 + Int($1 - 48) }
            guard v <= 255 else { return nil }
            rest = rest.dropFirst(2)
            return (quote == UInt8(ascii: "'") ? v : -(v + 1), rest)
        default:
            return nil
        }
    }
}
