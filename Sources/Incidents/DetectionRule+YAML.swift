import Foundation
import LogQL
import Yams

/// A rule file that cannot be used: the file, line and key, and what is wrong.
public struct RuleError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let key: String
    public let message: String

    public var description: String {
        file + (line.map { ":\($0)" } ?? "") + ": " + (key.isEmpty ? "" : key + ": ") + message
    }
}

extension DetectionRule {
    static let keys: Set<String> = ["name", "title", "expr", "compare", "threshold", "for", "every", "labels", "severity",
                                    "layer", "runbook", "actions"]

    /// Every `*.yaml` / `*.yml` rule in `directory`, by file name. The first broken file stops the load.
    public static func loadDirectory(_ directory: String) throws -> [DetectionRule] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw RuleError(file: directory, line: nil, key: "", message: "cannot read the rule folder")
        }
        return try names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { try load(path: directory + "/" + $0) }
    }

    public static func load(path: String) throws -> DetectionRule {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RuleError(file: path, line: nil, key: "", message: "cannot read the file")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses one rule. Errors name the file, line and key; an expression that LogQL rejects is reported with
    /// the parser's message and position, and a log query (no aggregation) is refused.
    public static func parse(yaml: String, file: String) throws -> DetectionRule {
        let root: Node
        do {
            guard let n = try Yams.compose(yaml: yaml) else {
                throw RuleError(file: file, line: 1, key: "", message: "the file is empty")
            }
            root = n
        } catch let e as RuleError {
            throw e
        } catch {
            throw RuleError(file: file, line: nil, key: "", message: "not valid YAML: \(error)")
        }
        func fail(_ node: Node?, _ key: String, _ message: String) -> RuleError {
            RuleError(file: file, line: node?.mark.map { $0.line }, key: key, message: message)
        }
        guard let map = root.mapping else { throw fail(root, "", "a rule is a mapping of keys (name, expr, compare, …)") }
        var fields: [String: Node] = [:]
        for (k, v) in map {
            guard let key = k.string else { throw fail(k, "", "keys must be strings") }
            guard keys.contains(key) else {
                throw fail(k, key, "unknown key; use one of \(keys.sorted().joined(separator: ", "))")
            }
            fields[key] = v
        }
        func string(_ key: String, required: Bool = true) throws -> String? {
            guard let n = fields[key] else {
                if required { throw fail(root, key, "missing the required key") }
                return nil
            }
            guard let s = n.scalar?.string, !s.isEmpty else { throw fail(n, key, "want a non-empty string") }
            return s
        }
        func duration(_ key: String, _ def: Int64) throws -> Int64 {
            guard let s = try string(key, required: false) else { return def }
            if s == "0" { return 0 }
            guard let ns = Units.durationNanos(s), ns >= 0 else { throw fail(fields[key], key, "want a duration like 30s, 5m, 1h; got \"\(s)\"") }
            return ns
        }
        let name = try string("name")!
        let expr = try string("expr")!
        let query: MetricExpr
        do {
            guard case .metric(let m) = try Parser.parse(expr) else {
                throw fail(fields["expr"], "expr", "want a metric expression (e.g. sum by (zone) (count_over_time({…} [5m]))), not a log query")
            }
            query = m
        } catch let e as LogQLError {
            throw fail(fields["expr"], "expr", e.render(query: expr))
        }
        let compareText = try string("compare")!
        guard let comparison = Comparison(rawValue: compareText) else {
            throw fail(fields["compare"], "compare", "want one of > >= < <= == !=; got \"\(compareText)\"")
        }
        let thresholdText = try string("threshold")!
        guard let threshold = Double(thresholdText), threshold.isFinite else {
            throw fail(fields["threshold"], "threshold", "want a number; got \"\(thresholdText)\"")
        }
        let every = try duration("every", 60_000_000_000)
        guard every >= 1_000_000_000 else { throw fail(fields["every"], "every", "must be at least 1s") }
        let sevText = try string("severity")!
        guard let severity = Severity(rawValue: sevText) else {
            throw fail(fields["severity"], "severity", "want P1, P2, P3 or P4; got \"\(sevText)\"")
        }
        let layerText = try string("layer")!
        guard let layer = Layer(rawValue: layerText) else {
            throw fail(fields["layer"], "layer", "want one of \(Layer.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(layerText)\"")
        }
        var labels: [String: String] = [:]
        if let n = fields["labels"] {
            guard let m = n.mapping else { throw fail(n, "labels", "want a mapping such as {service: ai-engine}") }
            for (k, v) in m {
                guard let lk = k.string, let lv = v.scalar?.string, !lv.isEmpty else {
                    throw fail(k, "labels", "want name: value pairs of strings")
                }
                labels[lk] = lv
            }
        }
        var actions: [String] = []
        if let n = fields["actions"] {
            guard let seq = n.sequence else { throw fail(n, "actions", "want a list of strings") }
            for item in seq {
                guard let s = item.scalar?.string, !s.isEmpty else { throw fail(item, "actions", "want a list of strings") }
                actions.append(s)
            }
        }
        return DetectionRule(name: name, title: try string("title", required: false) ?? name, expr: expr, query: query,
                             comparison: comparison, threshold: threshold, forDuration: try duration("for", 0),
                             every: every, labels: labels, severity: severity, layer: layer,
                             runbook: try string("runbook", required: false) ?? "", actions: actions, file: file)
    }
}
