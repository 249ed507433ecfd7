import LogStore

/// Parses the Prometheus-style label string that Loki's protobuf push carries per stream: `{job="x", zone="y"}`.
/// Values are Go double-quoted strings (backslash escapes), as Loki's client libraries write them.
public enum LabelString {
    static func isNameByte(_ c: UInt8, first: Bool) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || (!first && c >= 0x30 && c <= 0x39)
    }

    public static func parse(_ text: String) throws -> [Label] {
        let b = Array(text.utf8)
        var i = 0
        func fail(_ what: String) -> PushDecodeError {
            PushDecodeError("invalid labels \(text): \(what) at position \(i)")
        }
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a { i += 1 } }
        skipSpace()
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw fail("expected {") }
        i += 1
        var labels: [Label] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            skipSpace()
            guard i == b.count else { throw fail("unexpected text after }") }
            return labels
        }
        while true {
            skipSpace()
            let start = i
            while i < b.count, isNameByte(b[i], first: i == start) { i += 1 }
            guard i > start else { throw fail("expected a label name") }
            let name = String(decoding: b[start..<i], as: UTF8.self)
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("expected =") }
            i += 1
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted value") }
            i += 1
            var value: [UInt8] = []
            while true {
                guard i < b.count else { throw fail("unterminated value") }
                let c = b[i]
                i += 1
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") {
                    guard i < b.count else { throw fail("unterminated escape") }
                    let e = b[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): value.append(0x0a)
                    case UInt8(ascii: "t"): value.append(0x09)
                    case UInt8(ascii: "r"): value.append(0x0d)
                    case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): value.append(e)
                    default: throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
                    }
                } else {
                    value.append(c)
                }
            }
            labels.append(Label(name, String(decoding: value, as: UTF8.self)))
            skipSpace()
            guard i < b.count else { throw fail("expected , or }") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}") else { throw fail("expected , or }") }
            i += 1
            skipSpace()
            guard i == b.count else { throw fail("unexpected text after }") }
            return labels
        }
    }
}
