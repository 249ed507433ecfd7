/// A lenient JSON scanner over raw line bytes that accepts and rejects what the Go `jsonparser` library behind
/// Loki's `| json` and `| unpack` accepts and rejects (`ObjectEach`, `Get`, `ArrayEach`, `Unescape` in
/// `grafana/jsonparser`), so that `__error_details__` carries the same messages.
///
/// Like that library it does not validate what it skips: a nested value is delimited by bracket matching that
/// skips strings, numbers are any token starting with a digit or `-`, and text after the closing brace of the
/// top-level object is ignored.
enum JSONScanError: String, Error {
    case unknownValueType = "Unknown value type"
    case malformedJSON = "Malformed JSON error"
    case malformedString = "Value is string, but can't find closing '\"' symbol"
    case malformedArray = "Value is array, but can't find closing ']' symbol"
    case malformedObject = "Value looks like object, but can't find closing '}' symbol"
    case malformedStringEscape = "Encountered an invalid escape sequence in a string"
}

enum JSONType {
    case string, number, object, array, boolean, null
}

/// A value in the line: `start..<end` is the raw text (for strings, between the quotes, still escaped);
/// `next` is the offset just after it.
struct JSONValue {
    let type: JSONType
    let start: Int
    let end: Int
    let next: Int
}

/// A member name: the bytes between its quotes, still escaped when `escaped`.
struct JSONKey {
    let start: Int
    let end: Int
    let escaped: Bool
}

struct JSONScanner {
    let d: UnsafeRawBufferPointer

    init(_ d: UnsafeRawBufferPointer) { self.d = d }

    /// The first offset at or after `i` that is not JSON white space.
    @inline(__always)
    func nextToken(_ i: Int, _ end: Int) -> Int? {
        var i = i
        while i < end {
            switch d[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return i
            }
        }
        return nil
    }

    /// With `i` just after an opening quote: the offset after the closing quote, and whether the string has a
    /// backslash. A quote preceded by an odd number of backslashes does not close the string.
    @inline(__always)
    func stringEnd(_ i: Int, _ end: Int) -> (after: Int, escaped: Bool)? {
        var escaped = false
        var k = i
        while k < end {
            let c = d[k]
            if c == 0x22 {
                if !escaped { return (k + 1, false) }
                var j = k - 1
                var even = true
                while j >= i && d[j] == 0x5C {
                    even.toggle()
                    j -= 1
                }
                if even { return (k + 1, true) }
            } else if c == 0x5C {
                escaped = true
            }
            k += 1
        }
        return nil
    }

    /// With `i` at `open`: the offset after the matching `close`, skipping strings.
    func blockEnd(_ i: Int, _ end: Int, _ open: UInt8, _ close: UInt8) -> Int? {
        var level = 0
        var k = i
        while k < end {
            let c = d[k]
            if c == 0x22 {
                guard let (after, _) = stringEnd(k + 1, end) else { return nil }
                k = after - 1
            } else if c == open {
                level += 1
            } else if c == close {
                level -= 1
                if level == 0 { return k + 1 }
            }
            k += 1
        }
        return nil
    }

    /// The end of a number, boolean or null token.
    @inline(__always)
    func tokenEnd(_ i: Int, _ end: Int) -> Int {
        var k = i
        while k < end {
            switch d[k] {
            case 0x20, 0x0A, 0x0D, 0x09, 0x2C, 0x7D, 0x5D: return k
            default: k += 1
            }
        }
        return end
    }

    /// The value at the first token at or after `i` (`jsonparser.Get` without keys).
    func value(at i: Int, _ end: Int) throws(JSONScanError) -> JSONValue {
        guard let o = nextToken(i, end) else { throw .malformedJSON }
        switch d[o] {
        case 0x22:
            guard let (after, _) = stringEnd(o + 1, end) else { throw .malformedString }
            return JSONValue(type: .string, start: o + 1, end: after - 1, next: after)
        case 0x5B:
            guard let e = blockEnd(o, end, 0x5B, 0x5D) else { throw .malformedArray }
            return JSONValue(type: .array, start: o, end: e, next: e)
        case 0x7B:
            guard let e = blockEnd(o, end, 0x7B, 0x7D) else { throw .malformedObject }
            return JSONValue(type: .object, start: o, end: e, next: e)
        default:
            let e = tokenEnd(o, end)
            let type: JSONType
            switch d[o] {
            case 0x74, 0x66:  // t, f
                guard equals(o, e, "true") || equals(o, e, "false") else { throw .unknownValueType }
                type = .boolean
            case 0x75, 0x6E:  // u, n
                guard equals(o, e, "null") else { throw .unknownValueType }
                type = .null
            case 0x30...0x39, 0x2D:
                type = .number
            default:
                throw .unknownValueType
            }
            return JSONValue(type: type, start: o, end: e, next: e)
        }
    }

    @inline(__always)
    func equals(_ s: Int, _ e: Int, _ literal: StaticString) -> Bool {
        guard e - s == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for k in 0..<(e - s) where d[s + k] != p[k] { return false }
        return true
    }

    /// Whether `d[s..<e]` contains a backslash (needs unescaping).
    @inline(__always)
    func hasBackslash(_ s: Int, _ e: Int) -> Bool {
        var k = s
        while k < e {
            if d[k] == 0x5C { return true }
            k += 1
        }
        return false
    }

