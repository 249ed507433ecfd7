import ArgumentParser
import Foundation
import Incidents
import LogStore

/// `mclog incident open|note`: incidents by hand.
struct IncidentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Open an incident by hand or add a note to its timeline.",
        subcommands: [Open.self, Note.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open an incident: mclog incident open --title 'kzone chat down' --zone kzone --from 2025-11-21T14:02:00Z --severity P2")

        @OptionGroup var data: DataOptions
        @OptionGroup var metastore: MetastoreOptions

        @Option(help: "Tenant id.")
        var tenant: String = Tenant.defaultID

        @Option(help: "What happened, in a few words.")
        var title: String

        @Option(help: "Affected zone (repeatable).")
        var zone: [String] = []

        @Option(help: "Affected service (repeatable).")
        var service: [String] = []

        @Option(help: "Start (RFC3339, Unix s/ns, or a duration ago).")
        var from: String

        @Option(help: "End, if it is over.")
        var to: String?

        @Option(help: "P1, P2, P3 or P4.")
        var severity: String

        func run() throws {
            guard let sev = Severity(rawValue: severity.uppercased()) else { throw UsageError("--severity must be P1, P2, P3 or P4") }
            let now = TimeArgument.nowNanos()
            let start = try TimeArgument.instant(from, now: now)
            let end = try to.map { try TimeArgument.instant($0, now: now) }
            if let end, end <= start { throw UsageError("--to must be after --from") }
            guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw UsageError("--title must not be empty") }
            let store = try metastore.open(data: data).stores.store(tenant: tenant)
            let created = try store.create(IncidentDraft(
                title: title, start: start, end: end, zones: zone, services: service, severity: sev,
                severityRule: "\(sev.rawValue) set by hand", openedBy: "manual"))
            print(created.id)
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to an incident's timeline (kept in regenerated post-mortems).")

        @OptionGroup var data: DataOptions
        @OptionGroup var metastore: MetastoreOptions

        @Option(help: "Tenant id.")
        var tenant: String = Tenant.defaultID

        @Argument(help: "The incident ID.")
        var id: String

        @Argument(help: "The note.")
        var text: String

        @Option(help: "Who wrote it (default $USER).")
        var author: String?

        @Option(help: "When it happened (default now).")
        var at: String?

        func run() throws {
            let iid = try incidentID(id)
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw UsageError("the note is empty") }
            let now = TimeArgument.nowNanos()
            let time = try at.map { try TimeArgument.instant($0, now: now) } ?? now
            let stores = try metastore.open(data: data).stores
            let store = try stores.store(tenant: tenant)
            do {
                let who = author ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
                let i = try store.addNote(iid, IncidentNote(time: time, author: who, text: text))
                print("\(i.id): \(i.notes.count) note(s)")
            } catch IncidentStoreError.notFound(let missing) {
                throw UsageError("no incident \(missing) in \(stores.location(tenant: tenant))")
            }
        }
    }
}

