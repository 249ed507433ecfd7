/// Encodings used by template functions, byte-for-byte as Go's: base64 (`b64enc`, `b64dec`), URL query escaping
/// (`urlencode`, `urldecode`, `urlquery`), and the `html` and `js` builtins.
public enum GoEncoding {
    private static let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `base64.StdEncoding.EncodeToString`.
    static func base64Encode(_ s: String) -> String {
        let d = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity((d.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= d.count {
            let v = UInt32(d[i]) << 16 | UInt32(d[i + 1]) << 8 | UInt32(d[i + 2])
            out += [b64[Int(v >> 18 & 63)], b64[Int(v >> 12 & 63)], b64[Int(v >> 6 & 63)], b64[Int(v & 63)]]
            i += 3
        }
        let rest = d.count - i
        if rest > 0 {
            var v = UInt32(d[i]) << 16
            if rest == 2 { v |= UInt32(d[i + 1]) << 8 }
            out += [b64[Int(v >> 18 & 63)], b64[Int(v >> 12 & 63)]]
            out += rest == 2 ? [b64[Int(v >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `base64.StdEncoding.DecodeString`; on corrupt input sprig's `b64dec` returns the error text itself
    /// (`illegal base64 data at input byte 4`).
    static func base64Decode(_ s: String) -> String {
        var map = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in b64.enumerated() { map[Int(c)] = UInt8(i) }
        let src = Array(s.utf8)
        var out: [UInt8] = []
        var si = 0
        func corrupt(_ at: Int) -> String { "illegal base64 data at input byte \(at)" }
        while si < src.count {
            var dbuf = [UInt8](repeating: 0, count: 4)
            var dlen = 4
            var trailingError: Int? = nil
            var j = 0
            quantum: while j < 4 {
                if si == src.count {
                    if j == 0 { return String(decoding: out, as: UTF8.self) }
                    return corrupt(si - j)
                }
                let c = src[si]
                si += 1
                let v = map[Int(c)]
                if v != 0xFF { dbuf[j] = v; j += 1; continue }
                if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { continue }
                if c != UInt8(ascii: "=") { return corrupt(si - 1) }
                switch j {
                case 0, 1: return corrupt(si - 1)
                case 2:
                    while si < src.count, src[si] == UInt8(ascii: "\n") || src[si] == UInt8(ascii: "\r") { si += 1 }
                    if si == src.count { return corrupt(src.count) }
                    if src[si] != UInt8(ascii: "=") { return corrupt(si - 1) }
                    si += 1
                default: break
                }
                while si < src.count, src[si] == UInt8(ascii: "\n") || src[si] == UInt8(ascii: "\r") { si += 1 }
                if si < src.count { trailingError = si }
                dlen = j
                break quantum
            }
            let val = UInt32(dbuf[0]) << 18 | UInt32(dbuf[1]) << 12 | UInt32(dbuf[2]) << 6 | UInt32(dbuf[3])
            let bytes = [UInt8(val >> 16 & 0xFF), UInt8(val >> 8 & 0xFF), UInt8(val & 0xFF)]
            out += bytes.prefix(dlen - 1)
            if let at = trailingError { return corrupt(at) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `url.QueryEscape`: unreserved bytes stay, a space becomes `+`, everything else `%XX`.
    static func queryEscape(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), 48...57,
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(c)
            case UInt8(ascii: " "): out.append(UInt8(ascii: "+"))
            default: out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `url.QueryUnescape`.
    static func queryUnescape(_ s: String) -> Result<String, TemplateCallError> {
        let d = Array(s.utf8)
        func unhex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < d.count {
            switch d[i] {
            case UInt8(ascii: "%"):
                guard i + 2 < d.count, let h = unhex(d[i + 1]), let l = unhex(d[i + 2]) else {
                    let bad = String(decoding: d[i..<min(i + 3, d.count)], as: UTF8.self)
                    return .failure(TemplateCallError("invalid URL escape " + GoFmt.quote(bad)))
                }
                out.append(h << 4 | l)
                i += 3
            case UInt8(ascii: "+"): out.append(UInt8(ascii: " ")); i += 1
            default: out.append(d[i]); i += 1
            }
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// `template.HTMLEscapeString` (also the post-mortem's HTML escaping).
    public static func htmlEscape(_ s: String) -> String {
        var out = ""
        for r in s.unicodeScalars {
            switch r {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(r)
            }
        }
        return out
    }

    /// `template.JSEscapeString`.
    static func jsEscape(_ s: String) -> String {
        var out = ""
        func u(_ v: UInt32) -> String {
            let h = String(v, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: max(0, 4 - h.count)) + h
        }
        for r in s.unicodeScalars {
            switch r {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if r.value < 0x20 { out += u(r.value) } else if r.value < 0x80 || GoFmt.isPrint(r) {
                    out.unicodeScalars.append(r)
                } else {
                    out += u(r.value)
                }
            }
        }
        return out
    }
}
