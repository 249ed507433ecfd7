/// sprig's `fromJson`: Go's `json.Unmarshal` into `interface{}` — objects become `map[string]interface{}` (a
/// repeated key keeps its last value), arrays `[]interface{}`, numbers `float64`, null a nil. Any syntax error, or a
/// number too large for a float64, makes the whole result nil (which an action prints as `<no value>`).
/// Nesting deeper than `maxDepth` is treated as an error too (Go allows 10000 levels; printing and ranging recurse).
enum TemplateJSON {
    static let maxDepth = 200

    static func decode(_ text: String) -> TemplateValue {
        var p = Parser(Array(text.utf8))
        guard let v = p.value(depth: 0) else { return .missing }
        p.skipSpace()
        return p.i == p.d.count ? v : .missing
    }

    private struct Parser {
        let d: [UInt8]
        var i = 0

        init(_ d: [UInt8]) { self.d = d }

        mutating func skipSpace() {
            while i < d.count, d[i] == 0x20 || d[i] == 0x09 || d[i] == 0x0A || d[i] == 0x0D { i += 1 }
        }

        mutating func literal(_ s: String) -> Bool {
            let u = Array(s.utf8)
            guard i + u.count <= d.count, Array(d[i..<(i + u.count)]) == u else { return false }
            i += u.count
            return true
        }

        mutating func value(depth: Int) -> TemplateValue? {
            guard depth < TemplateJSON.maxDepth else { return nil }
            skipSpace()
            guard i < d.count else { return nil }
            switch d[i] {
            case UInt8(ascii: "{"):
                i += 1
                var m: [String: TemplateValue] = [:]
                skipSpace()
                if i < d.count, d[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
                while true {
                    skipSpace()
                    guard i < d.count, d[i] == UInt8(ascii: "\""), let key = string() else { return nil }
                    skipSpace()
                    guard i < d.count, d[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value(depth: depth + 1) else { return nil }
                    m[key] = v
                    skipSpace()
                    guard i < d.count else { return nil }
                    if d[i] == UInt8(ascii: ",") { i += 1; continue }
                    if d[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
                    return nil
                }
            case UInt8(ascii: "["):
                i += 1
                var a: [TemplateValue] = []
                skipSpace()
                if i < d.count, d[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    guard let v = value(depth: depth + 1) else { return nil }
                    a.append(v)
                    skipSpace()
                    guard i < d.count else { return nil }
                    if d[i] == UInt8(ascii: ",") { i += 1; continue }
                    if d[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map { .string($0) }
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .missing : nil
            default: return number()
            }
        }

        mutating func number() -> TemplateValue? {
            let start = i
            func digit() -> Bool { i < d.count && d[i] >= 48 && d[i] <= 57 }
            if i < d.count, d[i] == UInt8(ascii: "-") { i += 1 }
            guard digit() else { return nil }
            if d[i] == UInt8(ascii: "0") { i += 1 } else { while digit() { i += 1 } }
            if i < d.count, d[i] == UInt8(ascii: ".") {
                i += 1
                guard digit() else { return nil }
                while digit() { i += 1 }
            }
            if i < d.count, d[i] == UInt8(ascii: "e") || d[i] == UInt8(ascii: "E") {
                i += 1
                if i < d.count, d[i] == UInt8(ascii: "+") || d[i] == UInt8(ascii: "-") { i += 1 }
                guard digit() else { return nil }
                while digit() { i += 1 }
            }
            guard let v = Double(String(decoding: d[start..<i], as: UTF8.self)), v.isFinite else { return nil }
            return .float(v)
        }

        /// A string at `d[i] == '"'`; invalid UTF-8 and lone surrogates become U+FFFD, as in Go.
        mutating func string() -> String? {
            i += 1
            var out: [UInt8] = []
            while i < d.count {
                let c = d[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c < 0x20 { return nil }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                i += 1
                guard i < d.count else { return nil }
                let e = d[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var r = hex4() else { return nil }
                    if r >= 0xD800 && r < 0xDC00 {
                        let save = i
                        if i + 1 < d.count, d[i] == UInt8(ascii: "\\"), d[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            if let lo = hex4(), lo >= 0xDC00, lo < 0xE000 {
                                r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                i = save
                                r = 0xFFFD
                            }
                        } else {
                            r = 0xFFFD
                        }
                    } else if r >= 0xDC00 && r < 0xE000 {
                        r = 0xFFFD
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(r) ?? "\u{FFFD}")).utf8)
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= d.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = d[i + k]
                let h: UInt32
                switch c {
                case 48...57: h = UInt32(c - 48)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): h = UInt32(c - 87)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): h = UInt32(c - 55)
                default: return nil
                }
                v = v << 4 | h
            }
            i += 4
            return v
        }
    }
}
