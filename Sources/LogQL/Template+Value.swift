/// A value while a template runs: one case per Go type that Loki's template functions take or return, so that
/// type errors, comparisons and printing follow Go's `text/template` (`exec.go`, `funcs.go`) and `fmt`.
///
/// The distinction between `int` and `int64` is Go's: `len`, `count`, `int` and integer constants give an `int`;
/// sprig's integer arithmetic (`add`, `sub`, `mul`, `div`, `mod`, `max`, `min`) gives an `int64`. A function whose
/// parameter is `int` (`trunc`, `substr`, `repeat`, …) refuses an `int64`, exactly as Go does.
enum TemplateValue: Sendable {
    /// Go's invalid `reflect.Value` — a nil interface: a JSON null, a missing JSON key, a failed `fromJson`.
    /// Printed by an action as `<no value>`, inside a map or by `printf` as `<nil>`.
    case missing
    case string(String)
    case int(Int)
    case int64(Int64)
    case float(Double)
    case bool(Bool)
    case time(GoTime)
    /// `map[string]interface{}` and `[]interface{}`, from `fromJson`.
    case map([String: TemplateValue])
    case array([TemplateValue])
    /// The template's dot: Loki's `map[string]string` of labels, read through the lookup closure (so it cannot be
    /// enumerated: printing or ranging over it is refused).
    case labels
}

/// The Go type of a function parameter, which decides how an argument is checked and how a constant converts.
enum TemplateParam: Sendable {
    case string, int, float64, bool, time
    /// `interface{}`: anything, nil included; an untyped constant becomes an `int` or a `float64`.
    case any
    /// `reflect.Value` (the builtins `eq`, `lt`, `len`, `index`, `and`, …): anything but nil.
    case value

    var goName: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .float64: "float64"
        case .bool: "bool"
        case .time: "time.Time"
        case .any: "interface {}"
        case .value: "reflect.Value"
        }
    }
}

/// A failure inside a called function: the executor reports it as Go does, `error calling NAME: MESSAGE`.
struct TemplateCallError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension TemplateValue {
    /// The Go type name used in error messages (`wrong type for value; expected int; got int64`).
    var goType: String {
        switch self {
        case .missing: "<nil>"
        case .string: "string"
        case .int: "int"
        case .int64: "int64"
        case .float: "float64"
        case .bool: "bool"
        case .time: "time.Time"
        case .map: "map[string]interface {}"
        case .array: "[]interface {}"
        case .labels: "map[string]string"
        }
    }

    /// Go's `text/template` truth (`isTrue`): empty strings, maps and slices, zero numbers, `false` and nil are
    /// false; a `time.Time` (a struct) is always true.
    var isTrue: Bool {
        switch self {
        case .missing: false
        case .string(let s): !s.utf8.isEmpty
        case .int(let i): i != 0
        case .int64(let i): i != 0
        case .float(let f): f != 0
        case .bool(let b): b
        case .time: true
        case .map(let m): !m.isEmpty
        case .array(let a): !a.isEmpty
        case .labels: true
        }
    }

    /// sprig's `empty`, behind `default`: as `isTrue` negated, except that structs (times) are never empty.
    var isEmpty: Bool { !isTrue }

    // Accessors for function bodies, whose arguments the executor has already checked against the parameter types.
    var str: String { if case .string(let s) = self { return s } else { return "" } }
    var int: Int { if case .int(let i) = self { return i } else { return 0 } }
    var double: Double { if case .float(let f) = self { return f } else { return 0 } }
    var time: GoTime { if case .time(let t) = self { return t } else { return GoTime.zero } }
}

/// Go's comparison builtins (`funcs.go`): `eq` compares basic kinds (ints of any size together), `lt` and friends
/// order ints, floats and strings; mixing kinds is `incompatible types for comparison`.
enum TemplateCompare {
    private enum Kind { case bool, int, float, string, other }

    private static func kind(_ v: TemplateValue) -> Kind {
        switch v {
        case .bool: .bool
        case .int, .int64: .int
        case .float: .float
        case .string: .string
        default: .other
        }
    }

    private static func intValue(_ v: TemplateValue) -> Int64 {
        switch v {
        case .int(let i): Int64(i)
        case .int64(let i): i
        default: 0
        }
    }

    static func eq(_ a: TemplateValue, _ rest: [TemplateValue]) throws(TemplateCallError) -> Bool {
        guard !rest.isEmpty else { throw TemplateCallError("missing argument for comparison") }
        let k1 = kind(a)
        for b in rest {
            let k2 = kind(b)
            var truth = false
            if k1 != k2 {
                if isValid(a) && isValid(b) { throw TemplateCallError("incompatible types for comparison") }
            } else {
                switch k1 {
                case .bool: truth = a.isTrue == b.isTrue
                case .int: truth = intValue(a) == intValue(b)
                case .float: truth = a.double == b.double
                case .string: truth = a.str.utf8.elementsEqual(b.str.utf8)
                case .other: truth = try otherEqual(a, b)
                }
            }
            if truth { return true }
        }
        return false
    }

    private static func isValid(_ v: TemplateValue) -> Bool {
        if case .missing = v { return false }
        return true
    }

    private static func otherEqual(_ a: TemplateValue, _ b: TemplateValue) throws(TemplateCallError) -> Bool {
        switch (a, b) {
        case (.missing, .missing): return true
        case (.missing, _), (_, .missing): return false
        case (.time(let x), .time(let y)): return x.sec == y.sec && x.nsec == y.nsec && x.location === y.location
        case (.time, _), (_, .time): throw TemplateCallError("incompatible types for comparison")
        default:
            throw TemplateCallError("non-comparable type \(GoFmt.sprint([a])): \(a.goType)")
        }
    }

    static func lt(_ a: TemplateValue, _ b: TemplateValue) throws(TemplateCallError) -> Bool {
        let k1 = kind(a), k2 = kind(b)
        guard k1 != .other, k2 != .other else { throw TemplateCallError("invalid type for comparison") }
        guard k1 == k2 else { throw TemplateCallError("incompatible types for comparison") }
        switch k1 {
        case .bool, .other: throw TemplateCallError("invalid type for comparison")
        case .int: return intValue(a) < intValue(b)
        case .float: return a.double < b.double
        case .string: return a.str.utf8.lexicographicallyPrecedes(b.str.utf8)
        }
    }

    static func le(_ a: TemplateValue, _ b: TemplateValue) throws(TemplateCallError) -> Bool {
        if try lt(a, b) { return true }
        return try eq(a, [b])
    }
}
