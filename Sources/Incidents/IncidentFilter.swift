import Foundation

/// Which stored incidents a listing returns (`GET /api/v1/incidents?…`, `mclog incidents list --…`). Every
/// condition that is set must hold; an empty filter lists everything. The embedded store applies `matches` to
/// each incident, the PostgreSQL store the same conditions in SQL (`IncidentStore+Postgres.swift`).
public struct IncidentFilter: Sendable, Equatable {
    /// Whether an incident is still open (no end) or resolved (has an end).
    public enum Status: String, Sendable, CaseIterable {
        case open, resolved
    }

    public var status: Status?
    /// Incidents whose zones include any of these (an incident without zones matches none).
    public var zones: [String]
    /// Incidents of any of these severities.
    public var severities: [Severity]
    /// Incidents whose window overlaps `[from, to]` (Unix ns); an open incident's window has no end yet.
    public var from: Int64?
    public var to: Int64?
    /// At most this many: the newest (highest IDs), still listed oldest first.
    public var limit: Int?

    public init(status: Status? = nil, zones: [String] = [], severities: [Severity] = [], from: Int64? = nil,
                to: Int64? = nil, limit: Int? = nil) {
        self.status = status
        self.zones = zones
        self.severities = severities
        self.from = from
        self.to = to
        self.limit = limit
    }

    /// Whether `incident` passes every condition but `limit`.
    public func matches(_ incident: Incident) -> Bool {
        if let status, (incident.end == nil) != (status == .open) { return false }
        if !zones.isEmpty, !incident.zones.contains(where: zones.contains) { return false }
        if !severities.isEmpty, !severities.contains(incident.severity) { return false }
        if let to, incident.start > to { return false }
        if let from, let end = incident.end, end < from { return false }
        return true
    }

    /// `incidents` (oldest first) filtered, then cut to the newest `limit`.
    public func apply(_ incidents: [Incident]) -> [Incident] {
        let kept = incidents.filter(matches)
        guard let limit, kept.count > limit else { return kept }
        return Array(kept.suffix(max(0, limit)))
    }
}

/// A filter value that cannot be used: the text given and what was wanted. The HTTP API and the CLI each say
/// which parameter or option it came from.
public struct IncidentFilterError: Error, CustomStringConvertible, Sendable, Equatable {
    public let value: String
    public let expected: String

    public var description: String { "\"\(value)\": want \(expected)" }
}

extension IncidentFilter {
    /// `open` or `resolved` (any case).
    public static func status(_ text: String) throws -> Status {
        guard let s = Status(rawValue: text.lowercased()) else {
            throw IncidentFilterError(value: text, expected: "open or resolved")
        }
        return s
    }

    /// Severities from repeated values, each possibly a comma-separated list: `P1,P2` (any case).
    public static func severities(_ values: [String]) throws -> [Severity] {
        try items(values).map { text in
            guard let s = Severity(rawValue: text.uppercased()) else {
                throw IncidentFilterError(value: text, expected: "P1, P2, P3 or P4")
            }
            return s
        }
    }

    /// Zone names from repeated values, each possibly a comma-separated list.
    public static func zones(_ values: [String]) -> [String] { items(values) }

    /// A positive count.
    public static func limit(_ text: String) throws -> Int {
        guard let n = Int(text), n >= 1 else { throw IncidentFilterError(value: text, expected: "a positive integer") }
        return n
    }

    /// The items of comma-separated values; empty ones are ignored, as an empty parameter is absent.
    static func items(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
