import ArgumentParser
import Foundation
import Incidents
import LogQL
import LogStore

/// Options of the incident commands: the rule folder and the tenant.
struct IncidentOptions: ParsableArguments {
    @Option(help: "Folder of detection rules (default: $MCLOG_RULES, else ./queries, else the queries/ folder of the mclog checkout that holds the binary).")
    var rules: String?

    @Option(help: "Tenant id.")
    var tenant: String = Tenant.defaultID

    @Option(help: "Searched before and after the incident window (a duration).")
    var margin: String = "15m"

    /// The rule folder; an explicit one must exist.
    func rulesDirectory() throws -> String {
        if let rules { return rules }
        if let env = ProcessInfo.processInfo.environment["MCLOG_RULES"] { return env }
        if FileManager.default.fileExists(atPath: "queries") { return "queries" }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let q = dir.appendingPathComponent("queries").path
            if FileManager.default.fileExists(atPath: q + "/cuda-oom.yaml") { return q }
            dir.deleteLastPathComponent()
        }
        throw UsageError("no detection rules found: pass --rules DIR (the queries/ folder of the mclog repository)")
    }

    func loadRules() throws -> [DetectionRule] {
        let dir = try rulesDirectory()
        do { return try DetectionRule.loadDirectory(dir) } catch let e as RuleError {
            throw UsageError("\(e)")
        }
    }

    func correlator(store: LogStore) throws -> Correlator {
        let c = Correlator(engine: Engine(store: store), rules: try loadRules(), traces: nil, tenant: tenant)
        c.margin = try TimeArgument.duration(margin)
        return c
    }
}

/// Writes a post-mortem in the asked format to a file or stdout.
enum PostMortemOutput {
    static func write(_ pm: PostMortem, format: String, out: String?) throws {
        let text: String
        switch format {
        case "md", "markdown": text = pm.markdown()
        case "html": text = pm.html()
        case "json": text = try pm.json()
        default: throw UsageError("--format must be md, html or json")
        }
        if let out {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
            printError("wrote \(out)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    static func check(_ format: String) throws {
        guard ["md", "markdown", "html", "json"].contains(format) else { throw UsageError("--format must be md, html or json") }
    }
}

/// Parses an incident ID argument, naming the expected form.
func incidentID(_ s: String) throws -> IncidentID {
    guard let id = IncidentID(s) else { throw UsageError("\"\(s)\" is not an incident ID (INC-YYYY-MM-DD-NNN)") }
    return id
}

/// Finds incidents with the rules over `[from, to]` and stores them: a candidate joins a stored incident of the
/// same zone whose window it overlaps, else opens a new one. Returns the incidents touched with their drafts.
func detectAndStore(correlator: Correlator, store: IncidentStore, from: Int64, to: Int64, dryRun: Bool)
    throws -> [(Incident?, PostMortem, Bool)]
{
    let detector = IncidentDetector(evaluator: RuleEvaluator(engine: correlator.engine, tenant: correlator.tenant),
                                    rules: correlator.rules)
    let (allHits, candidates) = try detector.detect(from: from, to: to)
    var out: [(Incident?, PostMortem, Bool)] = []
    let existing = try store.list()
    for c in candidates {
        let zones = c.zone.map { [$0] } ?? []
        let match = existing.first { i in
            i.zones == zones && i.openedBy != "manual" && i.start <= c.to + correlator.margin && (i.end ?? .max) >= c.from - correlator.margin
        }
        let subject = Correlator.Subject(id: match?.id, title: match?.title, from: c.from, to: c.to, zones: zones,
                                         events: match?.events ?? [], notes: match?.notes ?? [],
                                         hits: c.from - correlator.margin >= from && c.to + correlator.margin <= to ? allHits : nil)
        var pm = try correlator.postMortem(subject)
        if dryRun {
            out.append((nil, pm, false))
            continue
        }
        if let m = match {
            let updated = try store.update(m.id) { i in
                i.start = min(i.start, pm.start)
                i.end = max(i.end ?? pm.end, pm.end)
                i.severity = pm.severity
                i.severityRule = pm.severityRule
                i.services = pm.impactedServices
            }
            out.append((updated, pm, false))
        } else {
            let draft = IncidentDraft(title: pm.title, start: pm.start, end: pm.end, zones: zones, services: pm.impactedServices,
                                      severity: pm.severity, severityRule: pm.severityRule, openedBy: "rule")
            let created = try store.create(draft)
            pm.id = created.id
            out.append((created, pm, true))
        }
    }
    return out
}
