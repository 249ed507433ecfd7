import ByteSearch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a function body can see besides its arguments.
struct TemplateEnv {
    let line: String
    let timestamp: Int64
    let lookup: (String) -> String?
    /// Patterns given as string literals, compiled once with the template.
    let regexes: [String: Regex]
}

/// A template function: Go parameter types (which decide argument checks and constant conversion) and a body.
struct TemplateFunction: Sendable {
    let params: [TemplateParam]
    /// The element type of a trailing `...` parameter.
    let variadic: TemplateParam?
    let body: @Sendable ([TemplateValue], TemplateEnv) throws -> TemplateValue
}

/// Loki's template function map (`functionMap` in `pkg/logql/log/fmt.go`): Loki's own functions, the sprig
/// functions it imports, `__line__` and `__timestamp__`, and Go's `text/template` builtins. Names Loki does not
/// define (`toUpper`, `trimSpace`, `sum`, …) are parse errors, as in Loki.
enum TemplateFunctions {
    private static func fn(_ params: [TemplateParam], _ variadic: TemplateParam? = nil,
                           _ body: @escaping @Sendable ([TemplateValue], TemplateEnv) throws -> TemplateValue) -> TemplateFunction {
        TemplateFunction(params: params, variadic: variadic, body: body)
    }

    private static func string1(_ op: @escaping @Sendable (String) -> String) -> TemplateFunction {
        fn([.string]) { a, _ in .string(op(a[0].str)) }
    }

    private static func regex(_ pattern: String, _ env: TemplateEnv) throws -> Regex {
        if let r = env.regexes[pattern] { return r }
        return try TemplateRegex.compile(pattern)
    }

    static let regexFunctions: Set<String> = ["regexReplaceAll", "regexReplaceAllLiteral", "count"]

    static let table: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [:]

        // Loki's own (the "deprecated" Go strings functions keep Go's argument order: the string comes first).
        t["ToLower"] = string1(GoStrings.lower)
        t["ToUpper"] = string1(GoStrings.upper)
        t["Replace"] = fn([.string, .string, .string, .int]) { a, _ in
            .string(GoStrings.replace(a[0].str, a[1].str, a[2].str, a[3].int))
        }
        t["Trim"] = fn([.string, .string]) { a, _ in .string(GoStrings.trim(a[0].str, a[1].str, left: true, right: true)) }
        t["TrimLeft"] = fn([.string, .string]) { a, _ in .string(GoStrings.trim(a[0].str, a[1].str, left: true, right: false)) }
        t["TrimRight"] = fn([.string, .string]) { a, _ in .string(GoStrings.trim(a[0].str, a[1].str, left: false, right: true)) }
        t["TrimPrefix"] = fn([.string, .string]) { a, _ in .string(GoStrings.trimPrefix(a[0].str, a[1].str)) }
        t["TrimSuffix"] = fn([.string, .string]) { a, _ in .string(GoStrings.trimSuffix(a[0].str, a[1].str)) }
        t["TrimSpace"] = string1(GoConvert.trimSpace)
        t["regexReplaceAll"] = fn([.string, .string, .string]) { a, env in
            .string(TemplateRegex.replaceAll(try regex(a[0].str, env), a[1].str, a[2].str, literal: false))
        }
        t["regexReplaceAllLiteral"] = fn([.string, .string, .string]) { a, env in
            .string(TemplateRegex.replaceAll(try regex(a[0].str, env), a[1].str, a[2].str, literal: true))
        }
        t["count"] = fn([.string, .string]) { a, env in .int(TemplateRegex.count(try regex(a[0].str, env), a[1].str)) }
        t["urlencode"] = string1(GoEncoding.queryEscape)
        t["urldecode"] = fn([.string]) { a, _ in .string(try GoEncoding.queryUnescape(a[0].str).get()) }
        t["bytes"] = fn([.string]) { a, _ in .float(Double(try GoConvert.parseBytes(a[0].str).get())) }
        let duration = fn([.string]) { a, _ in .float(GoConvert.seconds(try GoConvert.parseDuration(a[0].str).get())) }
        t["duration"] = duration
        t["duration_seconds"] = duration
        t["unixEpochMillis"] = fn([.time]) { a, _ in .string(String(a[0].time.unixMilli)) }
        t["unixEpochNanos"] = fn([.time]) { a, _ in .string(String(a[0].time.unixNano)) }
        t["toDateInZone"] = fn([.string, .string, .string]) { a, _ in
            let location = GoLocation.load(a[1].str) ?? .utc
            return .time(GoTime.parse(a[0].str, a[2].str, in: location) ?? .zero)
        }
        t["unixToTime"] = fn([.string]) { a, _ in .time(try unixToTime(a[0].str)) }
        t["alignLeft"] = fn([.int, .string]) { a, _ in .string(GoStrings.align(a[0].int, a[1].str, left: true)) }
        t["alignRight"] = fn([.int, .string]) { a, _ in .string(GoStrings.align(a[0].int, a[1].str, left: false)) }
        t["__line__"] = fn([]) { _, env in .string(env.line) }
        t["__timestamp__"] = fn([]) { _, env in .time(GoTime.unix(0, env.timestamp)) }

