/// Where incidents, their events and notes persist. The embedded implementation keeps one file per incident under
/// the data directory; the PostgreSQL implementation (shared mode, `IncidentStore+Postgres.swift`) implements the
/// same calls with one transaction each, so callers never see a half-applied change. `IncidentStores` opens the
/// configured one.
public protocol IncidentStore: Sendable {
    /// Stores a new incident under the next free ID of its start's UTC day.
    func create(_ draft: IncidentDraft) throws -> Incident
    /// The incident, or nil when no incident has that ID.
    func get(_ id: IncidentID) throws -> Incident?
    /// Every incident, oldest ID first.
    func list() throws -> [Incident]
    /// The incidents that pass `filter`, oldest ID first.
    func list(_ filter: IncidentFilter) throws -> [Incident]
    /// Applies `change` to the stored incident atomically (read, change, publish) and returns the result.
    /// Throws `IncidentStoreError.notFound` for an unknown ID.
    @discardableResult
    func update(_ id: IncidentID, _ change: (inout Incident) throws -> Void) throws -> Incident
}

extension IncidentStore {
    /// Filters the whole list in memory (the embedded store has no index to ask).
    public func list(_ filter: IncidentFilter) throws -> [Incident] {
        filter.apply(try list())
    }

    /// Appends a human note; it stays on the timeline of every regenerated post-mortem.
    @discardableResult
    public func addNote(_ id: IncidentID, _ note: IncidentNote) throws -> Incident {
        try update(id) { $0.notes.append(note) }
    }
}

/// Failures of an incident store, each naming the incident or record (file, or PostgreSQL row) concerned.
public enum IncidentStoreError: Error, CustomStringConvertible, Equatable {
    case notFound(IncidentID)
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let id): "no incident \(id)"
        case .corrupt(let path, let reason): "incident record \(path) is unreadable: \(reason)"
        }
    }
}