    /// Unescapes the string body `d[s..<e]` into `out` (cleared first); false on an invalid escape.
    /// `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` and surrogate pairs `\uD83D\uDE00`.
    func unescape(_ s: Int, _ e: Int, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var i = s
        while i < e {
            let c = d[i]
            if c != 0x5C {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < e else { return false }
            switch d[i + 1] {
            case 0x22, 0x5C, 0x2F: out.append(d[i + 1])
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let r = GoText.hex4(d, i + 2, e) else { return false }
                if r >= 0xD800 && r <= 0xDFFF {
                    guard r < 0xDC00, i + 12 <= e, d[i + 6] == 0x5C, d[i + 7] == 0x75,
                        let r2 = GoText.hex4(d, i + 8, e), r2 >= 0xDC00 && r2 <= 0xDFFF
                    else { return false }
                    GoText.appendUTF8(0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00), to: &out)
                    i += 12
                } else {
                    GoText.appendUTF8(r, to: &out)
                    i += 6
                }
                continue
            default:
                return false
            }
            i += 2
        }
        return true
    }

    /// A string value as Loki renders it (`unescapeJSONString`): unescaped, "" when an escape is invalid,
    /// invalid UTF-8 and U+FFFD turned into spaces.
    func stringValue(_ s: Int, _ e: Int, scratch: inout [UInt8]) -> String {
        guard hasBackslash(s, e) else { return GoText.labelValue(d, s, e) }
        guard unescape(s, e, into: &scratch) else { return "" }
        return GoText.labelValue(scratch)
    }

    /// Whether `key` (unescaped) equals `name`.
    func keyEquals(_ key: JSONKey, _ name: [UInt8], scratch: inout [UInt8]) -> Bool {
        if key.escaped {
            guard unescape(key.start, key.end, into: &scratch) else { return false }
            return scratch == name
        }
        guard key.end - key.start == name.count else { return false }
        for k in 0..<name.count where d[key.start + k] != name[k] { return false }
        return true
    }
}

/// Walks the members of an object (`jsonparser.ObjectEach`): call `nextKey()`, then `readValue()` (or descend into
/// the value at `valueOffset`), until `nextKey()` returns nil at the closing brace.
struct JSONObjectReader {
    let s: JSONScanner
    let end: Int
    private(set) var valueOffset: Int
    private var lastComma = -1
    private var finished = false
    private var afterValue = false

    /// Starts at the first token at or after `from`, which must be `{`.
    init(_ s: JSONScanner, from: Int, end: Int) throws(JSONScanError) {
        self.s = s
        self.end = end
        guard let open = s.nextToken(from, end), s.d[open] == 0x7B else { throw .malformedObject }
        guard let first = s.nextToken(open + 1, end) else { throw .malformedJSON }
        valueOffset = first
        finished = s.d[first] == 0x7D
    }

    /// The next member's name, with the reader positioned after its colon; nil after the closing brace.
    mutating func nextKey() throws(JSONScanError) -> JSONKey? {
        if finished { return nil }
        var o = valueOffset
        if afterValue {
            guard let t = s.nextToken(o, end) else { throw .malformedArray }
            switch s.d[t] {
            case 0x7D:
                finished = true
                return nil
            case 0x2C:
                lastComma = t
                o = t + 1
            default:
                throw .malformedObject
            }
            guard let n = s.nextToken(o, end) else { throw .malformedArray }
            if n > o { lastComma += n - o - 1 }
            o = n
            afterValue = false
        }
        guard o < end else { throw .malformedObject }
        switch s.d[o] {
        case 0x22:
            o += 1
        case 0x7D:
            // `{"a":1,}` is malformed; `{"a":1, }` is let through, as in jsonparser.
            if lastComma != -1 && lastComma + 1 == o { throw .malformedObject }
            finished = true
            return nil
        default:
            throw .malformedObject
        }
        guard let (after, escaped) = s.stringEnd(o, end) else { throw .malformedJSON }
        let key = JSONKey(start: o, end: after - 1, escaped: escaped)
        if escaped {
            var probe: [UInt8] = []
            guard s.unescape(key.start, key.end, into: &probe) else { throw .malformedStringEscape }
        }
        guard let colon = s.nextToken(after, end), s.d[colon] == 0x3A else { throw .malformedJSON }
        valueOffset = colon + 1
        afterValue = true
        return key
    }

    /// The current member's value.
    mutating func readValue() throws(JSONScanError) -> JSONValue {
        let v = try s.value(at: valueOffset, end)
        valueOffset = v.next
        return v
    }
}

/// Walks the elements of an array (`jsonparser.ArrayEach`): `nextElement()` gives the offset of the next element
/// (nil after `]`), then `readValue()` reads it.
struct JSONArrayReader {
    let s: JSONScanner
    let end: Int
    private(set) var valueOffset: Int
    private var finished = false
    private var afterValue = false

    /// Starts at the first token at or after `from`, which must be `[`.
    init(_ s: JSONScanner, from: Int, end: Int) throws(JSONScanError) {
        self.s = s
        self.end = end
        guard let open = s.nextToken(from, end), s.d[open] == 0x5B else { throw .malformedArray }
        guard let first = s.nextToken(open + 1, end) else { throw .malformedJSON }
        valueOffset = first
        finished = s.d[first] == 0x5D
    }

    mutating func nextElement() throws(JSONScanError) -> Int? {
        if finished { return nil }
        if afterValue {
            guard let t = s.nextToken(valueOffset, end) else { throw .malformedArray }
            switch s.d[t] {
            case 0x5D:
                finished = true
                return nil
            case 0x2C:
                valueOffset = t + 1
            default:
                throw .malformedArray
            }
            afterValue = false
        }
        return valueOffset
    }

    mutating func readValue() throws(JSONScanError) -> JSONValue {
        let v = try s.value(at: valueOffset, end)
        valueOffset = v.next
        afterValue = true
        return v
    }
}