        // sprig: strings (the string to work on comes last, for pipelines).
        t["b64enc"] = string1(GoEncoding.base64Encode)
        t["b64dec"] = string1(GoEncoding.base64Decode)
        t["lower"] = string1(GoStrings.lower)
        t["upper"] = string1(GoStrings.upper)
        t["title"] = string1(GoStrings.title)
        t["trunc"] = fn([.int, .string]) { a, _ in .string(GoStrings.trunc(a[0].int, a[1].str)) }
        t["substr"] = fn([.int, .int, .string]) { a, _ in .string(GoStrings.substring(a[0].int, a[1].int, a[2].str)) }
        t["contains"] = fn([.string, .string]) { a, _ in .bool(GoStrings.index(a[1].str, a[0].str) != nil) }
        t["hasPrefix"] = fn([.string, .string]) { a, _ in .bool(a[1].str.utf8.starts(with: a[0].str.utf8)) }
        t["hasSuffix"] = fn([.string, .string]) { a, _ in .bool(a[1].str.utf8.reversed().starts(with: a[0].str.utf8.reversed())) }
        t["indent"] = fn([.int, .string]) { a, _ in .string(try GoStrings.indent(a[0].int, a[1].str)) }
        t["nindent"] = fn([.int, .string]) { a, _ in .string("\n" + (try GoStrings.indent(a[0].int, a[1].str))) }
        t["replace"] = fn([.string, .string, .string]) { a, _ in .string(GoStrings.replace(a[2].str, a[0].str, a[1].str, -1)) }
        t["repeat"] = fn([.int, .string]) { a, _ in .string(try GoStrings.repeatString(a[1].str, a[0].int)) }
        t["trim"] = string1(GoConvert.trimSpace)
        t["trimAll"] = fn([.string, .string]) { a, _ in .string(GoStrings.trim(a[1].str, a[0].str, left: true, right: true)) }
        t["trimPrefix"] = fn([.string, .string]) { a, _ in .string(GoStrings.trimPrefix(a[1].str, a[0].str)) }
        t["trimSuffix"] = fn([.string, .string]) { a, _ in .string(GoStrings.trimSuffix(a[1].str, a[0].str)) }

