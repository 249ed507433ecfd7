import ArgumentParser
import Foundation
import Incidents
import LogStore

/// `mclog postmortem`: the post-mortem draft of a stored incident, or of any time range and zone (ad hoc).
struct PostmortemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postmortem",
        abstract: "Write an incident's post-mortem (Markdown, self-contained HTML or JSON).",
        discussion: """
            mclog postmortem INC-2025-11-21-001 --format html --out pm.html
            mclog postmortem --from 2025-11-21T14:00:00Z --to 2025-11-21T14:30:00Z --zone kzone
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var metastore: MetastoreOptions
    @OptionGroup var options: IncidentOptions

    @Argument(help: "The incident ID (INC-YYYY-MM-DD-NNN); omit it for an ad hoc report with --from/--to.")
    var id: String?

    @Option(help: "Start of an ad hoc window (RFC3339, Unix s/ns, or a duration ago).")
    var from: String?

    @Option(help: "End of an ad hoc window (default now).")
    var to: String?

    @Option(help: "Zone of an ad hoc report (repeatable; none: all zones).")
    var zone: [String] = []

    @Option(help: "md, html or json.")
    var format: String = "md"

    @Option(help: "Write to this file instead of stdout.")
    var out: String?

    func run() throws {
        try PostMortemOutput.check(format)
        let subject: Correlator.Subject
        var dataDirectory = try metastore.resolve(data: data).dataDirectory
        if let id {
            guard from == nil, to == nil, zone.isEmpty else {
                throw UsageError("give either an incident ID or --from/--to/--zone, not both")
            }
            let iid = try incidentID(id)
            let (directory, stores) = try metastore.open(data: data)
            dataDirectory = directory
            guard let incident = try stores.store(tenant: options.tenant).get(iid) else {
                throw UsageError("no incident \(iid) in \(stores.location(tenant: options.tenant))")
            }
            subject = incident.subject(now: TimeArgument.nowNanos())
        } else {
            guard let from else { throw UsageError("give an incident ID, or --from (and --to) for an ad hoc report") }
            let now = TimeArgument.nowNanos()
            let start = try TimeArgument.instant(from, now: now)
            let end = try to.map { try TimeArgument.instant($0, now: now) } ?? now
            guard start < end else { throw UsageError("--from must be before --to") }
            subject = Correlator.Subject(from: start, to: end, zones: zone)
        }
        let store = try LogStore(directory: dataDirectory, readOnly: true)
        defer { store.close() }
        let traces = try openTraceEvidence(dataDirectory: dataDirectory)
        defer { traces?.close() }
        let pm = try options.correlator(store: store, traces: traces).postMortem(subject)
        try PostMortemOutput.write(pm, format: format, out: out)
    }
}
