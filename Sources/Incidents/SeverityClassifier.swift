/// The runbook's severity rules, applied to what the correlator measured:
/// - P1 platform-wide: every zone with traffic down at the edge, or the database down;
/// - P2 one zone down (half or more of its edge requests failing for 2+ consecutive minutes) or one AI engine down
///   (it logged that it died or ran out of GPU memory);
/// - P3 degraded: p95 latency over 2 s, GPU memory over 90 %, or more than 5 % of edge requests failing;
/// - P4 minor: anything else (rising error logs, disk warnings).
/// A detection rule that fired with a more severe level than these rules give raises the result, and is named.
enum SeverityClassifier {
    static let engineDown = ["EngineDeadError", "CUDA out of memory", "OutOfMemoryError", "engine died", "Engine core died",
                             "CUDA error"]
    static let databaseDown = ["the database system is shutting down", "the database system is starting up",
                               "could not connect to server", "Connection refused\n\tIs the server running", "terminating connection due to administrator command"]
    static let gpuMemoryHigh = #"(GPU|gpu)[ _]?(memory|mem|KV cache)[^0-9]{0,20}(9[0-9](\.[0-9]+)?|100) ?%"#

    static func classify(edge: EdgeTraffic, failures: EdgeTraffic.FailureRun?, zones: [String], signatures: [Signature],
                         hits: [RuleHit]) -> (severity: Severity, rule: String) {
        var result: (Severity, String) = (.p4, "P4 minor: error logs or warnings without user-facing failures")
        func raise(_ s: Severity, _ rule: String) { if s < result.0 { result = (s, rule) } }

        if let f = failures {
            let down = edge.zonesDown(in: f)
            let withTraffic = edge.zonesWithTraffic(from: f.first, to: f.last)
            if withTraffic.count > 1, Set(down) == withTraffic {
                raise(.p1, "P1 platform-wide outage: every zone's API failed at the edge (\(down.joined(separator: ", ")))")
            } else if let z = down.first {
                raise(.p2, "P2 one zone down: half or more of \(z)'s edge requests failed for 2+ consecutive minutes")
            }
            let scoped = edge.requests.filter { $0.time >= f.first && $0.time <= f.last && edge.inScope($0, zones) }
            let failed = scoped.filter { $0.status >= 500 }.count
            if !scoped.isEmpty, Double(failed) / Double(scoped.count) > 0.05 {
                raise(.p3, "P3 degraded: \(Format.percent(Double(failed) / Double(scoped.count))) of edge requests failed")
            }
        }
        for s in signatures where s.anomalous {
            if s.layer == .database, databaseDown.contains(where: { s.example.contains($0) }) {
                raise(.p1, "P1 database down: \(RootCauseRanker.short(s.template))")
            }
            if s.layer == .aiEngine, let word = engineDown.first(where: { s.example.contains($0) }) {
                let zone = s.zones.first.map { " in \($0)" } ?? ""
                raise(.p2, "P2 one AI engine down: \(s.job)\(zone) logged \(word)")
            }
            if s.example.range(of: gpuMemoryHigh, options: .regularExpression) != nil {
                raise(.p3, "P3 degraded: GPU memory above 90 %")
            }
        }
        if let f = failures, let p95 = edge.p95(zones: zones, from: f.first, to: f.last), p95 > 2 {
            raise(.p3, "P3 degraded: p95 edge latency \(Format.number(p95)) s > 2 s")
        }
        for h in hits where h.severity < result.0 {
            raise(h.severity, "\(h.severity.rawValue) by detection rule \(h.rule): \(h.title)")
        }
        return result
    }
}

import Foundation
