import ByteSearch

/// `regexReplaceAll`, `regexReplaceAllLiteral` and `count`: Go's `Regexp.ReplaceAllString`,
/// `ReplaceAllLiteralString` and `FindAllStringIndex` over PCRE2.
///
/// - Matches are found as Go finds them: successive non-overlapping leftmost matches, an empty match right after
///   the previous match skipped, the search advancing by one character after an empty match.
/// - In `regexReplaceAll` the replacement expands Go's `$1`, `${1}`, `$name`, `${name}` and `$$`. As in Go, `$name`
///   takes the longest run of letters, digits and `_` (so `$1x` is the group named `1x`, which is empty); a group
///   that did not take part in the match is empty; a `$` not followed by a name is kept as is.
/// - Loki uses RE2; PCRE2 agrees on the syntax logs use (and adds lookaround). One difference shows: `$` also
///   matches before a final newline in PCRE2.
enum TemplateRegex {
    /// Compiles a pattern, with Go's `error parsing regexp: …` wording.
    static func compile(_ pattern: String) throws(TemplateCallError) -> Regex {
        do {
            return try Regex(pattern)
        } catch let e as RegexError {
            throw TemplateCallError("error parsing regexp: \(e.message) at offset \(e.offset): `\(pattern)`")
        } catch {
            throw TemplateCallError("error parsing regexp: `\(pattern)`")
        }
    }

    /// Each match of `regex` in `bytes`, as Go's `allMatches` delivers them.
    private static func forEachMatch(_ matcher: Regex.Matcher, _ buf: UnsafeRawBufferPointer,
                                     _ body: (Range<Int>) -> Void) {
        var pos = 0
        var prevMatchEnd = -1
        while pos <= buf.count {
            guard let m = matcher.firstMatch(buf, from: pos) else { break }
            var accept = true
            if m.upperBound == pos {
                if m.lowerBound == prevMatchEnd { accept = false }
                pos += pos < buf.count ? runeWidth(buf, pos) : 1
            } else {
                pos = m.upperBound
            }
            prevMatchEnd = m.upperBound
            if accept { body(m) }
        }
    }

    private static func runeWidth(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let c = b[i]
        let n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
        return min(n, b.count - i)
    }

    /// `count`: the number of matches.
    static func count(_ regex: Regex, _ s: String) -> Int {
        let matcher = Regex.Matcher(regex)
        var n = 0
        var s = s
        s.withUTF8 { forEachMatch(matcher, UnsafeRawBufferPointer($0)) { _ in n += 1 } }
        return n
    }

