/// Request parameters from the URL query and, for `POST` with `application/x-www-form-urlencoded`, the body;
/// Loki accepts both for its query endpoints. Repeated keys (`match[]`) keep every value.
struct FormParameters: Sendable {
    private(set) var pairs: [(String, String)] = []

    init(query: String?, form: String? = nil) {
        for text in [query, form] {
            guard let text, !text.isEmpty else { continue }
            for part in text.split(separator: "&", omittingEmptySubsequences: true) {
                let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                pairs.append((Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : ""))
            }
        }
    }

    /// The last value of `key` (as Go's `Form.Get` returns the first; Loki's clients send each key once), or nil
    /// when absent or empty.
    subscript(_ key: String) -> String? {
        guard let v = pairs.first(where: { $0.0 == key })?.1, !v.isEmpty else { return nil }
        return v
    }

    func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    /// Percent-decoding with `+` as space.
    static func decode(_ s: Substring) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") {
                out.append(0x20)
            } else if c == UInt8(ascii: "%"), it.count >= 2, let h = hex(it[it.startIndex]),
                let l = hex(it[it.startIndex + 1])
            {
                out.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
