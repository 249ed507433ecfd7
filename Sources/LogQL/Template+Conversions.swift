/// The conversions Loki's template functions rely on, with Go's exact acceptance rules and error texts:
/// `strconv.ParseInt`/`ParseFloat`, spf13/cast (behind sprig's `int`, `float64` and arithmetic, which turn anything
/// unparsable into 0), `time.ParseDuration` and go-humanize's `ParseBytes`.
enum GoConvert {
    // MARK: strconv

    private static func lower(_ c: UInt8) -> UInt8 { c | 0x20 }

    private static func underscoreOK<C: Collection>(_ s0: C) -> Bool where C.Element == UInt8, C.Index == Int {
        var s = s0[...]
        var saw: UInt8 = UInt8(ascii: "^")
        if let f = s.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { s = s.dropFirst() }
        var i = s.startIndex
        var hex = false
        if s.count >= 2, s[i] == UInt8(ascii: "0"),
           [UInt8(ascii: "b"), UInt8(ascii: "o"), UInt8(ascii: "x")].contains(lower(s[i + 1])) {
            hex = lower(s[i + 1]) == UInt8(ascii: "x")
            i += 2
            saw = UInt8(ascii: "0")
        }
        while i < s.endIndex {
            let c = s[i]
            if (c >= 48 && c <= 57) || (hex && lower(c) >= UInt8(ascii: "a") && lower(c) <= UInt8(ascii: "f")) {
                saw = UInt8(ascii: "0")
            } else if c == UInt8(ascii: "_") {
                if saw != UInt8(ascii: "0") { return false }
                saw = UInt8(ascii: "_")
            } else {
                if saw == UInt8(ascii: "_") { return false }
                saw = UInt8(ascii: "!")
            }
            i += 1
        }
        return saw != UInt8(ascii: "_")
    }

    enum NumError: Error {
        case syntax, range
        var text: String { self == .syntax ? "invalid syntax" : "value out of range" }
    }

    /// `strconv.ParseInt(s, base, 64)` for base 0 (prefixes `0x`, `0o`, `0b`, `0`; underscores) or 10.
    static func parseInt(_ s: String, base0: Bool = true) -> Result<Int64, NumError> {
        var s = s
        return s.withUTF8 { parseInt(bytes: $0, base0: base0) }
    }

    private static func parseInt(bytes all: UnsafeBufferPointer<UInt8>, base0: Bool) -> Result<Int64, NumError> {
        guard !all.isEmpty else { return .failure(.syntax) }
        var d = all[...]
        var neg = false
        if d.first == UInt8(ascii: "+") { d = d.dropFirst() } else if d.first == UInt8(ascii: "-") { neg = true; d = d.dropFirst() }
        guard !d.isEmpty else { return .failure(.syntax) }
        var base: UInt64 = 10
        if base0, d.first == UInt8(ascii: "0") {
            if d.count >= 3, lower(d[d.startIndex + 1]) == UInt8(ascii: "b") { base = 2; d = d.dropFirst(2) }
            else if d.count >= 3, lower(d[d.startIndex + 1]) == UInt8(ascii: "o") { base = 8; d = d.dropFirst(2) }
            else if d.count >= 3, lower(d[d.startIndex + 1]) == UInt8(ascii: "x") { base = 16; d = d.dropFirst(2) }
            else { base = 8; d = d.dropFirst(1) }
        }
        var n: UInt64 = 0
        var underscores = false
        var overflow = false
        for c in d {
            if c == UInt8(ascii: "_") && base0 { underscores = true; continue }
            let digit: UInt64
            switch c {
            case 48...57: digit = UInt64(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = UInt64(c - UInt8(ascii: "A") + 10)
            default: return .failure(.syntax)
            }
            guard digit < base else { return .failure(.syntax) }
            if overflow { continue }
            let (m, o1) = n.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true } else { n = a }
        }
        if underscores && !underscoreOK(all[...]) { return .failure(.syntax) }
        if overflow { return .failure(.range) }
        if neg {
            if n > UInt64(1) << 63 { return .failure(.range) }
            return .success(n == UInt64(1) << 63 ? Int64.min : -Int64(n))
        }
        if n > UInt64(Int64.max) { return .failure(.range) }
        return .success(Int64(n))
    }

