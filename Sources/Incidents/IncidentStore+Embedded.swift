import Foundation
import LogStore
import Storage

/// The single-node incident store: one JSON file per incident in `<data>/incidents/<tenant>/`, written with Storage's
/// atomic publish (temp file, fsync, rename, fsync of the folder), so a crash leaves each incident either as it
/// was or as it became, never half-written. Changes take an exclusive `flock` on `incidents/LOCK`, so `mclog
/// serve` and CLI commands on the same data directory do not lose each other's notes. Each tenant has its own
/// folder, so nothing crosses tenants. Format: `IncidentStore+Format.md`.
public final class EmbeddedIncidentStore: IncidentStore, @unchecked Sendable {
    public let directory: String

    /// Opens (creating if needed) `tenant`'s store under `dataDirectory/incidents/<tenant>`.
    public init(dataDirectory: String, tenant: String = Tenant.defaultID) throws {
        try Tenant.validate(tenant)
        directory = dataDirectory + "/incidents/" + tenant
        try FS.makeDirectories(directory)
    }

    func path(_ id: IncidentID) -> String { directory + "/" + id.description + ".json" }

    public func create(_ draft: IncidentDraft) throws -> Incident {
        try locked {
            let day = IncidentID(time: draft.start, sequence: 1)
            let taken = try ids().filter { $0.year == day.year && $0.month == day.month && $0.day == day.day }
            let id = IncidentID(time: draft.start, sequence: (taken.map(\.sequence).max() ?? 0) + 1)
            let incident = Incident(id: id, draft: draft)
            try write(incident)
            return incident
        }
    }

    public func get(_ id: IncidentID) throws -> Incident? {
        let p = path(id)
        guard FS.exists(p) else { return nil }
        return try read(p)
    }

    public func list() throws -> [Incident] {
        try ids().map { try read(path($0)) }
    }

    @discardableResult
    public func update(_ id: IncidentID, _ change: (inout Incident) throws -> Void) throws -> Incident {
        try locked {
            guard var incident = try get(id) else { throw IncidentStoreError.notFound(id) }
            try change(&incident)
            incident.id = id  // the ID names the file; a change cannot move it
            try write(incident)
            return incident
        }
    }

    /// IDs of the stored incidents (file names `INC-….json`; temp files of interrupted writes are ignored).
    func ids() throws -> [IncidentID] {
        try FS.list(directory).compactMap { name in
            guard name.hasSuffix(".json") else { return nil }
            return IncidentID(String(name.dropLast(5)))
        }.sorted()
    }

    func read(_ p: String) throws -> Incident {
        let bytes = try FS.readFile(p)
        do {
            return try JSONDecoder().decode(Incident.self, from: Data(bytes))
        } catch {
            throw IncidentStoreError.corrupt(path: p, reason: "\(error)")
        }
    }

    func write(_ incident: Incident) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var bytes = [UInt8](try encoder.encode(incident))
        bytes.append(10)
        try FS.publishAtomically(bytes, to: path(incident.id))
    }

    /// Runs `body` holding the store's exclusive lock (released when the descriptor closes, also on a crash).
    func locked<T>(_ body: () throws -> T) throws -> T {
        let lockPath = directory + "/LOCK"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError("open", lockPath) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw IOError("flock", lockPath) }
        return try body()
    }
}