        // sprig: numbers. Integer arithmetic converts with cast.ToInt64 (unparsable text is 0) and wraps like Go.
        t["int"] = fn([.any]) { a, _ in .int(Int(GoConvert.toInt64(a[0]))) }
        t["float64"] = fn([.any]) { a, _ in .float(GoConvert.toFloat64(a[0])) }
        t["add"] = fn([], .any) { a, _ in .int64(a.reduce(Int64(0)) { $0 &+ GoConvert.toInt64($1) }) }
        t["sub"] = fn([.any, .any]) { a, _ in .int64(GoConvert.toInt64(a[0]) &- GoConvert.toInt64(a[1])) }
        t["mul"] = fn([.any], .any) { a, _ in .int64(a.dropFirst().reduce(GoConvert.toInt64(a[0])) { $0 &* GoConvert.toInt64($1) }) }
        t["div"] = fn([.any, .any]) { a, _ in
            let d = GoConvert.toInt64(a[1])
            guard d != 0 else { throw TemplateCallError("runtime error: integer divide by zero") }
            return .int64(GoConvert.toInt64(a[0]).dividedReportingOverflow(by: d).partialValue)
        }
        t["mod"] = fn([.any, .any]) { a, _ in
            let d = GoConvert.toInt64(a[1])
            guard d != 0 else { throw TemplateCallError("runtime error: integer divide by zero") }
            return .int64(GoConvert.toInt64(a[0]).remainderReportingOverflow(dividingBy: d).partialValue)
        }
        t["max"] = fn([.any], .any) { a, _ in .int64(a.map(GoConvert.toInt64).max()!) }
        t["min"] = fn([.any], .any) { a, _ in .int64(a.map(GoConvert.toInt64).min()!) }
        t["addf"] = fn([], .any) { a, _ in
            var r = try GoDecimal(0)
            for x in a { r = r + (try GoDecimal(GoConvert.toFloat64(x))) }
            return .float(r.double)
        }
        t["subf"] = decimalFold { $0 - $1 }
        t["mulf"] = decimalFold { $0 * $1 }
        t["divf"] = decimalFold { try GoDecimal.divide($0, $1) }
        t["maxf"] = fn([.any], .any) { a, _ in .float(a.dropFirst().reduce(GoConvert.toFloat64(a[0])) { goMax($0, GoConvert.toFloat64($1)) }) }
        t["minf"] = fn([.any], .any) { a, _ in .float(a.dropFirst().reduce(GoConvert.toFloat64(a[0])) { goMin($0, GoConvert.toFloat64($1)) }) }
        t["ceil"] = fn([.any]) { a, _ in .float(GoConvert.toFloat64(a[0]).rounded(.up)) }
        t["floor"] = fn([.any]) { a, _ in .float(GoConvert.toFloat64(a[0]).rounded(.down)) }
        t["round"] = fn([.any, .int], .float64) { a, _ in
            let roundOn = a.count > 2 ? a[2].double : 0.5
            let p = pow(10, Double(a[1].int))
            let digit = p * GoConvert.toFloat64(a[0])
            let frac = digit.isInfinite ? Double.nan : digit - digit.rounded(.towardZero)
            return .float((frac >= roundOn ? digit.rounded(.up) : digit.rounded(.down)) / p)
        }

        // sprig: dates (Local is UTC in mclog).
        t["now"] = fn([]) { _, _ in .time(GoTime.now()) }
        t["date"] = fn([.string, .any]) { a, _ in
            let time: GoTime
            switch a[1] {
            case .time(let v): time = v
            case .int64(let v): time = .unix(v, 0)
            case .int(let v): time = .unix(Int64(v), 0)
            default: time = .now()
            }
            return .string(time.in(.local).format(a[0].str))
        }
        t["toDate"] = fn([.string, .string]) { a, _ in .time(GoTime.parse(a[0].str, a[1].str, in: .local) ?? .zero) }
        t["unixEpoch"] = fn([.time]) { a, _ in .string(String(a[0].time.sec)) }

        // sprig: defaults and JSON.
        t["default"] = fn([.any], .any) { a, _ in
            a.count < 2 || a[1].isEmpty ? a[0] : a[1]
        }
        t["fromJson"] = fn([.string]) { a, _ in TemplateJSON.decode(a[0].str) }

