/// Durations, sizes and zone offsets as `mclog.yaml` writes them.
enum ConfigValues {
    /// `250ms`, `5s`, `1m30s`, `2h`, `30d`, `1w`, or a bare number of seconds; nanoseconds, nil if malformed.
    static func durationNanos(_ s: String) -> Int64? {
        if let secs = Double(s), secs >= 0 { return Int64(secs * 1e9) }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9),
                                         ("h", 3600e9), ("d", 86400e9), ("w", 604800e9)]
        var total = 0.0
        var rest = Substring(s)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit first so `ms` is not read as `m`.
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) })
            else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return total < 9e18 ? Int64(total) : nil
    }

    /// `262144`, `256KiB`, `4MiB`, `1GB`, `512kb`; bytes, nil if malformed. KB/MB/GB are decimal, KiB/MiB/GiB binary.
    static func bytes(_ s: String) -> Int? {
        if let n = Int(s), n >= 0 { return n }
        let units: [(String, Double)] = [("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("kb", 1e3),
                                         ("mb", 1e6), ("gb", 1e9), ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824),
                                         ("b", 1)]
        let lower = s.lowercased().trimmingSpaces()
        for (u, m) in units where lower.hasSuffix(u) {
            let number = String(lower.dropLast(u.count)).trimmingSpaces()
            guard let v = Double(number), v >= 0 else { return nil }
            return Int(v * m)
        }
        return nil
    }

    /// `UTC`, `Z`, `+05:30`, `-0800`, `+02`: seconds east of UTC, nil if malformed.
    static func zoneOffset(_ s: String) -> Int? {
        if s == "UTC" || s == "Z" || s == "GMT" || s == "utc" { return 0 }
        let u = Array(s.utf8)
        guard u.count >= 3, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-") else { return nil }
        let digits = u.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        let d = digits.map { Int($0 - 48) }
        let hours = d[0] * 10 + d[1], minutes = d.count == 4 ? d[2] * 10 + d[3] : 0
        guard hours <= 23, minutes <= 59 else { return nil }
        return (hours * 3600 + minutes * 60) * (u[0] == UInt8(ascii: "-") ? -1 : 1)
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