    /// `regexReplaceAll` (`literal` false) and `regexReplaceAllLiteral`.
    static func replaceAll(_ regex: Regex, _ src: String, _ replacement: String, literal: Bool) -> String {
        let matcher = Regex.Matcher(regex)
        let template = Array(replacement.utf8)
        let expands = !literal && template.contains(UInt8(ascii: "$"))
        let names = expands ? groupNames(regex.pattern) : []
        var out: [UInt8] = []
        var s = src
        s.withUTF8 { raw in
            let buf = UnsafeRawBufferPointer(raw)
            var lastMatchEnd = 0
            var searchPos = 0
            while searchPos <= buf.count {
                guard let m = matcher.firstMatch(buf, from: searchPos) else { break }
                out.append(contentsOf: buf[lastMatchEnd..<m.lowerBound])
                if m.upperBound > lastMatchEnd || m.lowerBound == 0 {
                    if expands {
                        expand(template, names, captures(matcher, buf, m), buf, into: &out)
                    } else {
                        out.append(contentsOf: template)
                    }
                }
                lastMatchEnd = m.upperBound
                let width = searchPos < buf.count ? runeWidth(buf, searchPos) : 0
                if searchPos + width > m.upperBound {
                    searchPos += width
                } else if searchPos + 1 > m.upperBound {
                    searchPos += 1
                } else {
                    searchPos = m.upperBound
                }
            }
            out.append(contentsOf: buf[lastMatchEnd...])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The groups of the match `m`. `Regex.Matcher` reports groups only for a match searched from the start of its
    /// subject, so the search is repeated on the text from the match on; when context before the match changes the
    /// result (a `\b` or a lookbehind at its start), only the whole match is known.
    private static func captures(_ matcher: Regex.Matcher, _ buf: UnsafeRawBufferPointer, _ m: Range<Int>) -> [Range<Int>?] {
        let tail = UnsafeRawBufferPointer(rebasing: buf[m.lowerBound...])
        guard let groups = matcher.captures(tail), let whole = groups.first ?? nil,
              whole.lowerBound == 0, whole.upperBound == m.count else { return [m] }
        return groups.map { $0.map { ($0.lowerBound + m.lowerBound)..<($0.upperBound + m.lowerBound) } }
    }

    /// Go's `Regexp.expand`.
    private static func expand(_ t: [UInt8], _ names: [String?], _ groups: [Range<Int>?],
                               _ src: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        func group(_ i: Int) {
            if i < groups.count, let r = groups[i] { out.append(contentsOf: src[r]) }
        }
        var i = 0
        while i < t.count {
            guard let dollar = t[i...].firstIndex(of: UInt8(ascii: "$")) else {
                out.append(contentsOf: t[i...])
                return
            }
            out.append(contentsOf: t[i..<dollar])
            i = dollar + 1
            if i < t.count, t[i] == UInt8(ascii: "$") { out.append(UInt8(ascii: "$")); i += 1; continue }
            guard let (name, next) = extractName(t, i) else { out.append(UInt8(ascii: "$")); continue }
            i = next
            if let n = groupNumber(name) {
                group(n)
            } else if let idx = names.firstIndex(where: { $0 == name }) {
                group(idx)
            }
        }
    }

    /// Go's `extract`: a `name` or `{name}` after `$`, and where the template continues.
    private static func extractName(_ t: [UInt8], _ start: Int) -> (String, Int)? {
        var i = start
        guard i < t.count else { return nil }
        let brace = t[i] == UInt8(ascii: "{")
        if brace { i += 1 }
        let nameStart = i
        let scalars = String(decoding: t[i...], as: UTF8.self).unicodeScalars
        for r in scalars {
            guard r == "_" || r.properties.isAlphabetic || r.properties.numericType == .decimal else { break }
            i += String(r).utf8.count
        }
        guard i > nameStart else { return nil }
        let name = String(decoding: t[nameStart..<i], as: UTF8.self)
        if brace {
            guard i < t.count, t[i] == UInt8(ascii: "}") else { return nil }
            i += 1
        }
        return (name, i)
    }

    private static func groupNumber(_ name: String) -> Int? {
        let u = Array(name.utf8)
        guard u.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if u.count > 1 && u[0] == UInt8(ascii: "0") { return nil }
        var n = 0
        for c in u {
            if n >= 100_000_000 { return nil }
            n = n * 10 + Int(c - 48)
        }
        return n
    }

    /// Capture group names by group number (index 0, the whole match, has none), read from the pattern:
    /// `(?P<name>…)`, `(?<name>…)` and `(?'name'…)` are named; `(…)` is numbered; other `(?…)` groups and escaped
    /// or bracketed parentheses are not groups.
    static func groupNames(_ pattern: String) -> [String?] {
        let p = Array(pattern.utf8)
        var names: [String?] = [nil]
        var i = 0
        var inClass = false
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\\") {
                if i + 1 < p.count, p[i + 1] == UInt8(ascii: "Q") {
                    // \Q…\E quotes everything.
                    var j = i + 2
                    while j + 1 < p.count, !(p[j] == UInt8(ascii: "\\") && p[j + 1] == UInt8(ascii: "E")) { j += 1 }
                    i = j + 2
                    continue
                }
                i += 2
                continue
            }
            if inClass {
                if c == UInt8(ascii: "]") { inClass = false }
                i += 1
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                i += 1
                if i < p.count, p[i] == UInt8(ascii: "^") { i += 1 }
                if i < p.count, p[i] == UInt8(ascii: "]") { i += 1 }
                continue
            }
            if c == UInt8(ascii: "("), i + 1 < p.count {
                if p[i + 1] == UInt8(ascii: "*") { i += 2; continue }
                if p[i + 1] != UInt8(ascii: "?") { names.append(nil); i += 1; continue }
                var j = i + 2
                var close: UInt8 = 0
                if j < p.count, p[j] == UInt8(ascii: "P"), j + 1 < p.count, p[j + 1] == UInt8(ascii: "<") {
                    j += 2; close = UInt8(ascii: ">")
                } else if j < p.count, p[j] == UInt8(ascii: "<"), j + 1 < p.count,
                          p[j + 1] != UInt8(ascii: "="), p[j + 1] != UInt8(ascii: "!") {
                    j += 1; close = UInt8(ascii: ">")
                } else if j < p.count, p[j] == UInt8(ascii: "'") {
                    j += 1; close = UInt8(ascii: "'")
                }
                if close != 0, let end = p[j...].firstIndex(of: close) {
                    names.append(String(decoding: p[j..<end], as: UTF8.self))
                    i = end + 1
                    continue
                }
                i += 2
                continue
            }
            i += 1
        }
        return names
    }
}
