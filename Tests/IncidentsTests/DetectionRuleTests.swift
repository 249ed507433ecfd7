import Foundation
import Testing
@testable import Incidents
import LogQL

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let rulesDirectory = repositoryRoot + "/queries"

@Suite struct DetectionRuleTests {
    /// The runbook's cases the issue asks rules for.
    static let required = ["api-5xx-rate", "zone-outage", "ai-engine-oom", "cuda-oom", "ai-inference-errors", "kernel-oom-kill",
                           "slow-db-queries", "redis-down", "nginx-upstream-errors", "nginx-502-504", "disk-full",
                           "tls-cert-errors", "high-latency-p95"]

    @Test func shippedRulesLoadAndParseAsLogQL() throws {
        let rules = try DetectionRule.loadDirectory(rulesDirectory)
        #expect(Set(rules.map(\.name)).isSuperset(of: Self.required))
        for r in rules {
            // Pasteable into `mclog query`: the text itself parses, as a metric query, and its canonical form too.
            guard case .metric(let m) = try Parser.parse(r.expr) else {
                Issue.record("\(r.name): not a metric query")
                continue
            }
            #expect(throws: Never.self) { try Parser.parse(m.description) }
            #expect(URL(fileURLWithPath: r.file).deletingPathExtension().lastPathComponent == r.name, "file name = rule name")
            #expect(!r.runbook.isEmpty, "\(r.name) names its runbook section")
            #expect(!r.actions.isEmpty, "\(r.name) has action-item hints")
            #expect(r.labels["service"] != nil, "\(r.name) labels its service")
        }
    }

    @Test func theRunbooksOOMQueryIsARule() throws {
        let r = try DetectionRule.load(path: rulesDirectory + "/ai-engine-oom.yaml")
        #expect(r.expr.contains(#"{job="ai-engine"} |= "OOM""#))
    }

    static let good = """
        name: t
        expr: 'sum by (zone) (count_over_time({job="nginx"} |= "x" [5m]))'
        compare: ">="
        threshold: 3
        for: 2m
        labels: {service: api}
        severity: P3
        layer: edge
        """

    @Test func parsesAllFields() throws {
        let r = try DetectionRule.parse(yaml: Self.good, file: "t.yaml")
        #expect(r.comparison == .gte)
        #expect(r.threshold == 3)
        #expect(r.forDuration == 120_000_000_000)
        #expect(r.every == 60_000_000_000)
        #expect(r.labels == ["service": "api"])
        #expect(r.severity == .p3 && r.layer == .edge)
    }

    @Test(arguments: [
        ("name: t\nexpr: 'x'\n", "expr"),
        (good.replacingOccurrences(of: "compare: \">=\"", with: "compare: \"=>\""), "compare"),
        (good.replacingOccurrences(of: "severity: P3", with: "severity: P5"), "severity"),
        (good.replacingOccurrences(of: "layer: edge", with: "layer: gpu"), "layer"),
        (good.replacingOccurrences(of: "threshold: 3", with: "threshold: lots"), "threshold"),
        (good.replacingOccurrences(of: "for: 2m", with: "for: soon"), "for"),
        (good + "\nextra: 1", "extra"),
        (good.replacingOccurrences(of: #"'sum by (zone) (count_over_time({job="nginx"} |= "x" [5m]))'"#, with: #"'{job="nginx"} |= "x"'"#), "expr"),
        (good.replacingOccurrences(of: "name: t\n", with: ""), "name"),
        ("- a\n- b\n", ""),
    ])
    func rejectsBrokenRules(_ yaml: String, _ key: String) {
        do {
            _ = try DetectionRule.parse(yaml: yaml, file: "r.yaml")
            Issue.record("accepted a broken rule (\(key))")
        } catch let e as RuleError {
            #expect(e.key == key)
            #expect(e.description.hasPrefix("r.yaml"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func syntaxErrorsNameThePosition() {
        let yaml = Self.good.replacingOccurrences(of: "[5m]))'", with: "[5m]'")
        #expect { try DetectionRule.parse(yaml: yaml, file: "r.yaml") } throws: { e in
            guard let e = e as? RuleError else { return false }
            return e.key == "expr" && e.line == 2 && e.message.contains("^")
        }
    }
}