        // Go's text/template builtins (and/or are evaluated lazily by the executor).
        t["not"] = fn([.value]) { a, _ in .bool(!a[0].isTrue) }
        t["len"] = fn([.value]) { a, _ in
            switch a[0] {
            case .string(let s): return .int(s.utf8.count)
            case .map(let m): return .int(m.count)
            case .array(let v): return .int(v.count)
            case .labels: throw TemplateCallError("len of the label map is not supported")
            default: throw TemplateCallError("len of type \(a[0].goType)")
            }
        }
        t["index"] = fn([.value], .value) { a, env in try index(a[0], Array(a.dropFirst()), env) }
        t["slice"] = fn([.value], .value) { a, _ in try slice(a[0], Array(a.dropFirst())) }
        t["print"] = fn([], .any) { a, _ in .string(GoFmt.sprint(try printable(a))) }
        t["println"] = fn([], .any) { a, _ in .string(GoFmt.sprintln(try printable(a))) }
        t["printf"] = fn([.string], .any) { a, _ in .string(GoFmt.sprintf(a[0].str, try printable(Array(a.dropFirst())))) }
        t["html"] = fn([], .any) { a, _ in .string(GoEncoding.htmlEscape(try evalArgs(a))) }
        t["js"] = fn([], .any) { a, _ in .string(GoEncoding.jsEscape(try evalArgs(a))) }
        t["urlquery"] = fn([], .any) { a, _ in .string(GoEncoding.queryEscape(try evalArgs(a))) }
        t["eq"] = fn([.value], .value) { a, _ in .bool(try TemplateCompare.eq(a[0], Array(a.dropFirst()))) }
        t["ne"] = fn([.value, .value]) { a, _ in .bool(!(try TemplateCompare.eq(a[0], [a[1]]))) }
        t["lt"] = fn([.value, .value]) { a, _ in .bool(try TemplateCompare.lt(a[0], a[1])) }
        t["le"] = fn([.value, .value]) { a, _ in .bool(try TemplateCompare.le(a[0], a[1])) }
        t["gt"] = fn([.value, .value]) { a, _ in .bool(!(try TemplateCompare.le(a[0], a[1]))) }
        t["ge"] = fn([.value, .value]) { a, _ in .bool(!(try TemplateCompare.lt(a[0], a[1]))) }
        return t
    }()

    /// Methods of `time.Time` reachable as fields, e.g. `{{ __timestamp__.Format "15:04" }}` or `{{ (now).Unix }}`.
    /// `Month` and `Weekday` give their names (Go's `time.Month` and `time.Weekday` print as names).
    static let timeMethods: [String: TemplateFunction] = [
        "Format": fn([.string]) { a, _ in .string(a[0].time.format(a[1].str)) },
        "String": fn([]) { a, _ in .string(a[0].time.description) },
        "Unix": fn([]) { a, _ in .int64(a[0].time.sec) },
        "UnixMilli": fn([]) { a, _ in .int64(a[0].time.unixMilli) },
        "UnixMicro": fn([]) { a, _ in .int64(a[0].time.unixMicro) },
        "UnixNano": fn([]) { a, _ in .int64(a[0].time.unixNano) },
        "Year": fn([]) { a, _ in .int(Int(a[0].time.fields.year)) },
        "Month": fn([]) { a, _ in .string(GoCalendar.longMonths[a[0].time.fields.month - 1]) },
        "Day": fn([]) { a, _ in .int(a[0].time.fields.day) },
        "Hour": fn([]) { a, _ in .int(a[0].time.fields.hour) },
        "Minute": fn([]) { a, _ in .int(a[0].time.fields.minute) },
        "Second": fn([]) { a, _ in .int(a[0].time.fields.second) },
        "Nanosecond": fn([]) { a, _ in .int(Int(a[0].time.nsec)) },
        "YearDay": fn([]) { a, _ in .int(a[0].time.fields.yearDay) },
        "Weekday": fn([]) { a, _ in .string(GoCalendar.longDays[a[0].time.fields.weekday]) },
        "UTC": fn([]) { a, _ in .time(a[0].time.in(.utc)) },
        "Local": fn([]) { a, _ in .time(a[0].time.in(.local)) },
        "IsZero": fn([]) { a, _ in .bool(a[0].time.isZero) },
    ]

    private static func decimalFold(_ op: @escaping @Sendable (GoDecimal, GoDecimal) throws -> GoDecimal) -> TemplateFunction {
        fn([.any], .any) { a, _ in
            var r = try GoDecimal(GoConvert.toFloat64(a[0]))
            for x in a.dropFirst() { r = try op(r, try GoDecimal(GoConvert.toFloat64(x))) }
            return .float(r.double)
        }
    }

    /// `math.Max` / `math.Min`: infinities win, then NaN, and +0 is larger than -0.
    static func goMax(_ x: Double, _ y: Double) -> Double {
        if x.isInfinite && x > 0 || y.isInfinite && y > 0 { return .infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && y == 0 { return x.sign == .minus ? y : x }
        return x > y ? x : y
    }

    static func goMin(_ x: Double, _ y: Double) -> Double {
        if x.isInfinite && x < 0 || y.isInfinite && y < 0 { return -.infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && y == 0 { return x.sign == .minus ? x : y }
        return x < y ? x : y
    }

    /// Loki's `unixToTime`: the epoch's unit is told by its length (5 digits days, 10 seconds, 13 milliseconds,
    /// 16 microseconds, 19 nanoseconds).
    static func unixToTime(_ epoch: String) throws -> GoTime {
        let i: Int64
        switch GoConvert.parseInt(epoch, base0: false) {
        case .success(let v): i = v
        case .failure(let e):
            throw TemplateCallError("unable to parse time '\(epoch)': \(GoConvert.intError(epoch, e))")
        }
        switch epoch.utf8.count {
        case 5: return .unix(i &* 86400, 0)
        case 10: return .unix(i, 0)
        case 13: return .unix(0, i &* 1_000_000)
        case 16: return .unix(0, i &* 1000)
        case 19: return .unix(0, i)
        default: throw TemplateCallError("unable to parse time '\(epoch)': %!w(<nil>)")
        }
    }

    private static func printable(_ a: [TemplateValue]) throws -> [TemplateValue] {
        if a.contains(where: { if case .labels = $0 { return true } else { return false } }) {
            throw TemplateCallError("printing the label map is not supported")
        }
        return a
    }

    /// `evalArgs` of `html`, `js` and `urlquery`: one string as is, else `fmt.Sprint` with nil as `<no value>`.
    private static func evalArgs(_ a: [TemplateValue]) throws -> String {
        if a.count == 1, case .string(let s) = a[0] { return s }
        return GoFmt.sprint(try printable(a).map { if case .missing = $0 { return .string("<no value>") } else { return $0 } })
    }

    private static func indexArg(_ v: TemplateValue, _ cap: Int) throws -> Int {
        let x: Int64
        switch v {
        case .int(let i): x = Int64(i)
        case .int64(let i): x = i
        case .missing: throw TemplateCallError("cannot index slice/array with nil")
        default: throw TemplateCallError("cannot index slice/array with type \(v.goType)")
        }
        if x < 0 || x > Int64(cap) { throw TemplateCallError("index out of range: \(x)") }
        return Int(x)
    }

    /// Go's `index` (on a string it gives the byte as a number).
    private static func index(_ item: TemplateValue, _ indexes: [TemplateValue], _ env: TemplateEnv) throws -> TemplateValue {
        var cur = item
        if case .missing = cur { throw TemplateCallError("index of untyped nil") }
        for idx in indexes {
            switch cur {
            case .array(let a):
                let x = try indexArg(idx, a.count)
                guard x < a.count else { throw TemplateCallError("reflect: slice index out of range") }
                cur = a[x]
            case .string(let s):
                let b = Array(s.utf8)
                let x = try indexArg(idx, b.count)
                guard x < b.count else { throw TemplateCallError("reflect: string index out of range") }
                cur = .int(Int(b[x]))
            case .map(let m):
                guard case .string(let k) = idx else { throw TemplateCallError("value has type \(idx.goType); should be string") }
                cur = m[k] ?? .missing
            case .labels:
                guard case .string(let k) = idx else { throw TemplateCallError("value has type \(idx.goType); should be string") }
                cur = .string(env.lookup(k) ?? "")
            case .missing:
                throw TemplateCallError("index of nil pointer")
            default:
                throw TemplateCallError("can't index item of type \(cur.goType)")
            }
        }
        return cur
    }

    /// Go's `slice`: `slice x 1 2` is `x[1:2]`.
    private static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        if case .missing = item { throw TemplateCallError("slice of untyped nil") }
        if indexes.count > 3 { throw TemplateCallError("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch item {
        case .string(let s):
            if indexes.count == 3 { throw TemplateCallError("cannot 3-index slice a string") }
            count = s.utf8.count
        case .array(let a): count = a.count
        default: throw TemplateCallError("can't slice item of type \(item.goType)")
        }
        var idx = [0, count]
        for (k, v) in indexes.enumerated() where k < 2 { idx[k] = try indexArg(v, count) }
        if idx[0] > idx[1] { throw TemplateCallError("invalid slice index: \(idx[0]) > \(idx[1])") }
        switch item {
        case .string(let s): return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
        case .array(let a): return .array(Array(a[idx[0]..<idx[1]]))
        default: return item
        }
    }
}

/// Go's `strings` functions and Loki's rune-aware helpers, on bytes where Go works on bytes.
enum GoStrings {
    static func mapScalars(_ s: String, _ f: (Unicode.Scalar) -> Unicode.Scalar) -> String {
        var out = String.UnicodeScalarView()
        for r in s.unicodeScalars { out.append(f(r)) }
        return String(out)
    }

    /// Go's simple (one rune to one rune) case mappings.
    private static func single(_ mapped: String, _ r: Unicode.Scalar) -> Unicode.Scalar {
        let u = mapped.unicodeScalars
        return u.count == 1 ? u.first! : r
    }

    static func upper(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: s.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
        }
        return mapScalars(s) { single($0.properties.uppercaseMapping, $0) }
    }

    static func lower(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
        return mapScalars(s) { single($0.properties.lowercaseMapping, $0) }
    }

    /// `strings.Title`: the first letter of each word upper-cased (title case).
    static func title(_ s: String) -> String {
        var prev: Unicode.Scalar = " "
        return mapScalars(s) { r in
            defer { prev = r }
            return isSeparator(prev) ? single(r.properties.titlecaseMapping, r) : r
        }
    }

    private static func isSeparator(_ r: Unicode.Scalar) -> Bool {
        if r.value <= 0x7F {
            switch r {
            case "0"..."9", "a"..."z", "A"..."Z", "_": return false
            default: return true
            }
        }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return false
        default: return GoConvert.isSpace(r)
        }
    }

    /// Byte offset of the first `needle` in `s`.
    static func index(_ s: String, _ needle: String) -> Int? {
        let h = Array(s.utf8), n = Array(needle.utf8)
        return index(h, n, from: 0)
    }

    static func index(_ h: [UInt8], _ n: [UInt8], from: Int) -> Int? {
        if n.isEmpty { return from <= h.count ? from : nil }
        guard h.count >= n.count else { return nil }
        var i = from
        while i + n.count <= h.count {
            if h[i] == n[0] && h[i..<(i + n.count)].elementsEqual(n) { return i }
            i += 1
        }
        return nil
    }

    /// `strings.Replace(s, old, new, n)` (n < 0: all).
    static func replace(_ s: String, _ old: String, _ new: String, _ n: Int) -> String {
        if old == new || n == 0 { return s }
        let h = Array(s.utf8), o = Array(old.utf8), w = Array(new.utf8)
        var out: [UInt8] = []
        var start = 0
        var done = 0
        if o.isEmpty {
            // Insert before each rune and at the end.
            var i = 0
            while (n < 0 || done < n) {
                out += h[start..<i]
                out += w
                done += 1
                start = i
                if i >= h.count { break }
                let c = h[i]
                i += c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
                i = min(i, h.count)
            }
            out += h[start...]
            return String(decoding: out, as: UTF8.self)
        }
        while n < 0 || done < n, let j = index(h, o, from: start) {
            out += h[start..<j]
            out += w
            start = j + o.count
            done += 1
        }
        if done == 0 { return s }
        out += h[start...]
        return String(decoding: out, as: UTF8.self)
    }

    /// `strings.Trim` / `TrimLeft` / `TrimRight` with a cutset of runes.
    static func trim(_ s: String, _ cutset: String, left: Bool, right: Bool) -> String {
        if s.isEmpty || cutset.isEmpty { return s }
        let set = Set(cutset.unicodeScalars)
        var u = Substring(s).unicodeScalars
        if left { while let f = u.first, set.contains(f) { u.removeFirst() } }
        if right { while let l = u.last, set.contains(l) { u.removeLast() } }
        return String(u)
    }

    static func trimPrefix(_ s: String, _ prefix: String) -> String {
        guard s.utf8.starts(with: prefix.utf8) else { return s }
        return String(decoding: Array(s.utf8).dropFirst(prefix.utf8.count), as: UTF8.self)
    }

    static func trimSuffix(_ s: String, _ suffix: String) -> String {
        guard s.utf8.reversed().starts(with: suffix.utf8.reversed()) else { return s }
        return String(decoding: Array(s.utf8).dropLast(suffix.utf8.count), as: UTF8.self)
    }

    /// Loki's rune-aware `trunc`: the first `c` runes, or for negative `c` the last `-c`.
    static func trunc(_ c: Int, _ s: String) -> String {
        let r = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        if c < 0 && r.count + c > 0 { out.append(contentsOf: r[(r.count + c)...]); return String(out) }
        if c >= 0 && r.count > c { out.append(contentsOf: r[..<c]); return String(out) }
        return s
    }

    /// Loki's rune-aware `substr` (out-of-range bounds are clamped rather than panicking as in sprig).
    static func substring(_ start0: Int, _ end0: Int, _ s: String) -> String {
        let r = Array(s.unicodeScalars)
        var start = start0, end = end0
        if end > r.count { end = r.count }
        if start > r.count { start = r.count }
        var out = String.UnicodeScalarView()
        if start < 0 {
            if end < 0 { return "" }
            out.append(contentsOf: r[..<end])
        } else if end < 0 {
            out.append(contentsOf: r[start...])
        } else if start > end {
            return ""
        } else {
            out.append(contentsOf: r[start..<end])
        }
        return String(out)
    }

    /// Loki's `alignLeft` / `alignRight`: pad with spaces or cut to exactly `count` runes.
    static func align(_ count: Int, _ s: String, left: Bool) -> String {
        let r = Array(s.unicodeScalars)
        if count < 0 || count == r.count { return s }
        let pad = count - r.count
        if pad > 0 { return left ? s + String(repeating: " ", count: pad) : String(repeating: " ", count: pad) + s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: left ? r[..<count] : r[(r.count - count)...])
        return String(out)
    }

    /// Output limit of `repeat` and `indent`: Loki would try to allocate any size; mclog refuses past 16 MiB.
    static let maxGeneratedBytes = 16 << 20

    static func repeatString(_ s: String, _ count: Int) throws -> String {
        if count < 0 { throw TemplateCallError("strings: negative Repeat count") }
        if s.isEmpty { return "" }
        if count > 0 && s.utf8.count > maxGeneratedBytes / count {
            throw TemplateCallError("repeat output of \(s.utf8.count) × \(count) bytes is over mclog's limit of \(maxGeneratedBytes)")
        }
        return String(repeating: s, count: count)
    }

    /// sprig's `indent`: the pad before the text and after each newline.
    static func indent(_ spaces: Int, _ s: String) throws -> String {
        let pad = try repeatString(" ", spaces)
        return pad + replace(s, "\n", "\n" + pad, -1)
    }
}
