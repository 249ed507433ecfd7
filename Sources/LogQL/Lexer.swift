/// A LogQL token with its byte offset in the query.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case identifier(String)
        case string(String)
        /// A number, possibly with a unit: `5`, `0.5`, `1e3`, `5m`, `1h30m`, `250ms`, `20KB`, `1.5MiB`.
        case number(String)
        case symbol(String)
        case end
    }

    public let kind: Kind
    public let position: Int
}

/// Splits a query into tokens: identifiers, double-quoted strings (Go escapes), backtick raw strings, operators.
/// `#` starts a comment to the end of the line.
public struct Lexer {
    let bytes: [UInt8]
    var pos = 0

    /// Longest operators first so that `|=` wins over `|`.
    static let symbols = ["!=", "=~", "!~", "|=", "|~", "|>", "!>", "==", ">=", "<=", "{", "}", "<", ">", "(", ")",
                          "[", "]", ",", "=", "|", "+", "-", "*", "/", "%", "^"]

    public init(_ query: String) { bytes = Array(query.utf8) }

    public static func tokenize(_ query: String) throws -> [Token] {
        var l = Lexer(query)
        var out: [Token] = []
        while true {
            let t = try l.next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    mutating func next() throws -> Token {
        skipSpaceAndComments()
        guard pos < bytes.count else { return Token(kind: .end, position: pos) }
        let start = pos
        let c = bytes[pos]
        if c == UInt8(ascii: "\"") { return Token(kind: .string(try quoted()), position: start) }
        if c == UInt8(ascii: "`") {
            pos += 1
            let s = pos
            while pos < bytes.count && bytes[pos] != UInt8(ascii: "`") { pos += 1 }
            guard pos < bytes.count else { throw LogQLError("unterminated raw string", at: start) }
            pos += 1
            return Token(kind: .string(String(decoding: bytes[s..<pos - 1], as: UTF8.self)), position: start)
        }
        if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && pos + 1 < bytes.count && Lexer.isDigit(bytes[pos + 1])) {
            while pos < bytes.count {
                let d = bytes[pos]
                if Lexer.isDigit(d) || d == UInt8(ascii: ".") || Lexer.isIdentStart(d) || d >= 0x80 {
                    pos += 1
                } else if (d == UInt8(ascii: "+") || d == UInt8(ascii: "-")) && pos > start
                            && (bytes[pos - 1] == UInt8(ascii: "e") || bytes[pos - 1] == UInt8(ascii: "E"))
                            && bytes[start..<pos - 1].allSatisfy({ Lexer.isDigit($0) || $0 == UInt8(ascii: ".") }) {
                    pos += 1  // exponent sign: 1e+06
                } else {
                    break
                }
            }
            return Token(kind: .number(String(decoding: bytes[start..<pos], as: UTF8.self)), position: start)
        }
        if Lexer.isIdentStart(c) {
            while pos < bytes.count && Lexer.isIdentChar(bytes[pos]) { pos += 1 }
            return Token(kind: .identifier(String(decoding: bytes[start..<pos], as: UTF8.self)), position: start)
        }
        for s in Lexer.symbols {
            let u = Array(s.utf8)
            if bytes.count - pos >= u.count && Array(bytes[pos..<pos + u.count]) == u {
                pos += u.count
                return Token(kind: .symbol(s), position: start)
            }
        }
        throw LogQLError("unexpected character '\(String(decoding: [c], as: UTF8.self))'", at: start)
    }

    mutating func skipSpaceAndComments() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 32 || c == 9 || c == 10 || c == 13 {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                while pos < bytes.count && bytes[pos] != 10 { pos += 1 }
            } else {
                return
            }
        }
    }

    /// A double-quoted string with Go escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`, `\uHHHH`).
    mutating func quoted() throws -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                guard pos + 1 < bytes.count else { break }
                let e = bytes[pos + 1]
                pos += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"): out.append(e)
                case UInt8(ascii: "x"), UInt8(ascii: "u"):
                    let n = e == UInt8(ascii: "x") ? 2 : 4
                    guard pos + n <= bytes.count,
                          let v = UInt32(String(decoding: bytes[pos..<pos + n], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(v)
                    else { throw LogQLError("invalid escape in string", at: pos - 2) }
                    if n == 2 { out.append(UInt8(v)) } else { out.append(contentsOf: Array(String(scalar).utf8)) }
                    pos += n
                default:
                    throw LogQLError("unknown escape sequence \\\(String(decoding: [e], as: UTF8.self))", at: pos - 2)
                }
                continue
            }
            out.append(c)
            pos += 1
        }
        throw LogQLError("unterminated string", at: start)
    }

    static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95
    }

    static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
}
