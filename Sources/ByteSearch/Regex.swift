import CPCRE2

/// A compile error with the offset in the pattern where PCRE2 stopped.
public struct RegexError: Error, CustomStringConvertible, Sendable {
    public let pattern: String
    public let offset: Int
    public let message: String
    public var description: String { "invalid regex \"\(pattern)\" at offset \(offset): \(message)" }
}

/// A PCRE2 pattern, JIT-compiled, matched against raw bytes.
///
/// Match data is not thread-safe, so each thread uses its own `Regex.Matcher`. Match and depth limits guard
/// against catastrophic backtracking in user-supplied patterns.
public final class Regex: @unchecked Sendable {
    public let pattern: String
    let code: OpaquePointer
    public let jitted: Bool

    public static let matchLimit: UInt32 = 1_000_000
    public static let depthLimit: UInt32 = 10_000

    /// Compiles `pattern`. `anchored` wraps it as `^(?:pattern)$` (Loki's label matchers are fully anchored).
    /// `multiline` makes `^`/`$` match at line breaks (used to scan a whole page of lines at once).
    public init(_ pattern: String, anchored: Bool = false, caseInsensitive: Bool = false, multiline: Bool = false) throws {
        self.pattern = pattern
        var errCode: Int32 = 0
        var errOffset: Int = 0
        var options: UInt32 = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF
        if caseInsensitive { options |= PCRE2_CASELESS }
        if multiline { options |= PCRE2_MULTILINE }
        func compile(_ p: String) -> OpaquePointer? {
            let src = anchored ? "^(?:" + p + ")$" : p
            return src.withCString { c in
                pcre2_compile_8(UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self), src.utf8.count, options,
                                &errCode, &errOffset, nil)
            }
        }
        // The rewritten pattern means the same; when it does not compile, compile the original for the error, so
        // that the offset points into what the user wrote.
        let rewritten = Regex.bracketingNegatedShorthands(pattern)
        var compiled = compile(rewritten)
        if compiled == nil && rewritten != pattern { compiled = compile(pattern) }
        guard let compiled else {
            var buf = [UInt8](repeating: 0, count: 256)
            let n = pcre2_get_error_message_8(errCode, &buf, 256)
            let msg = String(decoding: buf.prefix(max(0, Int(n))), as: UTF8.self)
            throw RegexError(pattern: pattern, offset: max(0, errOffset - (anchored ? 4 : 0)), message: msg)
        }
        code = compiled
        jitted = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
    }

    deinit { pcre2_code_free_8(code) }

    /// PCRE2 10.42's JIT, with `PCRE2_MATCH_INVALID_UTF`, stops the bare escapes `\S`, `\D` and `\W` at the first
    /// non-ASCII character (`user=\S+` matches `user=j` in `user=jürgen`), while the interpreter and the same
    /// escapes inside a class are right. `[\S]` means exactly `\S`, so bare occurrences outside classes and
    /// `\Q…\E` quotes are bracketed, and patterns keep the JIT.
    static func bracketingNegatedShorthands(_ pattern: String) -> String {
        let b = Array(pattern.utf8)
        guard b.contains(UInt8(ascii: "\\")) else { return pattern }
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 8)
        var i = 0
        var inClass = false
        var inQuote = false
        while i < b.count {
            let c = b[i]
            if inQuote {
                if c == UInt8(ascii: "\\"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "E") {
                    inQuote = false
                    out += [c, b[i + 1]]
                    i += 2
                } else {
                    out.append(c)
                    i += 1
                }
                continue
            }
            if c == UInt8(ascii: "\\"), i + 1 < b.count {
                let e = b[i + 1]
                if e == UInt8(ascii: "Q") { inQuote = true }
                if !inClass && (e == UInt8(ascii: "S") || e == UInt8(ascii: "D") || e == UInt8(ascii: "W")) {
                    out += [UInt8(ascii: "["), c, e, UInt8(ascii: "]")]
                } else {
                    out += [c, e]
                }
                i += 2
                continue
            }
            if inClass {
                if c == UInt8(ascii: "["), i + 1 < b.count, b[i + 1] == UInt8(ascii: ":"),
                   let end = (i + 2..<b.count).first(where: { b[$0] == UInt8(ascii: "]") && b[$0 - 1] == UInt8(ascii: ":") }) {
                    out += b[i...end]  // [:alpha:]
                    i = end + 1
                    continue
                }
                if c == UInt8(ascii: "]") { inClass = false }
                out.append(c)
                i += 1
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                out.append(c)
                i += 1
                // `]` first in a class (after an optional `^`) is a literal.
                if i < b.count, b[i] == UInt8(ascii: "^") {
                    out.append(b[i])
                    i += 1
                }
                if i < b.count, b[i] == UInt8(ascii: "]") {
                    out.append(b[i])
                    i += 1
                }
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Per-thread match state.
    public final class Matcher {
        let regex: Regex
        let data: OpaquePointer
        let context: OpaquePointer

        public init(_ regex: Regex) {
            self.regex = regex
            data = pcre2_match_data_create_from_pattern_8(regex.code, nil)
            context = pcre2_match_context_create_8(nil)
            pcre2_set_match_limit_8(context, Regex.matchLimit)
            pcre2_set_depth_limit_8(context, Regex.depthLimit)
        }

        deinit {
            pcre2_match_data_free_8(data)
            pcre2_match_context_free_8(context)
        }

        /// Whether the pattern matches somewhere in `subject`. A match-limit overrun counts as no match.
        @inline(__always)
        public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
            firstMatch(subject) != nil
        }

        /// Byte range of the first match in `subject` at or after `from`.
        public func firstMatch(_ subject: UnsafeRawBufferPointer, from: Int = 0) -> Range<Int>? {
            let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self)
                ?? UnsafePointer<UInt8>(bitPattern: 1)!
            let rc: Int32
            if regex.jitted {
                rc = pcre2_jit_match_8(regex.code, base, subject.count, from, 0, data, context)
            } else {
                rc = pcre2_match_8(regex.code, base, subject.count, from, 0, data, context)
            }
            guard rc > 0 else { return nil }
            let ov = pcre2_get_ovector_pointer_8(data)!
            return Int(ov[0])..<Int(ov[1])
        }

        /// Capture group ranges of the first match (index 0 is the whole match); nil for unset groups.
        public func captures(_ subject: UnsafeRawBufferPointer) -> [Range<Int>?]? {
            guard firstMatch(subject) != nil else { return nil }
            let n = Int(pcre2_get_ovector_count_8(data))
            let ov = pcre2_get_ovector_pointer_8(data)!
            return (0..<n).map { i in
                let s = ov[2 * i], e = ov[2 * i + 1]
                return s == Int.max || s == ~0 ? nil : Int(s)..<Int(e)
            }
        }
    }

    /// Convenience one-shot match on a string (not for hot paths).
    public func matches(_ s: String) -> Bool {
        let m = Matcher(self)
        var s = s
        return s.withUTF8 { m.matches(UnsafeRawBufferPointer($0)) }
    }
}
