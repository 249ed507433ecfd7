import Foundation
import Incidents
import Ingest
import LogStore
import MCServer
import TraceStore

/// The incident side of `mclog serve`: the Alertmanager webhook and incident routes on the API port, and the
/// periodic evaluation of the detection rules (`incidents:` in the configuration).
extension ServeCommand {
    /// The incident API and the rule loop over the stores. The rules come from `incidents.rules`, else the
    /// default folder; a configured folder that cannot be loaded stops the server, a missing default only turns
    /// evaluation off (the API still serves incidents from alerts and by hand).
    func openIncidents(settings: IncidentSettings, options: ServerOptions, stores incidentStores: IncidentStores,
                       logs: LogStore, traces: TraceStore) throws -> (IncidentAPI, DetectionLoop?) {
        var rules: [DetectionRule] = []
        if let dir = settings.rulesDirectory ?? IncidentOptions.defaultRulesDirectory() {
            do { rules = try DetectionRule.loadDirectory(dir) } catch let e as RuleError {
                throw UsageError("incidents.rules: \(e)")
            }
        } else {
            printError("warning: no detection rules found (set incidents.rules in the configuration); rules are not evaluated")
        }
        // The configured metastore (`metastore:`): files under the data directory, or PostgreSQL.
        let stores: @Sendable (String) throws -> any IncidentStore = { try incidentStores.store(tenant: $0) }
        printError("mclog serve: incidents in \(incidentStores)")
        let evidence = TraceStoreEvidence(store: traces)
        let api = IncidentAPI(stores: stores, logs: logs, rules: rules, traces: evidence, options: options,
                              margin: settings.marginNanos)
        guard settings.intervalNanos > 0, !rules.isEmpty else { return (api, nil) }
        let loop = DetectionLoop(
            logs: logs, rules: rules, traces: evidence,
            settings: .init(interval: settings.intervalNanos, window: settings.windowNanos, margin: settings.marginNanos),
            stores: stores,
            report: { result in
                switch result {
                case .success(let pass):
                    for o in pass.outcomes {
                        guard let i = o.incident else { continue }
                        printError("mclog serve: rules \(o.created ? "opened" : "updated") \(i.id) (\(i.severity.rawValue), "
                                   + "\(i.zones.isEmpty ? "all zones" : i.zones.joined(separator: ",")), tenant \(pass.tenant)): \(i.title)")
                    }
                case .failure(let error):
                    printError("warning: rule evaluation failed: \(error)")
                }
            })
        printError("mclog serve: evaluating \(rules.count) detection rules every \(Double(settings.intervalNanos) / 1e9)s")
        return (api, loop)
    }
}
