import ArgumentParser
import Foundation
import Incidents
import LogQL
import LogStore
import TraceStore

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
        if let found = Self.defaultRulesDirectory() { return found }
        throw UsageError("no detection rules found: pass --rules DIR (the queries/ folder of the mclog repository)")
    }

    /// `$MCLOG_RULES`, else `./queries`, else the `queries/` folder of the checkout that holds the binary.
    static func defaultRulesDirectory() -> String? {
        if let env = ProcessInfo.processInfo.environment["MCLOG_RULES"] { return env }
        if FileManager.default.fileExists(atPath: "queries") { return "queries" }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let q = dir.appendingPathComponent("queries").path
            if FileManager.default.fileExists(atPath: q + "/cuda-oom.yaml") { return q }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    func loadRules() throws -> [DetectionRule] {
        let dir = try rulesDirectory()
        do { return try DetectionRule.loadDirectory(dir) } catch let e as RuleError {
            throw UsageError("\(e)")
        }
    }

    /// A correlator over the log store and, when `traces` is given, its span store's evidence.
    func correlator(store: LogStore, traces: TraceStore? = nil) throws -> Correlator {
        let c = Correlator(engine: Engine(store: store), rules: try loadRules(), traces: traces.map(TraceStoreEvidence.init),
                           tenant: tenant)
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

/// The span store under a data directory (`<data>/traces`, where `mclog serve` keeps it), opened read-only so that
/// a running server keeps writing; nil when the directory holds no traces.
func openTraceEvidence(dataDirectory: String) throws -> TraceStore? {
    let dir = dataDirectory + "/traces"
    guard FileManager.default.fileExists(atPath: dir + "/tenants") else { return nil }
    return try TraceStore(directory: dir, readOnly: true)
}
