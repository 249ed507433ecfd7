/// A token of Go's `text/template` (`text/template/parse/lex.go`), with its byte offset in the template.
struct TemplateItem {
    enum Kind: Equatable {
        case text, leftDelim, rightDelim, space, eof
        case identifier, field, variable, dot, nilKeyword, bool
        case string, rawString, charConstant, number, complex
        case pipe, leftParen, rightParen, declare, assign, char
        case keyword(TemplateKeyword)
    }

    let kind: Kind
    let pos: Int
    let val: String

    /// Go's `item.String()`, used in `unexpected … in …` errors.
    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .keyword, .dot, .nilKeyword: return "<\(val)>"
        default:
            if val.unicodeScalars.count > 10 { return GoFmt.quote(String(val.unicodeScalars.prefix(10))) + "..." }
            return GoFmt.quote(val)
        }
    }
}

enum TemplateKeyword: String {
    case block, `break`, `continue`, define, `else`, end, `if`, range, template, with
}

/// Go's template lexer: text, `{{ }}` actions with `{{- ` / ` -}}` trim markers (which remove the white space —
/// space, tab, CR, LF — before or after the action), `{{/* comments */}}`, and the action tokens.
struct TemplateLexer {
    private let src: [UInt8]
    private var pos = 0
    private var start = 0
    private var parenDepth = 0
    private(set) var items: [TemplateItem] = []

    init(_ source: String) { src = Array(source.utf8) }

    private static let leftDelim = Array("{{".utf8)
    private static let rightDelim = Array("}}".utf8)

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    private func has(_ at: Int, _ s: [UInt8]) -> Bool {
        at >= 0 && at + s.count <= src.count && src[at..<(at + s.count)].elementsEqual(s)
    }

    private func hasLeftTrimMarker(_ at: Int) -> Bool {
        at + 1 < src.count && src[at] == UInt8(ascii: "-") && TemplateLexer.isSpace(src[at + 1])
    }

    private func hasRightTrimMarker(_ at: Int) -> Bool {
        at + 1 < src.count && TemplateLexer.isSpace(src[at]) && src[at + 1] == UInt8(ascii: "-")
    }

