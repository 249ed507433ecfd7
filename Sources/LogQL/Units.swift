/// Durations and byte sizes as LogQL writes them.
public enum Units {
    /// Go/Prometheus durations to ns: `300ms`, `1.5h`, `1h30m`, `7d`, `2w`, `1y`.
    static func duration(_ s: String, at position: Int? = nil) throws -> Int64 {
        guard let ns = durationNanos(s) else {
            throw LogQLError("invalid duration \(s) (use e.g. 30s, 5m, 1h30m)", at: position)
        }
        return ns
    }

    /// Nanoseconds of a Go-style duration (`300ms`, `1h30m`, `7d`), or nil.
    public static func durationNanos(_ s: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9),
                                         ("h", 3600e9), ("d", 86400e9), ("w", 604800e9), ("y", 31536000e9)]
        var rest = Substring(s)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let num = rest.prefix { $0.isNumber || $0 == "." }
            guard !num.isEmpty, let v = Double(num) else { return nil }
            rest = rest.dropFirst(num.count)
            guard let (u, mult) = units.first(where: { rest.hasPrefix($0.0) && !($0.0 == "m" && rest.hasPrefix("ms")) })
            else { return nil }
            rest = rest.dropFirst(u.count)
            total += v * mult
        }
        return Int64(total)
    }

    /// Humanized byte sizes: `20KB`, `1.5MiB`, `512B` (SI units are powers of 1000, IEC of 1024, as in Loki).
    public static func bytes(_ s: String) -> Double? {
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1048576), ("GiB", 1073741824), ("TiB", 1099511627776), ("PiB", 1125899906842624),
            ("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15),
            ("Ki", 1024), ("Mi", 1048576), ("Gi", 1073741824), ("K", 1e3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("B", 1),
        ]
        let num = s.prefix { $0.isNumber || $0 == "." }
        guard !num.isEmpty, let v = Double(num) else { return nil }
        let unit = s.dropFirst(num.count)
        if unit.isEmpty { return v }
        guard let mult = units.first(where: { $0.0 == unit })?.1 else { return nil }
        return v * mult
    }

    /// A label-filter value: a plain number, a duration (compared in seconds) or a byte size.
    static func parseFilterValue(_ text: String, at position: Int) throws -> (Double, LabelFilterExpr.Unit) {
        if let v = Double(text) { return (v, .none) }
        if let ns = durationNanos(text) { return (Double(ns) / 1e9, .duration) }
        if let b = bytes(text) { return (b, .bytes) }
        throw LogQLError("invalid value \(text): expected a number, a duration (250ms) or a size (20KB)", at: position)
    }
}
