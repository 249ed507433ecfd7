import Foundation
import LogQL

/// Loki's parsing of time and duration parameters (`pkg/loghttp/params.go`).
enum LokiTime {
    /// A timestamp: nanoseconds, or seconds when it has ≤ 10 digits; seconds with a fraction (`1700000000.5`);
    /// or RFC 3339 (`2025-11-21T10:15:03.123Z`).
    static func parse(_ value: String, name: String) throws -> Int64 {
        if value.contains("."), !value.contains("T"), let d = Double(value) {
            let s = d.rounded(.towardZero)
            let frac = ((d - s) * 1000).rounded() / 1000
            return Int64(s) * 1_000_000_000 + Int64(frac * 1e9)
        }
        if let n = Int64(value) {
            return value.count <= 10 ? n * 1_000_000_000 : n
        }
        if let t = rfc3339(value) { return t }
        throw APIError.badRequest("invalid \(name) parameter \"\(value)\": want unix nanoseconds, seconds, or RFC3339")
    }

    /// A step or interval: seconds (`15`, `0.5`) or a Prometheus duration (`15s`, `1m30s`).
    static func duration(_ value: String, name: String) throws -> Int64 {
        if let d = Double(value) {
            guard d.isFinite else { throw APIError.badRequest("invalid \(name) parameter \"\(value)\"") }
            return Int64(d * 1e9)
        }
        if let ns = Units.durationNanos(value) { return ns }
        throw APIError.badRequest("invalid \(name) parameter \"\(value)\": want seconds or a duration like 15s")
    }

    /// RFC 3339 with optional fraction and `Z` or `±hh:mm` offset.
    static func rfc3339(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<from + n {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == 0x2d, let mo = num(5, 2), b[7] == 0x2d, let d = num(8, 2),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == 0x20, let h = num(11, 2),
            b[13] == 0x3a, let mi = num(14, 2), b[16] == 0x3a, let sec = num(17, 2),
            (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == 0x2e {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == 0x2b || b[i] == 0x2d, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3a,
            let om = num(i + 4, 2)
        {
            offset = (oh * 3600 + om * 60) * (b[i] == 0x2d ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset)
        return seconds * 1_000_000_000 + nanos
    }

    /// Wall-clock now in ns, exact (a `Double` of seconds would round the last digits).
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