    /// `strconv.ParseFloat(s, 64)`: decimal or hexadecimal (`0x1p-2`) floats, `inf`, `infinity`, `nan`; an
    /// overflow is a range error.
    static func parseFloat(_ s: String) -> Result<Double, NumError> {
        let b = Array(s.utf8)
        var i = 0
        var neg = false
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { neg = b[i] == UInt8(ascii: "-"); i += 1 }
        let rest = String(decoding: b[i...], as: UTF8.self).lowercased()
        if rest == "inf" || rest == "infinity" { return .success(neg ? -Double.infinity : Double.infinity) }
        if rest == "nan" { return .success(Double.nan) }
        var base = 10
        var text: [UInt8] = Array(b[0..<i])
        if i + 2 <= b.count, b[i] == UInt8(ascii: "0"), lower(b[i + 1]) == UInt8(ascii: "x") {
            base = 16
            text += [UInt8(ascii: "0"), UInt8(ascii: "x")]
            i += 2
        }
        var sawDigits = false, sawDot = false, underscores = false
        func isDigit(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (base == 16 && lower(c) >= UInt8(ascii: "a") && lower(c) <= UInt8(ascii: "f"))
        }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "_") { underscores = true; i += 1; continue }
            if c == UInt8(ascii: ".") {
                if sawDot { break }
                sawDot = true
            } else if isDigit(c) {
                sawDigits = true
            } else {
                break
            }
            text.append(c)
            i += 1
        }
        guard sawDigits else { return .failure(.syntax) }
        var sawExp = false
        if i < b.count, lower(b[i]) == (base == 10 ? UInt8(ascii: "e") : UInt8(ascii: "p")) {
            text.append(b[i])
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { text.append(b[i]); i += 1 }
            guard i < b.count, b[i] >= 48, b[i] <= 57 else { return .failure(.syntax) }
            while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == UInt8(ascii: "_") {
                if b[i] == UInt8(ascii: "_") { underscores = true } else { text.append(b[i]) }
                i += 1
            }
            sawExp = true
        }
        guard i == b.count else { return .failure(.syntax) }
        if base == 16 && !sawExp { return .failure(.syntax) }
        if underscores && (base == 10 || !underscoreOK(b[...])) { return .failure(.syntax) }
        guard let v = Double(String(decoding: text, as: UTF8.self)) else { return .failure(.syntax) }
        if v.isInfinite { return .failure(.range) }
        return .success(v)
    }

    static func floatError(_ s: String, _ e: NumError) -> String {
        "strconv.ParseFloat: parsing \(GoFmt.quote(s)): \(e.text)"
    }

    static func intError(_ s: String, _ e: NumError) -> String {
        "strconv.ParseInt: parsing \(GoFmt.quote(s)): \(e.text)"
    }

    // MARK: spf13/cast

    /// Go's `int64(f)` on amd64: out-of-range and NaN give the minimum value.
    static func truncate(_ f: Double) -> Int64 {
        guard f.isFinite, f >= -9.223372036854775808e18, f < 9.223372036854775808e18 else { return Int64.min }
        return Int64(f)
    }

    /// `cast.ToInt64`: numbers convert, strings parse as integers (`"10"`, `"0x1f"`, `"2.0"`; not `"2.5"`),
    /// bools are 1 or 0, anything else is 0.
    static func toInt64(_ v: TemplateValue) -> Int64 {
        switch v {
        case .int(let i): return Int64(i)
        case .int64(let i): return i
        case .float(let f): return truncate(f)
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            if case .success(let i) = parseInt(trimZeroDecimal(s)) { return i }
            return 0
        default: return 0
        }
    }

    /// `cast.ToFloat64`.
    static func toFloat64(_ v: TemplateValue) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .int64(let i): return Double(i)
        case .float(let f): return f
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            if case .success(let f) = parseFloat(s) { return f }
            return 0
        default: return 0
        }
    }

    /// cast's `trimZeroDecimal`: `"2.00"` → `"2"`.
    static func trimZeroDecimal(_ s: String) -> String {
        guard s.utf8.last == UInt8(ascii: "0") else { return s }
        let b = Array(s.utf8)
        var foundZero = false
        var i = b.count
        while i > 0 {
            switch b[i - 1] {
            case UInt8(ascii: "."):
                if foundZero { return String(decoding: b[0..<(i - 1)], as: UTF8.self) }
                return s
            case UInt8(ascii: "0"): foundZero = true
            default: return s
            }
            i -= 1
        }
        return s
    }

    // MARK: time.ParseDuration

    /// `time.ParseDuration` in nanoseconds, or Go's error text.
    static func parseDuration(_ orig: String) -> Result<Int64, TemplateCallError> {
        let invalid = TemplateCallError("time: invalid duration " + GoFmt.quote(orig))
        var s = Array(orig.utf8)[...]
        var neg = false
        if let c = s.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { neg = c == UInt8(ascii: "-"); s = s.dropFirst() }
        if s.elementsEqual("0".utf8) { return .success(0) }
        if s.isEmpty { return .failure(invalid) }
        let units: [(String, UInt64)] = [("ns", 1), ("us", 1000), ("µs", 1000), ("μs", 1000), ("ms", 1_000_000),
                                         ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        let limit = UInt64(1) << 63
        var d: UInt64 = 0
        while let first = s.first {
            guard first == UInt8(ascii: ".") || (first >= 48 && first <= 57) else { return .failure(invalid) }
            // Integer part.
            var v: UInt64 = 0
            var pre = false
            while let c = s.first, c >= 48, c <= 57 {
                if v > limit / 10 { return .failure(invalid) }
                v = v * 10 + UInt64(c - 48)
                if v > limit { return .failure(invalid) }
                s = s.dropFirst()
                pre = true
            }
            // Fraction.
            var f: UInt64 = 0
            var scale = 1.0
            var post = false
            if s.first == UInt8(ascii: ".") {
                s = s.dropFirst()
                var overflow = false
                while let c = s.first, c >= 48, c <= 57 {
                    s = s.dropFirst()
                    post = true
                    if overflow { continue }
                    if f > (limit - 1) / 10 { overflow = true; continue }
                    let y = f * 10 + UInt64(c - 48)
                    if y > limit { overflow = true; continue }
                    f = y
                    scale *= 10
                }
            }
            if !pre && !post { return .failure(invalid) }
            // Unit.
            var n = 0
            for c in s { if c == UInt8(ascii: ".") || (c >= 48 && c <= 57) { break }; n += 1 }
            if n == 0 { return .failure(TemplateCallError("time: missing unit in duration " + GoFmt.quote(orig))) }
            let u = String(decoding: s.prefix(n), as: UTF8.self)
            s = s.dropFirst(n)
            guard let unit = units.first(where: { $0.0 == u })?.1 else {
                return .failure(TemplateCallError("time: unknown unit " + GoFmt.quote(u) + " in duration " + GoFmt.quote(orig)))
            }
            if v > limit / unit { return .failure(invalid) }
            v *= unit
            if f > 0 {
                v += UInt64(Double(f) * (Double(unit) / scale))
                if v > limit { return .failure(invalid) }
            }
            d += v
            if d > limit { return .failure(invalid) }
        }
        if neg { return .success(d == limit ? Int64.min : -Int64(d)) }
        if d > limit - 1 { return .failure(invalid) }
        return .success(Int64(d))
    }

    /// `time.Duration.Seconds()`.
    static func seconds(_ ns: Int64) -> Double {
        Double(ns / 1_000_000_000) + Double(ns % 1_000_000_000) / 1e9
    }

    // MARK: go-humanize

    /// `humanize.ParseBytes`: `"3 kB"`, `"1.5KiB"`, `"2MiB"`, `"42"` (SI units are powers of 1000, IEC of 1024,
    /// case-insensitive, `b`/`B` optional, digits may carry `,` separators).
    static func parseBytes(_ s: String) -> Result<UInt64, TemplateCallError> {
        let b = Array(s.utf8)
        var last = 0
        var hasComma = false
        while last < b.count, (b[last] >= 48 && b[last] <= 57) || b[last] == UInt8(ascii: ".") || b[last] == UInt8(ascii: ",") {
            if b[last] == UInt8(ascii: ",") { hasComma = true }
            last += 1
        }
        var num = String(decoding: b[0..<last], as: UTF8.self)
        if hasComma { num = String(num.filter { $0 != "," }) }
        let f: Double
        switch parseFloat(num) {
        case .success(let v): f = v
        case .failure(let e): return .failure(TemplateCallError(floatError(num, e)))
        }
        let extra = trimSpace(String(decoding: b[last...], as: UTF8.self)).lowercased()
        let table: [String: Double] = [
            "b": 1, "": 1,
            "kib": 1024, "ki": 1024, "kb": 1e3, "k": 1e3,
            "mib": 1_048_576, "mi": 1_048_576, "mb": 1e6, "m": 1e6,
            "gib": 1_073_741_824, "gi": 1_073_741_824, "gb": 1e9, "g": 1e9,
            "tib": 1_099_511_627_776, "ti": 1_099_511_627_776, "tb": 1e12, "t": 1e12,
            "pib": 1_125_899_906_842_624, "pi": 1_125_899_906_842_624, "pb": 1e15, "p": 1e15,
            "eib": 1_152_921_504_606_846_976, "ei": 1_152_921_504_606_846_976, "eb": 1e18, "e": 1e18,
        ]
        guard let m = table[extra] else { return .failure(TemplateCallError("unhandled size name: \(extra)")) }
        let v = f * m
        if v >= 18_446_744_073_709_551_615.0 { return .failure(TemplateCallError("too large: \(s)")) }
        return .success(v.isNaN || v < 0 ? 0 : UInt64(v))
    }

    // MARK: strings

    /// Go's `unicode.IsSpace` (the Unicode White_Space property).
    static func isSpace(_ r: Unicode.Scalar) -> Bool {
        switch r.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0: return true
        case 0..<0x80: return false
        default: return r.properties.isWhitespace
        }
    }

    /// `strings.TrimSpace`.
    static func trimSpace(_ s: String) -> String {
        let u = s.unicodeScalars
        guard let first = u.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = u.lastIndex(where: { !isSpace($0) })!
        return String(u[first...last])
    }
}