/// `mclog incidents list|detect`.
struct IncidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List stored incidents, or detect incidents in past data with the rules in queries/.",
        subcommands: [List.self, Detect.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored incidents, oldest first: mclog incidents list --status open --zone kzone --severity P1,P2 --from 24h")

        @OptionGroup var data: DataOptions
        @OptionGroup var metastore: MetastoreOptions

        @Option(help: "Tenant id.")
        var tenant: String = Tenant.defaultID

        @Option(help: "table or json.")
        var output: String = "table"

        @Option(help: "Only open or only resolved incidents.")
        var status: String?

        @Option(help: "Only incidents in this zone (repeatable or comma-separated: any of them).")
        var zone: [String] = []

        @Option(help: "Only incidents of this severity, P1–P4 (repeatable or comma-separated: any of them).")
        var severity: [String] = []

        @Option(help: "Only incidents whose window reaches this time or later (RFC3339, Unix s/ns, or a duration ago).")
        var from: String?

        @Option(help: "Only incidents that started at this time or earlier.")
        var to: String?

        @Option(help: "At most this many: the newest ones (still listed oldest first).")
        var limit: String?

        /// The options as a filter; a bad value names its option.
        func filter() throws -> IncidentFilter {
            func option<T>(_ name: String, _ body: () throws -> T) throws -> T {
                do { return try body() } catch let e as IncidentFilterError { throw UsageError("--\(name): \(e)") }
            }
            let now = TimeArgument.nowNanos()
            var f = IncidentFilter()
            if let status { f.status = try option("status") { try IncidentFilter.status(status) } }
            f.zones = IncidentFilter.zones(zone)
            f.severities = try option("severity") { try IncidentFilter.severities(severity) }
            func time(_ name: String, _ text: String?) throws -> Int64? {
                do { return try text.map { try TimeArgument.instant($0, now: now) } } catch let e as UsageError {
                    throw UsageError("--\(name): \(e.message)")
                }
            }
            f.from = try time("from", from)
            f.to = try time("to", to)
            if let a = f.from, let b = f.to, a > b { throw UsageError("--from must not be after --to") }
            if let limit { f.limit = try option("limit") { try IncidentFilter.limit(limit) } }
            return f
        }

        func run() throws {
            guard output == "table" || output == "json" else { throw UsageError("--output must be table or json") }
            let filter = try filter()
            let incidents = try metastore.open(data: data).stores.store(tenant: tenant).list(filter)
            if output == "json" {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try e.encode(incidents), as: UTF8.self))
                return
            }
            for i in incidents {
                let end = i.end.map { TimeArgument.format($0) } ?? "open"
                print("\(i.id)\t\(i.severity.rawValue)\t\(TimeArgument.format(i.start))\t\(end)\t\(i.zones.joined(separator: ","))\t\(i.title)\t(\(i.notes.count) notes)")
            }
        }
    }

    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the detection rules over past data and open (or update) the incidents they find.")

        @OptionGroup var data: DataOptions
        @OptionGroup var metastore: MetastoreOptions
        @OptionGroup var options: IncidentOptions

        @Option(help: "Start (RFC3339, Unix s/ns, or a duration ago).")
        var from: String

        @Option(help: "End (default now).")
        var to: String?

        @Flag(help: "Print what would be opened without storing anything.")
        var dryRun = false

        func run() throws {
            let now = TimeArgument.nowNanos()
            let start = try TimeArgument.instant(from, now: now)
            let end = try to.map { try TimeArgument.instant($0, now: now) } ?? now
            guard start < end else { throw UsageError("--from must be before --to") }
            let (dataDirectory, stores) = try metastore.open(data: data)
            let store = try LogStore(directory: dataDirectory, readOnly: true)
            defer { store.close() }
            let traces = try openTraceEvidence(dataDirectory: dataDirectory)
            defer { traces?.close() }
            let correlator = try options.correlator(store: store, traces: traces)
            let found = try correlator.detectAndStore(into: try stores.store(tenant: options.tenant), from: start, to: end,
                                                      dryRun: dryRun)
            if found.isEmpty { print("no rule fired between \(TimeArgument.format(start)) and \(TimeArgument.format(end))") }
            for o in found {
                let (incident, pm, created) = (o.incident, o.postMortem, o.created)
                let what = dryRun ? "would open" : (created ? "opened" : "updated")
                let id = incident?.id.description ?? "-"
                print("\(what)\t\(id)\t\(pm.severity.rawValue)\t\(TimeArgument.format(pm.start))\t\(TimeArgument.format(pm.end))\t"
                      + "\(pm.zones.joined(separator: ","))\t\(pm.impact.failedRequests) failed\t\(pm.rootCause?.candidate.text ?? "no root cause")")
                for h in pm.ruleHits {
                    print("  rule \(h.rule)\t\(TimeArgument.format(h.firstSeen))\t\(TimeArgument.format(h.lastSeen))\tpeak \(h.peak)")
                }
            }
        }
    }
}
