import Foundation

/// Parses the time arguments users type: RFC3339, Unix seconds (with fraction) or ns, and durations (`1h30m`).
enum TimeArgument {
    /// A point in time in Unix ns. A duration means that long before `now`.
    static func instant(_ s: String, now: Int64) throws -> Int64 {
        if let d = try? duration(s) { return now - d }
        if let v = Int64(s) {
            // Loki's rule: integers with more than 10 digits are nanoseconds, otherwise seconds.
            return s.count > 10 ? v : v * 1_000_000_000
        }
        if let v = Double(s) { return Int64(v * 1e9) }
        if let t = rfc3339(s) { return t }
        throw UsageError("invalid time \"\(s)\": use RFC3339 (2025-11-21T10:15:03Z), Unix seconds or ns, or a duration (1h)")
    }

    static func rfc3339(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1e9).rounded()) }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) {
            // Keep full ns precision of the fraction, which Date would round.
            return Int64(d.timeIntervalSince1970) * 1_000_000_000
        }
        return nil
    }

    /// Go/Prometheus durations: `300ms`, `1.5h`, `1h30m`, `7d`, `2w`.
    static func duration(_ s: String) throws -> Int64 {
        guard let ns = Units.durationNanos(s) else { throw UsageError("invalid duration \"\(s)\" (use e.g. 30s, 5m, 1h30m)") }
        return ns
    }

    static func nowNanos() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    /// RFC3339 with nanoseconds, UTC, as logcli prints it.
    static func format(_ ns: Int64) -> String {
        let secs = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        let frac = ns - secs * 1_000_000_000
        var tm = tm()
        var t = time_t(secs)
        gmtime_r(&t, &tm)
        let base = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec)
        if frac == 0 { return base + "Z" }
        var f = String(format: "%09lld", frac)
        while f.hasSuffix("0") { f.removeLast() }
        return base + "." + f + "Z"
    }
}

import LogQL
import LogStore
