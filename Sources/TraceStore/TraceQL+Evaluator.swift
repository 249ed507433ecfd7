import Foundation

/// Runs a parsed TraceQL expression over a `SpanTable`. Strings are resolved to the table's dictionary ids once
/// (a string absent from the dictionary matches nothing without looking at a span) and regular expressions are
/// run once per distinct dictionary string, so the per-span work is integer comparisons.
final class TraceQLEvaluator {
    typealias Predicate = (Int, Int) -> Bool  // (span, trace)

    let table: SpanTable
    let expr: SpansetExpr
    private var regexCache: [String: NSRegularExpression] = [:]
    private var compiled: [ObjectIdentifier: Predicate] = [:]
    private var filters: [Predicate?] = []

    init(table: SpanTable, expr: SpansetExpr) throws {
        self.table = table
        self.expr = expr
        filters = try collectFilters(expr).map { try $0.map(compile) }
    }

    private func collectFilters(_ e: SpansetExpr) -> [FieldExpr?] {
        switch e {
        case .filter(let f): [f]
        case .and(let a, let b), .or(let a, let b), .structural(_, let a, let b): collectFilters(a) + collectFilters(b)
        }
    }

    /// The spans of trace `t` that the expression yields (empty: the trace does not match), ascending.
    func evaluate(trace t: Int) -> [Int32] {
        var next = 0
        return eval(expr, trace: t, filterIndex: &next)
    }

    private func eval(_ e: SpansetExpr, trace t: Int, filterIndex i: inout Int) -> [Int32] {
        switch e {
        case .filter:
            let f = filters[i]
            i += 1
            let lo = Int(table.traceSpans[t]), hi = Int(table.traceSpans[t + 1])
            guard let f else { return (lo..<hi).map { Int32($0) } }
            var out: [Int32] = []
            for s in lo..<hi where f(s, t) { out.append(Int32(s)) }
            return out
        case .and(let a, let b):
            let x = eval(a, trace: t, filterIndex: &i)
            let y = eval(b, trace: t, filterIndex: &i)
            return x.isEmpty || y.isEmpty ? [] : union(x, y)
        case .or(let a, let b):
            return union(eval(a, trace: t, filterIndex: &i), eval(b, trace: t, filterIndex: &i))
        case .structural(let op, let a, let b):
            let x = eval(a, trace: t, filterIndex: &i)
            let y = eval(b, trace: t, filterIndex: &i)
            if x.isEmpty || y.isEmpty { return [] }
            return structural(op, Set(x), y, trace: t)
        }
    }

    private func union(_ a: [Int32], _ b: [Int32]) -> [Int32] { Array(Set(a).union(b)).sorted() }

    private func structural(_ op: StructuralOp, _ left: Set<Int32>, _ right: [Int32], trace t: Int) -> [Int32] {
        let parent = table.spanParent
        let limit = Int(table.traceSpans[t + 1] - table.traceSpans[t])  // guards against parent cycles
        switch op {
        case .child:
            return right.filter { parent[Int($0)] >= 0 && left.contains(parent[Int($0)]) }
        case .descendant:
            return right.filter { s in
                var p = parent[Int(s)]
                var steps = 0
                while p >= 0 && steps <= limit {
                    if left.contains(p) { return true }
                    p = parent[Int(p)]
                    steps += 1
                }
                return false
            }
        case .parent:
            let parents = Set(left.compactMap { parent[Int($0)] >= 0 ? parent[Int($0)] : nil })
            return right.filter { parents.contains($0) }
        case .ancestor:
            var ancestors = Set<Int32>()
            for s in left {
                var p = parent[Int(s)]
                var steps = 0
                while p >= 0 && steps <= limit && ancestors.insert(p).inserted {
                    p = parent[Int(p)]
                    steps += 1
                }
            }
            return right.filter { ancestors.contains($0) }
        case .sibling:
            var byParent: [Int32: Set<Int32>] = [:]
            for s in left where parent[Int(s)] >= 0 { byParent[parent[Int(s)], default: []].insert(s) }
            return right.filter { s in
                let p = parent[Int(s)]
                guard p >= 0, let sibs = byParent[p] else { return false }
                return sibs.contains { $0 != s }
            }
        }
    }

