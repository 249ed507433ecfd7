import Storage
/// An incident's ID in the runbook's form `INC-YYYY-MM-DD-NNN`: the UTC date the incident started and a
/// sequence number within that day, from 001.
public struct IncidentID: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    public let sequence: Int

    public init(year: Int, month: Int, day: Int, sequence: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.sequence = sequence
    }

    /// The ID of the `sequence`-th incident of the UTC day holding `time` (Unix ns).
    public init(time: Int64, sequence: Int) {
        let (y, m, d) = CivilDate.ymd(ofUnixNanos: time)
        self.init(year: y, month: m, day: d, sequence: sequence)
    }

    /// Parses `INC-2025-11-21-001`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "INC", parts[1].count == 4, parts[2].count == 2, parts[3].count == 2,
              parts[4].count >= 3, let y = Int(parts[1]), let m = Int(parts[2]), let d = Int(parts[3]),
              let n = Int(parts[4]), (1...12).contains(m), (1...31).contains(d), n >= 1,
              parts[1...4].allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        self.init(year: y, month: m, day: d, sequence: n)
    }

    /// The day part, `2025-11-21`.
    public var date: String { pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) }

    public var description: String { "INC-" + date + "-" + pad(sequence, 3) }

    public static func < (a: IncidentID, b: IncidentID) -> Bool {
        (a.year, a.month, a.day, a.sequence) < (b.year, b.month, b.day, b.sequence)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = IncidentID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an incident id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Civil (proleptic Gregorian, UTC) dates from Unix time, without Foundation's calendars.
enum CivilDate {
    static let nanosPerDay: Int64 = 86_400_000_000_000

    static func ymd(ofUnixNanos t: Int64) -> (Int, Int, Int) {
        let d = CivilTime.civilFromDays(Int(CivilTime.floorDiv(t, nanosPerDay)))
        return (d.year, d.month, d.day)
    }

    static func unixNanos(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int64 {
        Int64(CivilTime.daysFromCivil(year: year, month: month, day: day)) * nanosPerDay
            + Int64(hour * 3600 + minute * 60 + second) * 1_000_000_000
    }

    /// `2025-11-21T14:02:13Z` (seconds resolution); `roundUp` rounds a fraction up to the next second, so that
    /// an exclusive end printed this way still includes the instant `t - 1ns`.
    static func rfc3339(_ t0: Int64, roundUp: Bool = false) -> String {
        let t = roundUp && t0 % 1_000_000_000 != 0 ? (t0 / 1_000_000_000 + 1) * 1_000_000_000 : t0
        let (y, m, d) = ymd(ofUnixNanos: t)
        let s = Int((t - Int64(CivilTime.daysFromCivil(year: y, month: m, day: d)) * nanosPerDay) / 1_000_000_000)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2))Z"
    }

    /// `14:02` (the timeline's minute resolution), UTC.
    static func hourMinute(_ t: Int64) -> String {
        let s = Int(((t % nanosPerDay) + nanosPerDay) % nanosPerDay / 1_000_000_000)
        return "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2))"
    }

    /// `14:02:13`, UTC.
    static func clock(_ t: Int64) -> String {
        let s = Int(((t % nanosPerDay) + nanosPerDay) % nanosPerDay / 1_000_000_000)
        return "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2))"
    }

    /// `17 min`, `1 h 05 min`, `45 s`.
    static func duration(_ ns: Int64) -> String {
        let s = max(0, ns / 1_000_000_000)
        if s < 60 { return "\(s) s" }
        let m = (s + 30) / 60
        if m < 60 { return "\(m) min" }
        return "\(m / 60) h \(pad(Int(m % 60), 2)) min"
    }
}
