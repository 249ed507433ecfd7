/// Runs a parsed template (Go's `text/template/exec.go` for the supported subset), writing to a string.
///
/// Errors read as Go's do after its `template: NAME:LINE:COL: executing "NAME"` prefix — `at <.foo>: foo is not a
/// method but has arguments`, `at <now>: wrong number of args for now: want 0 got 1`, `at <div>: error calling div:
/// runtime error: integer divide by zero` — and carry the byte offset of the node in the template.
struct TemplateExecutor {
    let env: TemplateEnv
    private var vars: [(name: String, value: TemplateValue)] = [("$", .labels)]
    private(set) var output = ""

    init(env: TemplateEnv) { self.env = env }

    enum Flow { case normal, breakLoop, continueLoop }

    private func fail(_ pos: Int, _ what: String, _ message: String) -> LogQLError {
        LogQLError("at <\(what)>: \(message)", at: pos)
    }

    private func fail(_ node: TemplateArg, _ message: String) -> LogQLError { fail(node.pos, node.description, message) }

    // MARK: lists

    mutating func walk(_ list: [TemplateNode], dot: TemplateValue) throws -> Flow {
        for node in list {
            switch node {
            case .text(let s):
                output += s
            case .action(let pipe):
                let v = try evalPipeline(pipe, dot: dot)
                if pipe.decl.isEmpty { try print(v, pipe) }
            case .ifNode(let pipe, let list, let elseList), .with(let pipe, let list, let elseList):
                let mark = vars.count
                defer { vars.removeSubrange(mark...) }
                let v = try evalPipeline(pipe, dot: dot)
                var isWith = false
                if case .with = node { isWith = true }
                var flow = Flow.normal
                if v.isTrue {
                    flow = try walk(list, dot: isWith ? v : dot)
                } else if let elseList {
                    flow = try walk(elseList, dot: dot)
                }
                if flow != .normal { return flow }
            case .range(let pipe, let list, let elseList):
                let flow = try walkRange(pipe, list, elseList, dot: dot)
                if flow != .normal { return flow }
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private mutating func print(_ v: TemplateValue, _ pipe: TemplatePipe) throws {
        switch v {
        case .string(let s): output += s
        case .missing: output += "<no value>"
        case .labels: throw fail(pipe.pos, pipe.description, "printing the label map is not supported")
        default: output += GoFmt.string(v)
        }
    }

    private mutating func walkRange(_ pipe: TemplatePipe, _ list: [TemplateNode], _ elseList: [TemplateNode]?,
                                    dot: TemplateValue) throws -> Flow {
        let mark = vars.count
        defer { vars.removeSubrange(mark...) }
        let val = try evalPipeline(pipe, dot: dot)
        let loopMark = vars.count
        func iteration(_ me: inout TemplateExecutor, _ index: TemplateValue, _ elem: TemplateValue) throws -> Flow {
            if !pipe.decl.isEmpty {
                if pipe.isAssign {
                    try me.setVar(pipe.decl[0], pipe.decl.count > 1 ? index : elem, pipe)
                } else {
                    me.vars[me.vars.count - 1].value = elem
                }
            }
            if pipe.decl.count > 1 {
                if pipe.isAssign { try me.setVar(pipe.decl[1], elem, pipe) } else { me.vars[me.vars.count - 2].value = index }
            }
            defer { me.vars.removeSubrange(loopMark...) }
            return try me.walk(list, dot: elem)
        }
        var ran = false
        switch val {
        case .array(let a):
            for (i, e) in a.enumerated() {
                ran = true
                if try iteration(&self, .int(i), e) == .breakLoop { break }
            }
        case .map(let m):
            for k in m.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                ran = true
                if try iteration(&self, .string(k), m[k]!) == .breakLoop { break }
            }
        case .int, .int64:
            if pipe.decl.count > 1 {
                throw fail(pipe.pos, pipe.description, "can't use \(GoFmt.string(val)) to iterate over more than one variable")
            }
            let n: Int64
            if case .int(let i) = val { n = Int64(i) } else if case .int64(let i) = val { n = i } else { n = 0 }
            var i: Int64 = 0
            while i < n {
                ran = true
                let v: TemplateValue = { if case .int = val { return .int(Int(i)) } else { return .int64(i) } }()
                if try iteration(&self, v, v) == .breakLoop { break }
                i += 1
            }
        case .missing:
            break
        case .labels:
            throw fail(pipe.pos, pipe.description, "ranging over the label map is not supported")
        default:
            throw fail(pipe.pos, pipe.description, "range can't iterate over \(GoFmt.string(val))")
        }
        if !ran, let elseList { return try walk(elseList, dot: dot) }
        return .normal
    }

    // MARK: variables

    private func variable(_ name: String, _ node: TemplateArg) throws -> TemplateValue {
        guard let v = vars.last(where: { $0.name == name }) else { throw fail(node, "undefined variable: \(name)") }
        return v.value
    }

    private mutating func setVar(_ name: String, _ value: TemplateValue, _ pipe: TemplatePipe) throws {
        guard let i = vars.lastIndex(where: { $0.name == name }) else {
            throw fail(pipe.pos, pipe.description, "undefined variable: \(name)")
        }
        vars[i].value = value
    }

    // MARK: pipelines and commands

    mutating func evalPipeline(_ pipe: TemplatePipe, dot: TemplateValue) throws -> TemplateValue {
        var value: TemplateValue? = nil
        for cmd in pipe.cmds { value = try evalCommand(cmd, dot: dot, final: value) }
        let v = value ?? .missing
        for name in pipe.decl {
            if pipe.isAssign { try setVar(name, v, pipe) } else { vars.append((name, v)) }
        }
        return v
    }

    /// A command; `final` is the value piped in from the previous command (nil for the first).
    private mutating func evalCommand(_ cmd: TemplateCommand, dot: TemplateValue, final: TemplateValue?) throws -> TemplateValue {
        let first = cmd.args[0]
        switch first {
        case .field(_, let names):
            return try evalFieldChain(dot: dot, receiver: dot, names, node: first, args: cmd.args, final: final)
        case .chain:
            return try evalChain(first, dot: dot, args: cmd.args, final: final)
        case .function:
            return try evalFunction(first, dot: dot, args: cmd.args.dropFirst(), final: final)
        case .pipe(_, let pipe):
            try notAFunction(cmd.args, final)
            return try evalPipeline(pipe, dot: dot)
        case .variable:
            return try evalVariable(first, dot: dot, args: cmd.args, final: final)
        default:
            break
        }
        try notAFunction(cmd.args, final)
        switch first {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .number(_, let n): return try idealConstant(n, first)
        case .string(_, let s, _): return .string(s)
        default: throw fail(first, "nil is not a command")
        }
    }

    private func notAFunction(_ args: [TemplateArg], _ final: TemplateValue?) throws {
        if args.count > 1 || final != nil {
            throw fail(args[0], "can't give argument to non-function \(args[0].description)")
        }
    }

    /// An untyped constant where any type will do: a float if it is written as one, else an int.
    private func idealConstant(_ n: TemplateNumber, _ node: TemplateArg) throws -> TemplateValue {
        let t = n.text
        let isHexInt = t.count > 2 && t.hasPrefix("0") && (t.dropFirst().first == "x" || t.dropFirst().first == "X")
            && !t.contains(where: { $0 == "p" || $0 == "P" })
        if n.isFloat && !isHexInt && !t.hasPrefix("'") && t.contains(where: { ".eEpP".contains($0) }) {
            return .float(n.float)
        }
        if n.isInt { return .int(Int(n.int64)) }
        if n.isUint { throw fail(node, "\(t) overflows int") }
        return .missing
    }

    // MARK: fields

    private mutating func evalFieldChain(dot: TemplateValue, receiver: TemplateValue, _ names: [String], node: TemplateArg,
                                         args: [TemplateArg], final: TemplateValue?) throws -> TemplateValue {
        var r = receiver
        for name in names.dropLast() { r = try evalField(dot: dot, name, node: node, args: [], final: nil, receiver: r) }
        return try evalField(dot: dot, names[names.count - 1], node: node, args: args, final: final, receiver: r)
    }

    private mutating func evalField(dot: TemplateValue, _ name: String, node: TemplateArg, args: [TemplateArg],
                                    final: TemplateValue?, receiver: TemplateValue) throws -> TemplateValue {
        if case .missing = receiver { return .missing }
        if case .time = receiver, let method = TemplateFunctions.timeMethods[name] {
            return try evalCall(method, name, node: node, dot: dot, args: args.dropFirst(), final: final,
                                receiver: receiver)
        }
        let hasArgs = args.count > 1 || final != nil
        switch receiver {
        case .labels:
            if hasArgs { throw fail(node, "\(name) is not a method but has arguments") }
            return .string(env.lookup(name) ?? "")
        case .map(let m):
            if hasArgs { throw fail(node, "\(name) is not a method but has arguments") }
            return m[name] ?? .missing
        default:
            throw fail(node, "can't evaluate field \(name) in type \(receiver.goType)")
        }
    }

    private mutating func evalChain(_ chain: TemplateArg, dot: TemplateValue, args: [TemplateArg],
                                    final: TemplateValue?) throws -> TemplateValue {
        guard case .chain(_, let inner, let fields) = chain else { return .missing }
        let v: TemplateValue
        switch inner {
        case .pipe(_, let pipe): v = try evalPipeline(pipe, dot: dot)
        case .function: v = try evalFunction(inner, dot: dot, args: [], final: nil)
        default: v = try evalOperand(inner, dot: dot)
        }
        return try evalFieldChain(dot: dot, receiver: v, fields, node: chain, args: args, final: final)
    }

    private mutating func evalVariable(_ node: TemplateArg, dot: TemplateValue, args: [TemplateArg],
                                       final: TemplateValue?) throws -> TemplateValue {
        guard case .variable(_, let name, let fields) = node else { return .missing }
        let value = try variable(name, node)
        if fields.isEmpty {
            try notAFunction(args, final)
            return value
        }
        return try evalFieldChain(dot: dot, receiver: value, fields, node: node, args: args, final: final)
    }

    // MARK: functions

    private mutating func evalFunction(_ node: TemplateArg, dot: TemplateValue, args: ArraySlice<TemplateArg>,
                                       final: TemplateValue?) throws -> TemplateValue {
        guard case .function(_, let name, let fn) = node else { return .missing }
        guard let fn else {
            // and / or: evaluate arguments only until the result is known; the result is that argument.
            if args.isEmpty && final == nil { throw fail(node, "wrong number of args for \(name): want at least 1 got 0") }
            var v = TemplateValue.missing
            for a in args {
                v = try evalArg(a, .value, dot: dot)
                if v.isTrue == (name == "or") { return v }
            }
            if let final { v = try validate(final, .value, node) }
            return v
        }
        return try evalCall(fn, name, node: node, dot: dot, args: args, final: final, receiver: nil)
    }

    private mutating func evalCall(_ fn: TemplateFunction, _ name: String, node: TemplateArg, dot: TemplateValue,
                                   args: ArraySlice<TemplateArg>, final: TemplateValue?,
                                   receiver: TemplateValue?) throws -> TemplateValue {
        let numIn = args.count + (final == nil ? 0 : 1)
        if fn.variadic != nil {
            if numIn < fn.params.count {
                throw fail(node, "wrong number of args for \(name): want at least \(fn.params.count) got \(args.count)")
            }
        } else if numIn != fn.params.count {
            throw fail(node, "wrong number of args for \(name): want \(fn.params.count) got \(numIn)")
        }
        var argv: [TemplateValue] = []
        argv.reserveCapacity(numIn + 1)
        if let receiver { argv.append(receiver) }
        for (i, a) in args.enumerated() {
            argv.append(try evalArg(a, i < fn.params.count ? fn.params[i] : fn.variadic!, dot: dot))
        }
        if let final {
            argv.append(try validate(final, numIn - 1 < fn.params.count ? fn.params[numIn - 1] : fn.variadic!, node))
        }
        do {
            return try fn.body(argv, env)
        } catch let e as TemplateCallError {
            throw fail(node, "error calling \(name): \(e.message)")
        }
    }

    /// An argument evaluated for a parameter of type `param` (Go's `evalArg`): constants convert or are refused
    /// (`expected integer; found "x"`), other values must already have the type (`wrong type for value; …`).
    private mutating func evalArg(_ arg: TemplateArg, _ param: TemplateParam, dot: TemplateValue) throws -> TemplateValue {
        switch arg {
        case .dot, .field, .variable, .pipe, .function, .chain:
            return try validate(try evalOperand(arg, dot: dot), param, arg)
        case .nilValue:
            if param == .any { return .missing }
            throw fail(arg, "cannot assign nil to \(param.goName)")
        case .bool(_, let b):
            switch param {
            case .bool, .any, .value: return .bool(b)
            default: throw constantMismatch(arg, param)
            }
        case .number(_, let n):
            switch param {
            case .int:
                guard n.isInt else { throw constantMismatch(arg, param) }
                return .int(Int(n.int64))
            case .float64:
                guard n.isFloat else { throw constantMismatch(arg, param) }
                return .float(n.float)
            case .any, .value: return try idealConstant(n, arg)
            default: throw constantMismatch(arg, param)
            }
        case .string(_, let s, _):
            switch param {
            case .string, .any, .value: return .string(s)
            default: throw constantMismatch(arg, param)
            }
        }
    }

    private func constantMismatch(_ arg: TemplateArg, _ param: TemplateParam) -> LogQLError {
        switch param {
        case .string: fail(arg, "expected string; found \(arg.description)")
        case .int: fail(arg, "expected integer; found \(arg.description)")
        case .float64: fail(arg, "expected float; found \(arg.description)")
        case .bool: fail(arg, "expected bool; found \(arg.description)")
        default: fail(arg, "can't handle \(arg.description) for arg of type \(param.goName)")
        }
    }

    /// The value of an operand, not yet checked against a parameter type.
    private mutating func evalOperand(_ arg: TemplateArg, dot: TemplateValue) throws -> TemplateValue {
        switch arg {
        case .dot: return dot
        case .field(_, let names): return try evalFieldChain(dot: dot, receiver: dot, names, node: arg, args: [arg], final: nil)
        case .variable: return try evalVariable(arg, dot: dot, args: [arg], final: nil)
        case .pipe(_, let pipe): return try evalPipeline(pipe, dot: dot)
        case .function: return try evalFunction(arg, dot: dot, args: [], final: nil)
        case .chain: return try evalChain(arg, dot: dot, args: [arg], final: nil)
        case .nilValue: return .missing
        case .bool(_, let b): return .bool(b)
        case .number(_, let n): return try idealConstant(n, arg)
        case .string(_, let s, _): return .string(s)
        }
    }

    /// Go's `validateType`.
    private func validate(_ value: TemplateValue, _ param: TemplateParam, _ node: TemplateArg) throws -> TemplateValue {
        let ok: Bool
        switch (value, param) {
        case (.missing, .any): return .missing
        case (.missing, _): throw fail(node, "invalid value; expected \(param.goName)")
        case (_, .any), (_, .value): ok = true
        case (.string, .string), (.int, .int), (.float, .float64), (.bool, .bool), (.time, .time): ok = true
        default: ok = false
        }
        if ok { return value }
        throw fail(node, "wrong type for value; expected \(param.goName); got \(value.goType)")
    }
}
