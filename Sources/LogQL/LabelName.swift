/// Label names made from keys found in log lines, with Loki's rules (`sanitizeLabelKey` and `appendSanitized` in
/// `pkg/logql/log/util.go`):
///
/// - leading and trailing white space is trimmed (Go's `TrimSpace`, Unicode spaces included);
/// - a name starting with a digit gets a leading `_` (`1xx` → `_1xx`);
/// - every rune other than `[a-zA-Z0-9_]` becomes one `_` (`a.b-c` → `a_b_c`, `ÜFT` → `_FT`), and so does every
///   byte that is not valid UTF-8.
///
/// A key of only white space sanitises to the empty string; the parser stages skip such keys.
public enum LabelName {
    /// Loki's sanitised form of a key found in a log line.
    public static func sanitize(_ key: String) -> String {
        var key = key
        return key.withUTF8 { buf in
            var out: [UInt8] = []
            appendSanitized(UnsafeRawBufferPointer(buf), 0, buf.count, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The label name `| json` gives the value at a nested key path (`["user", "id"]` → `user_id`): each key
    /// sanitised, joined with `_`, the leading-digit rule applied to the whole name only.
    public static func flattened(_ path: [String]) -> String {
        var out: [UInt8] = []
        for key in path {
            if !out.isEmpty { out.append(0x5F) }
            var key = key
            key.withUTF8 { appendSanitized(UnsafeRawBufferPointer($0), 0, $0.count, to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, isNameStart(first) else { return false }
        return name.utf8.allSatisfy(isNameByte)
    }

    @inline(__always)
    static func isNameStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }

    @inline(__always)
    static func isNameByte(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) }

    /// Appends the sanitised `d[s..<e]` to `out`. The digit rule applies only when `out` is empty, as in Loki,
    /// where a nested JSON key is appended after `parent_` and keeps its leading digit (`{"a":{"1":2}}` → `a_1`).
    static func appendSanitized(_ d: UnsafeRawBufferPointer, _ s: Int, _ e: Int, to out: inout [UInt8]) {
        let (s, e) = GoText.trimSpace(d, s, e)
        guard s < e else { return }
        if out.isEmpty && d[s] >= 0x30 && d[s] <= 0x39 { out.append(0x5F) }
        var i = s
        while i < e {
            let c = d[i]
            if c < 0x80 {
                out.append(isNameByte(c) ? c : 0x5F)
                i += 1
            } else {
                out.append(0x5F)
                i += max(1, GoText.runeLength(d, i, e))
            }
        }
    }
}