    // MARK: Compiling filters

    private func compile(_ f: FieldExpr) throws -> Predicate {
        switch f {
        case .and(let a, let b):
            let x = try compile(a), y = try compile(b)
            return { x($0, $1) && y($0, $1) }
        case .or(let a, let b):
            let x = try compile(a), y = try compile(b)
            return { x($0, $1) || y($0, $1) }
        case .not(let a):
            let x = try compile(a)
            return { !x($0, $1) }
        case .compare(let operand, let op, let lit):
            return try compare(operand, op, lit)
        }
    }

    private func regex(_ pattern: String) throws -> NSRegularExpression {
        if let r = regexCache[pattern] { return r }
        do {
            // TraceQL regular expressions are fully anchored, as in Tempo.
            let r = try NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: [])
            regexCache[pattern] = r
            return r
        } catch {
            throw TraceQLError("invalid regular expression \(jsonQuote(pattern))", at: 1)
        }
    }

    /// A predicate over dictionary ids for a string comparison; results are memoised per id.
    private func stringTest(_ op: CompareOp, _ s: String) throws -> (Int32) -> Bool {
        let t = table
        switch op {
        case .eq, .textEq:
            guard let id = t.id(of: s) else { return { _ in false } }
            return { $0 == id }
        case .ne:
            let id = t.id(of: s) ?? -1
            return { $0 != id }
        case .match, .notMatch:
            let r = try regex(s)
            var memo = [Int8](repeating: -1, count: t.strings.count)
            let want = op == .match
            return { id in
                let i = Int(id)
                if memo[i] < 0 {
                    let str = t.strings[i]
                    let ok = r.firstMatch(in: str, options: [], range: NSRange(str.startIndex..., in: str)) != nil
                    memo[i] = ok ? 1 : 0
                }
                return (memo[i] == 1) == want
            }
        case .gt, .ge, .lt, .le:
            return { id in Self.order(t.strings[Int(id)], s, op) }
        }
    }

    static func order<T: Comparable>(_ a: T, _ b: T, _ op: CompareOp) -> Bool {
        switch op {
        case .eq, .textEq: a == b
        case .ne: a != b
        case .gt: a > b
        case .ge: a >= b
        case .lt: a < b
        case .le: a <= b
        case .match, .notMatch: false
        }
    }

    private func compare(_ operand: Operand, _ op: CompareOp, _ lit: Literal) throws -> Predicate {
        let t = table
        switch operand {
        case .intrinsic(.name):
            guard case .string(let s) = lit else { return { _, _ in false } }
            let test = try stringTest(op, s)
            return { s, _ in test(t.spanName[s]) }
        case .intrinsic(.statusMessage):
            guard case .string(let s) = lit else { return { _, _ in false } }
            let test = try stringTest(op, s)
            return { s, _ in test(t.spanStatusMessage[s]) }
        case .intrinsic(.rootName), .intrinsic(.rootServiceName):
            guard case .string(let s) = lit else { return { _, _ in false } }
            let test = try stringTest(op, s)
            let service = operand == .intrinsic(.rootServiceName)
            return { _, tr in
                let r = Int(t.traceRoot[tr])
                guard r >= 0 else { return false }
                return test(service ? t.service(ofSpan: r) : t.spanName[r])
            }
        case .intrinsic(.status):
            guard case .status(let code) = lit else { return { _, _ in false } }
            let v = code.rawValue
            return op == .eq ? { s, _ in t.spanStatus[s] == v } : { s, _ in t.spanStatus[s] != v }
        case .intrinsic(.kind):
            guard case .kind(let k) = lit else { return { _, _ in false } }
            let v = k.rawValue
            return op == .eq ? { s, _ in t.spanKind[s] == v } : { s, _ in t.spanKind[s] != v }
        case .intrinsic(.duration):
            let ns: Int64
            switch lit {
            case .duration(let d), .int(let d): ns = d
            default: return { _, _ in false }
            }
            return { s, _ in Self.order(t.spanDuration[s], ns, op) }
        case .intrinsic(.traceDuration):
            let ns: Int64
            switch lit {
            case .duration(let d), .int(let d): ns = d
            default: return { _, _ in false }
            }
            return { _, tr in Self.order(t.traceEnd[tr] - t.traceStart[tr], ns, op) }
        case .attribute(let scope, let name):
            guard let key = t.id(of: name) else { return { _, _ in false } }
            let value = try valueTest(op, lit)
            switch scope {
            case .span, .event, .link:
                let want = scope == .span ? SpanTable.AttrScope.span : scope == .event ? .event : .link
                return { s, _ in Self.any(t, t.spanRange(span: s), key, want.rawValue, value) }
            case .resource:
                return { s, _ in
                    Self.first(t, t.resourceRange(group: Int(t.spanGroup[s])), key, SpanTable.AttrScope.resource.rawValue)
                        .map { value(t.attrType[$0], t.attrValue[$0]) } ?? false
                }
            case .instrumentation:
                return { s, _ in
                    Self.any(t, t.scopeRange(group: Int(t.spanGroup[s])), key,
                             SpanTable.AttrScope.instrumentation.rawValue, value)
                }
            case .unscoped:
                // The span's own attribute wins over its resource's, as in Tempo.
                return { s, _ in
                    if let row = Self.first(t, t.spanRange(span: s), key, SpanTable.AttrScope.span.rawValue) {
                        return value(t.attrType[row], t.attrValue[row])
                    }
                    return Self.first(t, t.resourceRange(group: Int(t.spanGroup[s])), key,
                                      SpanTable.AttrScope.resource.rawValue)
                        .map { value(t.attrType[$0], t.attrValue[$0]) } ?? false
                }
            }
        }
    }

    @inline(__always) static func first(_ t: SpanTable, _ r: Range<Int>, _ key: Int32, _ scope: UInt8) -> Int? {
        for i in r where t.attrKey[i] == key && t.attrScope[i] == scope { return i }
        return nil
    }

    @inline(__always) static func any(_ t: SpanTable, _ r: Range<Int>, _ key: Int32, _ scope: UInt8,
                                      _ value: (UInt8, Int64) -> Bool) -> Bool {
        for i in r where t.attrKey[i] == key && t.attrScope[i] == scope && value(t.attrType[i], t.attrValue[i]) {
            return true
        }
        return false
    }

    /// A test of an attribute's (type, value) against a literal. Types must agree, except that ints and floats
    /// compare numerically and `textEq` compares the value's text.
    private func valueTest(_ op: CompareOp, _ lit: Literal) throws -> (UInt8, Int64) -> Bool {
        let t = table
        let str = SpanTable.ValueType.string.rawValue, int = SpanTable.ValueType.int.rawValue
        let dbl = SpanTable.ValueType.double.rawValue, bool = SpanTable.ValueType.bool.rawValue
        if op == .textEq, case .string(let s) = lit {
            let test = try stringTest(.eq, s)
            return { type, v in
                switch type {
                case str: return test(Int32(v))
                case int: return String(v) == s
                case dbl: return AttributeValue.double(Double(bitPattern: UInt64(bitPattern: v))).text == s
                case bool: return (v != 0 ? "true" : "false") == s
                default: return false
                }
            }
        }
        switch lit {
        case .string(let s):
            let test = try stringTest(op, s)
            return { type, v in type == str && test(Int32(v)) }
        case .int(let i), .duration(let i):
            return { type, v in
                if type == int { return Self.order(v, i, op) }
                if type == dbl { return Self.order(Double(bitPattern: UInt64(bitPattern: v)), Double(i), op) }
                return false
            }
        case .double(let d):
            return { type, v in
                if type == dbl { return Self.order(Double(bitPattern: UInt64(bitPattern: v)), d, op) }
                if type == int { return Self.order(Double(v), d, op) }
                return false
            }
        case .bool(let b):
            guard op == .eq || op == .ne else { throw TraceQLError("booleans compare with = or != only", at: 1) }
            let want: Int64 = b ? 1 : 0
            return { type, v in type == bool && (op == .eq ? v == want : v != want) }
        case .status, .kind:
            return { _, _ in false }
        }
    }
}