    /// Whether a right delimiter (with or without trim marker) starts at `pos`.
    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if hasRightTrimMarker(pos) && has(pos + 2, TemplateLexer.rightDelim) { return (true, true) }
        return (has(pos, TemplateLexer.rightDelim), false)
    }

    private mutating func emit(_ kind: TemplateItem.Kind) {
        items.append(TemplateItem(kind: kind, pos: start, val: String(decoding: src[start..<pos], as: UTF8.self)))
        start = pos
    }

    private func error(_ message: String) -> LogQLError { LogQLError(message, at: start) }

    /// The Unicode scalar at `at` and its length in bytes (U+FFFD, 1 for invalid bytes).
    private func scalar(_ at: Int) -> (Unicode.Scalar?, Int) {
        guard at < src.count else { return (nil, 0) }
        let c = src[at]
        if c < 0x80 { return (Unicode.Scalar(c), 1) }
        let n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
        guard at + n <= src.count else { return ("\u{FFFD}", 1) }
        var it = String(decoding: src[at..<(at + n)], as: UTF8.self).unicodeScalars.makeIterator()
        return (it.next() ?? "\u{FFFD}", n)
    }

    private static func isAlphaNumeric(_ r: Unicode.Scalar) -> Bool {
        if r.value < 0x80 {
            return r == "_" || (r >= "a" && r <= "z") || (r >= "A" && r <= "Z") || (r >= "0" && r <= "9")
        }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// Go's `%#U`: `U+0023 '#'`.
    private static func describe(_ r: Unicode.Scalar) -> String {
        let h = String(r.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h
        return GoFmt.isPrint(r) ? code + " '\(r)'" : code
    }

    mutating func run() throws -> [TemplateItem] {
        while true {
            // Text up to the next action.
            guard let x = firstIndex(of: TemplateLexer.leftDelim, from: pos) else {
                pos = src.count
                if pos > start { emit(.text) }
                emit(.eof)
                return items
            }
            var textEnd = x
            if hasLeftTrimMarker(x + 2) {
                while textEnd > start, TemplateLexer.isSpace(src[textEnd - 1]) { textEnd -= 1 }
            }
            if textEnd > start {
                pos = textEnd
                emit(.text)
            }
            pos = x
            start = x
            try lexAction()
        }
    }

    private func firstIndex(of needle: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= src.count {
            if src[i] == needle[0] && src[i + 1] == needle[1] { return i }
            i += 1
        }
        return nil
    }

    /// From a left delimiter to just after the matching right delimiter (or comment).
    private mutating func lexAction() throws {
        pos += 2
        let trim = hasLeftTrimMarker(pos)
        let afterMarker = trim ? 2 : 0
        if has(pos + afterMarker, Array("/*".utf8)) {
            pos += afterMarker
            start = pos
            try lexComment()
            return
        }
        emit(.leftDelim)
        pos += afterMarker
        start = pos
        parenDepth = 0
        while true {
            let (delim, _) = atRightDelim()
            if delim {
                if parenDepth == 0 { lexRightDelim(); return }
                throw error("unclosed left paren")
            }
            let (r, width) = scalar(pos)
            guard let r else { throw error("unclosed action") }
            if r.value < 0x80 && TemplateLexer.isSpace(UInt8(r.value)) {
                if lexSpace() { return }
                continue
            }
            pos += width
            switch r {
            case "=": emit(.assign)
            case ":":
                guard pos < src.count, src[pos] == UInt8(ascii: "=") else { throw error("expected :=") }
                pos += 1
                emit(.declare)
            case "|": emit(.pipe)
            case "\"": try lexQuote()
            case "`": try lexRawQuote()
            case "$": try lexVariable()
            case "'": try lexChar()
            case ".":
                if pos < src.count, !(src[pos] >= 48 && src[pos] <= 57) {
                    try lexFieldOrVariable(.field)
                } else {
                    pos -= 1
                    try lexNumber()
                }
            case "+", "-", "0"..."9":
                pos -= 1
                try lexNumber()
            case "(":
                emit(.leftParen)
                parenDepth += 1
            case ")":
                emit(.rightParen)
                parenDepth -= 1
                if parenDepth < 0 { throw LogQLError("unexpected right paren", at: pos - 1) }
            default:
                if TemplateLexer.isAlphaNumeric(r) {
                    pos -= width
                    try lexIdentifier()
                } else if r.value < 0x80 && GoFmt.isPrint(r) {
                    emit(.char)
                } else {
                    throw error("unrecognized character in action: \(TemplateLexer.describe(r))")
                }
            }
        }
    }

    private mutating func lexComment() throws {
        pos += 2
        var i = pos
        while i + 1 < src.count, !(src[i] == UInt8(ascii: "*") && src[i + 1] == UInt8(ascii: "/")) { i += 1 }
        guard i + 1 < src.count else { throw error("unclosed comment") }
        pos = i + 2
        let (delim, trim) = atRightDelim()
        guard delim else { throw error("comment ends before closing delimiter") }
        if trim { pos += 2 }
        pos += 2
        if trim { while pos < src.count, TemplateLexer.isSpace(src[pos]) { pos += 1 } }
        start = pos
    }

    private mutating func lexRightDelim() {
        let (_, trim) = atRightDelim()
        if trim { pos += 2; start = pos }
        pos += 2
        emit(.rightDelim)
        if trim { while pos < src.count, TemplateLexer.isSpace(src[pos]) { pos += 1 } }
        start = pos
    }

    /// A run of spaces; true when it ended the action (a single space before ` -}}`).
    private mutating func lexSpace() -> Bool {
        var n = 0
        while pos < src.count, TemplateLexer.isSpace(src[pos]) { pos += 1; n += 1 }
        if hasRightTrimMarker(pos - 1) && has(pos + 1, TemplateLexer.rightDelim) {
            pos -= 1
            if n == 1 { lexRightDelim(); return true }
        }
        emit(.space)
        return false
    }

    private func atTerminator() -> Bool {
        guard pos < src.count else { return true }
        let c = src[pos]
        if TemplateLexer.isSpace(c) { return true }
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ")"),
             UInt8(ascii: "("), UInt8(ascii: "}"):
            return true
        default: return false
        }
    }

    private mutating func lexIdentifier() throws {
        while true {
            let (r, w) = scalar(pos)
            guard let r, TemplateLexer.isAlphaNumeric(r) else { break }
            pos += w
        }
        if !atTerminator() { throw error("bad character \(TemplateLexer.describe(scalar(pos).0 ?? "\u{FFFD}"))") }
        let word = String(decoding: src[start..<pos], as: UTF8.self)
        if word == "nil" {
            emit(.nilKeyword)
        } else if let k = TemplateKeyword(rawValue: word) {
            emit(.keyword(k))
        } else if word == "true" || word == "false" {
            emit(.bool)
        } else {
            emit(.identifier)
        }
    }

    private mutating func lexVariable() throws {
        if atTerminator() { emit(.variable); return }
        try lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ kind: TemplateItem.Kind) throws {
        if atTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return
        }
        while true {
            let (r, w) = scalar(pos)
            guard let r, TemplateLexer.isAlphaNumeric(r) else { break }
            pos += w
        }
        if !atTerminator() { throw error("bad character \(TemplateLexer.describe(scalar(pos).0 ?? "\u{FFFD}"))") }
        emit(kind)
    }

    private mutating func lexChar() throws {
        while true {
            guard pos < src.count else { throw error("unterminated character constant") }
            let c = src[pos]
            pos += 1
            if c == UInt8(ascii: "\\") {
                guard pos < src.count, src[pos] != UInt8(ascii: "\n") else { throw error("unterminated character constant") }
                pos += 1
            } else if c == UInt8(ascii: "\n") {
                throw error("unterminated character constant")
            } else if c == UInt8(ascii: "'") {
                break
            }
        }
        emit(.charConstant)
    }

    private mutating func scanNumber() -> Bool {
        func accept(_ set: String) -> Bool {
            if pos < src.count, set.utf8.contains(src[pos]) { pos += 1; return true }
            return false
        }
        func acceptRun(_ set: String) { while accept(set) {} }
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") { digits = "0123456789abcdefABCDEF_" } else if accept("oO") { digits = "01234567_" } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if let r = scalar(pos).0, TemplateLexer.isAlphaNumeric(r) {
            pos += scalar(pos).1
            return false
        }
        return true
    }

    private mutating func lexNumber() throws {
        guard scanNumber() else {
            throw error("bad number syntax: \(GoFmt.quote(String(decoding: src[start..<pos], as: UTF8.self)))")
        }
        if pos < src.count, src[pos] == UInt8(ascii: "+") || src[pos] == UInt8(ascii: "-") {
            guard scanNumber(), src[pos - 1] == UInt8(ascii: "i") else {
                throw error("bad number syntax: \(GoFmt.quote(String(decoding: src[start..<pos], as: UTF8.self)))")
            }
            emit(.complex)
        } else {
            emit(.number)
        }
    }

    private mutating func lexQuote() throws {
        while true {
            guard pos < src.count else { throw error("unterminated quoted string") }
            let c = src[pos]
            pos += 1
            if c == UInt8(ascii: "\\") {
                guard pos < src.count, src[pos] != UInt8(ascii: "\n") else { throw error("unterminated quoted string") }
                pos += 1
            } else if c == UInt8(ascii: "\n") {
                throw error("unterminated quoted string")
            } else if c == UInt8(ascii: "\"") {
                break
            }
        }
        emit(.string)
    }

    private mutating func lexRawQuote() throws {
        while true {
            guard pos < src.count else { throw error("unterminated raw quoted string") }
            let c = src[pos]
            pos += 1
            if c == UInt8(ascii: "`") { break }
        }
        emit(.rawString)
    }
}
