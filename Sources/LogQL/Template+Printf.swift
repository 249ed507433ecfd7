#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `fmt` for template values: `%v` printing of actions, `print`, `println` and `printf` (a port of `doPrintf`,
/// `printArg` and the `fmt` integer, float and string formatters), with Go's error forms (`%!d(string=abc)`,
/// `%!s(MISSING)`, `%!(EXTRA int=1)`).
///
/// Floats print as Go does: `%v` is the shortest representation that round-trips, with an exponent below 1e-4 and
/// from 1e6 on (`3e+06`), as `strconv.FormatFloat(f, 'g', -1, 64)`; `%f`, `%e`, `%g` with a precision are exact
/// (through the C library, whose rounding — half to even on exact ties — matches Go's).
enum GoFmt {
    /// `fmt.Sprint`: a space between operands when neither is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var p = GoPrinter()
        var prevString = false
        for (i, a) in args.enumerated() {
            let isString: Bool
            if case .string = a { isString = true } else { isString = false }
            if i > 0 && !isString && !prevString { p.buf.append(UInt8(ascii: " ")) }
            p.printArg(a, "v")
            prevString = isString
        }
        return p.string
    }

    /// `fmt.Sprintln`: spaces between all operands and a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        var p = GoPrinter()
        for (i, a) in args.enumerated() {
            if i > 0 { p.buf.append(UInt8(ascii: " ")) }
            p.printArg(a, "v")
        }
        p.buf.append(UInt8(ascii: "\n"))
        return p.string
    }

    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var p = GoPrinter()
        p.doPrintf(Array(format.utf8), args)
        return p.string
    }

    /// `%v` of one value.
    static func string(_ v: TemplateValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .int64(let i): return String(i)
        case .float(let f): return formatFloat(f, UInt8(ascii: "g"), -1)
        case .bool(let b): return b ? "true" : "false"
        default:
            var p = GoPrinter()
            p.printArg(v, "v")
            return p.string
        }
    }

    // MARK: strconv

    /// The shortest decimal digits that round-trip `v` (finite, non-zero): `digits` as ASCII values 0…9 and the
    /// decimal point position, value = 0.d1d2… × 10^dp.
    static func shortestDigits(_ v: Double) -> (digits: [UInt8], dp: Int) {
        let text = abs(v).description
        var mantissa = Substring(text)
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var intCount = 0
        var seenDot = false
        for c in mantissa.utf8 {
            if c == UInt8(ascii: ".") { seenDot = true; continue }
            digits.append(c - 48)
            if !seenDot { intCount += 1 }
        }
        var dp = intCount + exp
        while digits.count > 1, digits[0] == 0 { digits.removeFirst(); dp -= 1 }
        while digits.count > 1, digits[digits.count - 1] == 0 { digits.removeLast() }
        return (digits, dp)
    }

    /// `strconv.FormatFloat(v, fmt, prec, 64)` for `e E f F g G` (prec -1 = shortest).
    static func formatFloat(_ v: Double, _ fmt: UInt8, _ prec: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if prec >= 0 { return cFormat(v, fmt, prec) }
        let neg = v.sign == .minus
        var digits: [UInt8]
        var dp: Int
        if v == 0 { digits = [0]; dp = 1 } else { (digits, dp) = shortestDigits(v) }
        let nd = digits.count
        var out: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        var useE = fmt == UInt8(ascii: "e") || fmt == UInt8(ascii: "E")
        if fmt == UInt8(ascii: "g") || fmt == UInt8(ascii: "G") {
            // Shortest %g switches to an exponent below 1e-4 and from 1e6 on (Go's `eprec = 6`).
            let exp = dp - 1
            useE = v != 0 && (exp < -4 || exp >= 6)
        }
        if useE {
            out.append(digits[0] + 48)
            if nd > 1 {
                out.append(UInt8(ascii: "."))
                for d in digits[1...] { out.append(d + 48) }
            }
            let upper = fmt == UInt8(ascii: "E") || fmt == UInt8(ascii: "G")
            out.append(upper ? UInt8(ascii: "E") : UInt8(ascii: "e"))
            var exp = v == 0 ? 0 : dp - 1
            out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            exp = abs(exp)
            if exp < 10 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: String(exp).utf8)
        } else if dp <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -dp))
            for d in digits { out.append(d + 48) }
        } else if dp >= nd {
            for d in digits { out.append(d + 48) }
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: dp - nd))
        } else {
            for d in digits[0..<dp] { out.append(d + 48) }
            out.append(UInt8(ascii: "."))
            for d in digits[dp...] { out.append(d + 48) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Exact fixed-precision formatting through the C library (correctly rounded, ties to even as in Go).
    private static func cFormat(_ v: Double, _ fmt: UInt8, _ prec: Int) -> String {
        let conv: String
        switch fmt {
        case UInt8(ascii: "F"): conv = "f"
        default: conv = String(UnicodeScalar(fmt))
        }
        let spec = "%.\(min(prec, 1000))" + conv
        var size = 64
        while true {
            var buf = [CChar](repeating: 0, count: size)
            let n = withVaList([v]) { va in vsnprintf(&buf, size, spec, va) }
            if n < 0 { return "" }
            if Int(n) < size {
                return String(decoding: buf[0..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            size = Int(n) + 1
        }
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ r: Unicode.Scalar) -> Bool {
        if r.value < 0x80 { return r.value >= 0x20 && r.value < 0x7F }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// `strconv.Quote` (or `QuoteToASCII`, or `QuoteRune` with `quote` = `'`).
    static func quote(_ s: String, asciiOnly: Bool = false, quote q: Character = "\"") -> String {
        var out = String(q)
        for r in s.unicodeScalars {
            out += escapeRune(r, quote: q, asciiOnly: asciiOnly)
        }
        out.append(q)
        return out
    }

    static func escapeRune(_ r: Unicode.Scalar, quote q: Character, asciiOnly: Bool) -> String {
        if Character(r) == q || r == "\\" { return "\\" + String(r) }
        if asciiOnly ? (r.value < 0x80 && isPrint(r)) : isPrint(r) { return String(r) }
        switch r {
        case "\u{07}": return "\\a"
        case "\u{08}": return "\\b"
        case "\u{0C}": return "\\f"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{0B}": return "\\v"
        default:
            func hex(_ v: UInt32, _ width: Int) -> String {
                let h = String(v, radix: 16)
                return String(repeating: "0", count: max(0, width - h.count)) + h
            }
            if r.value < 0x20 || r.value == 0x7F { return "\\x" + hex(r.value, 2) }
            if r.value < 0x10000 { return "\\u" + hex(r.value, 4) }
            return "\\U" + hex(r.value, 8)
        }
    }

    /// `strconv.CanBackquote`.
    static func canBackquote(_ s: String) -> Bool {
        for r in s.unicodeScalars {
            if r == "`" || r == "\u{FEFF}" { return false }
            if r.value < 0x20 && r != "\t" { return false }
            if r.value == 0x7F { return false }
        }
        return true
    }
}

/// The state of one `fmt` call (Go's `pp` and `fmt` structs).
private struct GoPrinter {
    var buf: [UInt8] = []
    var plus = false, minus = false, sharp = false, space = false, zero = false
    var plusV = false, sharpV = false
    var wid = 0, widPresent = false, prec = 0, precPresent = false
    var erroring = false

    var string: String { String(decoding: buf, as: UTF8.self) }

    mutating func clearFlags() {
        plus = false; minus = false; sharp = false; space = false; zero = false
        plusV = false; sharpV = false
        wid = 0; widPresent = false; prec = 0; precPresent = false
    }

    // MARK: padding

    mutating func writePadding(_ n: Int) {
        guard n > 0 else { return }
        buf.append(contentsOf: repeatElement(zero ? UInt8(ascii: "0") : UInt8(ascii: " "), count: n))
    }

    mutating func pad<C: Collection>(_ s: C) where C.Element == UInt8 {
        if !widPresent || wid == 0 { buf.append(contentsOf: s); return }
        let width = wid - s.reduce(0) { $0 + (($1 & 0xC0) != 0x80 ? 1 : 0) }
        if !minus { writePadding(width); buf.append(contentsOf: s) } else { buf.append(contentsOf: s); writePadding(width) }
    }

    mutating func padString(_ s: String) { pad(Array(s.utf8)) }

    func truncate(_ s: String) -> String {
        guard precPresent else { return s }
        var n = 0
        for i in s.unicodeScalars.indices {
            if n >= prec { return String(s.unicodeScalars[..<i]) }
            n += 1
        }
        return s
    }

    // MARK: printArg

    mutating func printArg(_ arg: TemplateValue, _ verb: Unicode.Scalar) {
        if case .missing = arg {
            if verb == "T" || verb == "v" { padString("<nil>") } else { badVerb(verb, arg) }
            return
        }
        if verb == "T" { fmtS(arg.goType); return }
        switch arg {
        case .bool(let b):
            if verb == "t" || verb == "v" { padString(b ? "true" : "false") } else { badVerb(verb, arg) }
        case .float(let f): fmtFloatVerb(f, verb, arg)
        case .int(let i): fmtIntegerVerb(Int64(i), verb, arg)
        case .int64(let i): fmtIntegerVerb(i, verb, arg)
        case .string(let s): fmtStringVerb(s, verb, arg)
        case .time(let t):
            // A fmt.Stringer: its String() for the string verbs.
            if !erroring, ["v", "s", "x", "X", "q"].contains(verb) { fmtStringVerb(t.description, verb, arg) } else {
                badVerb(verb, arg)
            }
        case .map(let m):
            buf.append(contentsOf: "map[".utf8)
            for (i, key) in m.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { buf.append(UInt8(ascii: " ")) }
                printNested(.string(key), verb)
                buf.append(UInt8(ascii: ":"))
                printNested(m[key]!, verb)
            }
            buf.append(UInt8(ascii: "]"))
        case .array(let a):
            buf.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { buf.append(UInt8(ascii: " ")) }
                printNested(e, verb)
            }
            buf.append(UInt8(ascii: "]"))
        case .labels:
            buf.append(contentsOf: "map[…]".utf8)
        case .missing:
            break
        }
    }

    private mutating func printNested(_ v: TemplateValue, _ verb: Unicode.Scalar) {
        if case .missing = v { buf.append(contentsOf: "<nil>".utf8) } else { printArg(v, verb) }
    }

    mutating func badVerb(_ verb: Unicode.Scalar, _ arg: TemplateValue) {
        erroring = true
        buf.append(contentsOf: "%!".utf8)
        buf.append(contentsOf: String(verb).utf8)
        buf.append(UInt8(ascii: "("))
        if case .missing = arg { buf.append(contentsOf: "<nil>".utf8) } else {
            buf.append(contentsOf: arg.goType.utf8)
            buf.append(UInt8(ascii: "="))
            printArg(arg, "v")
        }
        buf.append(UInt8(ascii: ")"))
        erroring = false
    }

    // MARK: strings

    mutating func fmtS(_ s: String) { padString(truncate(s)) }

    mutating func fmtStringVerb(_ s: String, _ verb: Unicode.Scalar, _ arg: TemplateValue) {
        switch verb {
        case "v":
            if sharpV { fmtQ(s) } else { fmtS(s) }
        case "s": fmtS(s)
        case "x": fmtSx(s, upper: false)
        case "X": fmtSx(s, upper: true)
        case "q": fmtQ(s)
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtQ(_ s0: String) {
        let s = truncate(s0)
        if sharp && GoFmt.canBackquote(s) { padString("`" + s + "`"); return }
        padString(GoFmt.quote(s, asciiOnly: plus))
    }

    mutating func fmtSx(_ s: String, upper: Bool) {
        let digits = Array((upper ? "0123456789ABCDEFX" : "0123456789abcdefx").utf8)
        var bytes = Array(s.utf8)
        if precPresent && prec < bytes.count { bytes = Array(bytes.prefix(prec)) }
        var width = 2 * bytes.count
        if width > 0 {
            if space {
                if sharp { width *= 2 }
                width += bytes.count - 1
            } else if sharp {
                width += 2
            }
        } else {
            if widPresent { writePadding(wid) }
            return
        }
        if widPresent && wid > width && !minus { writePadding(wid - width) }
        if sharp { buf.append(UInt8(ascii: "0")); buf.append(digits[16]) }
        for (i, c) in bytes.enumerated() {
            if space && i > 0 {
                buf.append(UInt8(ascii: " "))
                if sharp { buf.append(UInt8(ascii: "0")); buf.append(digits[16]) }
            }
            buf.append(digits[Int(c >> 4)])
            buf.append(digits[Int(c & 0xF)])
        }
        if widPresent && wid > width && minus { writePadding(wid - width) }
    }

    // MARK: integers

    mutating func fmtIntegerVerb(_ v: Int64, _ verb: Unicode.Scalar, _ arg: TemplateValue) {
        switch verb {
        case "v", "d": fmtInteger(v, 10, verb, upper: false)
        case "b": fmtInteger(v, 2, verb, upper: false)
        case "o", "O": fmtInteger(v, 8, verb, upper: false)
        case "x": fmtInteger(v, 16, verb, upper: false)
        case "X": fmtInteger(v, 16, verb, upper: true)
        case "c": padString(String(Character(Unicode.Scalar(UInt32(truncatingIfNeeded: v)) ?? "\u{FFFD}")))
        case "q":
            let r = Unicode.Scalar(UInt32(truncatingIfNeeded: v)) ?? "\u{FFFD}"
            padString(GoFmt.quote(String(r), asciiOnly: plus, quote: "'"))
        case "U":
            var h = String(UInt64(bitPattern: v), radix: 16, uppercase: true)
            let minDigits = precPresent && prec > 4 ? prec : 4
            if h.count < minDigits { h = String(repeating: "0", count: minDigits - h.count) + h }
            var s = "U+" + h
            if sharp, let r = Unicode.Scalar(UInt32(truncatingIfNeeded: v)), GoFmt.isPrint(r) { s += " '\(r)'" }
            let oldZero = zero
            zero = false
            padString(s)
            zero = oldZero
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtInteger(_ v: Int64, _ base: UInt64, _ verb: Unicode.Scalar, upper: Bool) {
        let negative = v < 0
        var u = negative ? UInt64(bitPattern: 0 &- v) : UInt64(v)
        var p = 0
        if precPresent {
            p = prec
            if p == 0 && u == 0 {
                let oldZero = zero
                zero = false
                writePadding(wid)
                zero = oldZero
                return
            }
        } else if zero && !minus && widPresent {
            p = wid
            if negative || plus || space { p -= 1 }
        }
        let digitChars = Array((upper ? "0123456789ABCDEFX" : "0123456789abcdefx").utf8)
        var out: [UInt8] = []
        repeat {
            out.append(digitChars[Int(u % base)])
            u /= base
        } while u > 0
        while out.count < p { out.append(UInt8(ascii: "0")) }
        if sharp {
            switch base {
            case 2: out.append(UInt8(ascii: "b")); out.append(UInt8(ascii: "0"))
            case 8: if out.last != UInt8(ascii: "0") { out.append(UInt8(ascii: "0")) }
            case 16: out.append(digitChars[16]); out.append(UInt8(ascii: "0"))
            default: break
            }
        }
        if verb == "O" { out.append(UInt8(ascii: "o")); out.append(UInt8(ascii: "0")) }
        if negative { out.append(UInt8(ascii: "-")) } else if plus { out.append(UInt8(ascii: "+")) } else if space {
            out.append(UInt8(ascii: " "))
        }
        let oldZero = zero
        zero = false
        pad(out.reversed())
        zero = oldZero
    }

    // MARK: floats

    mutating func fmtFloatVerb(_ v: Double, _ verb: Unicode.Scalar, _ arg: TemplateValue) {
        switch verb {
        case "v": fmtFloat(v, UInt8(ascii: "g"), -1)
        case "g", "G": fmtFloat(v, UInt8(verb.value), -1)
        case "f", "F", "e", "E": fmtFloat(v, UInt8(verb.value), 6)
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtFloat(_ v: Double, _ verb: UInt8, _ defaultPrec: Int) {
        let p = precPresent ? prec : defaultPrec
        var num = Array(GoFmt.formatFloat(v, verb, p).utf8)
        if num.first == UInt8(ascii: "-") || num.first == UInt8(ascii: "+") {} else { num.insert(UInt8(ascii: "+"), at: 0) }
        if space && num[0] == UInt8(ascii: "+") && !plus { num[0] = UInt8(ascii: " ") }
        if num.count > 1, num[1] == UInt8(ascii: "I") || num[1] == UInt8(ascii: "N") {
            let oldZero = zero
            zero = false
            if num[1] == UInt8(ascii: "N") && !space && !plus { num.removeFirst() }
            pad(num)
            zero = oldZero
            return
        }
        if plus || num[0] != UInt8(ascii: "+") {
            if zero && !minus && widPresent && wid > num.count {
                buf.append(num[0])
                writePadding(wid - num.count)
                buf.append(contentsOf: num[1...])
                return
            }
            pad(num)
            return
        }
        pad(num[1...])
    }

    // MARK: doPrintf

    private static func parseNum(_ f: [UInt8], _ start: Int, _ end: Int) -> (num: Int, ok: Bool, next: Int) {
        var i = start, n = 0, ok = false
        while i < end, f[i] >= UInt8(ascii: "0"), f[i] <= UInt8(ascii: "9") {
            if n > 1_000_000 { return (0, false, end) }
            n = n * 10 + Int(f[i] - 48)
            ok = true
            i += 1
        }
        return (n, ok, i)
    }

    private static func intArg(_ args: [TemplateValue], _ argNum: Int) -> (num: Int, ok: Bool, next: Int) {
        guard argNum < args.count else { return (0, false, argNum) }
        var n = 0, ok = false
        switch args[argNum] {
        case .int(let i): n = i; ok = true
        case .int64(let i): n = Int(i); ok = true
        default: break
        }
        if n > 1_000_000 || n < -1_000_000 { n = 0; ok = false }
        return (n, ok, argNum + 1)
    }

    mutating func doPrintf(_ f: [UInt8], _ a: [TemplateValue]) {
        let end = f.count
        var argNum = 0
        var afterIndex = false
        var reordered = false
        var goodArgNum = true

        func argNumber(_ argNum: Int, _ i: Int) -> (Int, Int, Bool) {
            guard i < end, f[i] == UInt8(ascii: "[") else { return (argNum, i, false) }
            reordered = true
            // parseArgNumber
            var width = 1, index = 0, ok = false
            if end - i >= 3 {
                var j = i + 1
                while j < end {
                    if f[j] == UInt8(ascii: "]") {
                        let (n, numOK, next) = GoPrinter.parseNum(f, i + 1, j)
                        if !numOK || next != j { width = j - i + 1; ok = false } else { index = n - 1; width = j - i + 1; ok = true }
                        break
                    }
                    j += 1
                }
            }
            if ok && index >= 0 && index < a.count { return (index, i + width, true) }
            goodArgNum = false
            return (argNum, i + width, ok)
        }

        var i = 0
        while i < end {
            goodArgNum = true
            let lasti = i
            while i < end, f[i] != UInt8(ascii: "%") { i += 1 }
            if i > lasti { buf.append(contentsOf: f[lasti..<i]) }
            if i >= end { break }
            i += 1
            clearFlags()
            flags: while i < end {
                switch f[i] {
                case UInt8(ascii: "#"): sharp = true
                case UInt8(ascii: "0"): zero = !minus
                case UInt8(ascii: "+"): plus = true
                case UInt8(ascii: "-"): minus = true; zero = false
                case UInt8(ascii: " "): space = true
                default: break flags
                }
                i += 1
            }
            (argNum, i, afterIndex) = argNumber(argNum, i)
            if i < end, f[i] == UInt8(ascii: "*") {
                i += 1
                (wid, widPresent, argNum) = GoPrinter.intArg(a, argNum)
                if !widPresent { buf.append(contentsOf: "%!(BADWIDTH)".utf8) }
                if wid < 0 { wid = -wid; minus = true; zero = false }
                afterIndex = false
            } else {
                (wid, widPresent, i) = GoPrinter.parseNum(f, i, end)
                if afterIndex && widPresent { goodArgNum = false }
            }
            if i + 1 < end, f[i] == UInt8(ascii: ".") {
                i += 1
                if afterIndex { goodArgNum = false }
                (argNum, i, afterIndex) = argNumber(argNum, i)
                if i < end, f[i] == UInt8(ascii: "*") {
                    i += 1
                    (prec, precPresent, argNum) = GoPrinter.intArg(a, argNum)
                    if prec < 0 { prec = 0; precPresent = false }
                    if !precPresent { buf.append(contentsOf: "%!(BADPREC)".utf8) }
                    afterIndex = false
                } else {
                    (prec, precPresent, i) = GoPrinter.parseNum(f, i, end)
                    if !precPresent { prec = 0; precPresent = true }
                }
            }
            if !afterIndex { (argNum, i, afterIndex) = argNumber(argNum, i) }
            if i >= end { buf.append(contentsOf: "%!(NOVERB)".utf8); break }
            // Decode the verb rune.
            var verbLength = 1
            let lead = f[i]
            if lead >= 0xF0 { verbLength = 4 } else if lead >= 0xE0 { verbLength = 3 } else if lead >= 0xC0 { verbLength = 2 }
            verbLength = min(verbLength, end - i)
            let verb = String(decoding: f[i..<(i + verbLength)], as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
            i += verbLength
            if verb == "%" { buf.append(UInt8(ascii: "%")); continue }
            if !goodArgNum {
                buf.append(contentsOf: "%!\(verb)(BADINDEX)".utf8)
                continue
            }
            if argNum >= a.count {
                buf.append(contentsOf: "%!\(verb)(MISSING)".utf8)
                continue
            }
            if verb == "v" {
                sharpV = sharp; sharp = false
                plusV = plus; plus = false
            }
            printArg(a[argNum], verb)
            argNum += 1
        }
        if !reordered && argNum < a.count {
            clearFlags()
            buf.append(contentsOf: "%!(EXTRA ".utf8)
            for (k, arg) in a[argNum...].enumerated() {
                if k > 0 { buf.append(contentsOf: ", ".utf8) }
                if case .missing = arg { buf.append(contentsOf: "<nil>".utf8) } else {
                    buf.append(contentsOf: arg.goType.utf8)
                    buf.append(UInt8(ascii: "="))
                    printArg(arg, "v")
                }
            }
            buf.append(UInt8(ascii: ")"))
        }
    }
}
