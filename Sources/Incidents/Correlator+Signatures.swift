import LogQL
import LogStore

extension Correlator {
    /// Error and warning lines of the scope, clustered into templates with `PatternMiner` (numbers, ids, IPs
    /// and paths masked), each with counts, first/last seen, zones, hosts and an example. Lines of the baseline
    /// hour before `from` are mined into the same templates, so a template is marked anomalous only when it is
    /// new, or at least three times as frequent as in the baseline.
    /// Stricter than Loki's 0.3 for patterns: signatures should not merge different errors of one service.
    static let signatureSimilarity = 0.5

    func mineSignatures(zones: [String], from: Int64, to: Int64) throws -> [Signature] {
        let baseFrom = from - baseline
        struct Stats {
            var job = "", level = ""
            var window = 0, base = 0
            var first = Int64.max, last = Int64.min
            var zones = Set<String>(), hosts = Set<String>()
            var example = ""
        }
        var miners: [String: PatternMiner] = [:]
        var stats: [String: [Stats]] = [:]
        let leveled = LogQLText.selector([#"level=~"critical|error|warn""#], zones: zones)
        let unleveled = LogQLText.selector([#"job=~".+""#, #"level="""#], zones: zones)
            + #" |~ "(?i)(error|warn|critical|fatal|panic|exception|out of memory|oom|refused|timed out|failed)""#
        for q in [leveled, unleveled] {
            let params = logParams(from: baseFrom, to: to, limit: maxSignatureLines)
            guard case .streams(let streams) = try engine.execute(q, params).0 else { continue }
            for s in streams {
                let labels = Dictionary(s.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                let job = labels["job"] ?? ""
                if job == "nginx" && labels["stream"] != "error" { continue }  // access lines are the impact, not causes
                // One miner per service and level: a warning never merges into an error's template.
                let key = job + "\u{0}" + (labels["level"] ?? "")
                let miner = miners[key] ?? PatternMiner(similarity: Self.signatureSimilarity)
                miners[key] = miner
                for e in s.entries {
                    guard let text = Self.signatureText(e.1) else { continue }
                    let i = miner.add(text, timestamp: e.0)
                    var list = stats[key, default: []]
                    while list.count <= i { list.append(Stats(job: job, level: labels["level"] ?? "")) }
                    if e.0 < from {
                        list[i].base += 1
                    } else {
                        list[i].window += 1
                        list[i].first = min(list[i].first, e.0)
                        list[i].last = max(list[i].last, e.0)
                        if let z = labels["zone"] { list[i].zones.insert(z) }
                        if let h = labels["host"] { list[i].hosts.insert(h) }
                        if list[i].example.isEmpty { list[i].example = e.1 }
                    }
                    stats[key] = list
                }
            }
        }
        var out: [Signature] = []
        let windowSpan = Double(max(to - from, 1)), baseSpan = Double(max(baseline, 1))
        for (key, miner) in miners {
            for (i, p) in miner.patterns.enumerated() {
                guard let st = stats[key]?[i], st.window > 0 else { continue }
                let job = st.job
                // New, or at least three times as frequent as in the baseline and at least 3 lines more.
                let anomalous = st.base == 0
                    || (Double(st.window) / windowSpan > 3 * Double(st.base) / baseSpan && st.window >= st.base + 3)
                let literal = Self.literal(template: p.tokens, example: st.example)
                let sel = LogQLText.selector([#"job="# + LogQLText.quote(job)], zones: st.zones.sorted())
                out.append(Signature(
                    template: p.text, count: st.window, baselineCount: st.base, firstSeen: st.first, lastSeen: st.last,
                    layer: Layer.of(job: job), job: job, zones: st.zones.sorted(), hosts: st.hosts.sorted(),
                    level: st.level, example: String(st.example.prefix(500)), anomalous: anomalous,
                    evidence: Evidence(query: sel + " |= " + LogQLText.quote(literal), from: st.first, to: st.last + 1)))
            }
        }
        return out.sorted { ($0.firstSeen, -$0.count, $0.template) < ($1.firstSeen, -$1.count, $1.template) }
    }

    /// The text a line contributes to mining: nil for a traceback's frame lines (they belong to the error above
    /// them, and each frame would be a template of its own); for a joined multi-line entry, its first line and
    /// its last (the exception).
    static func signatureText(_ line: String) -> String? {
        let lines = line.split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first else { return nil }
        if first.contains("Traceback (most recent call last)") || first.contains("  File \"") || first.contains("]   ")
            || first.hasSuffix("^") || first.allSatisfy({ $0 == " " || $0 == "^" || $0 == "~" }) {
            return nil
        }
        if lines.count > 1, var last = lines.last, last != first {
            // The exception line of a joined traceback, without a repeated vLLM/Python header.
            if let r = last.range(of: "] "), last.distance(from: last.startIndex, to: r.lowerBound) < 120 {
                last = last[r.upperBound...]
            }
            return String(first) + " … " + last.trimmed(" \t")
        }
        return String(first)
    }

    /// The longest run of the template's fixed tokens that occurs verbatim in the example line (a line filter
    /// that finds every line of the signature); else the longest fixed token.
    static func literal(template: [String], example: String) -> String {
        var runs: [String] = []
        var current: [String] = []
        for t in template {
            if t.contains(PatternMiner.placeholder) {
                if !current.isEmpty { runs.append(current.joined(separator: " ")) }
                current = []
            } else {
                current.append(t)
            }
        }
        if !current.isEmpty { runs.append(current.joined(separator: " ")) }
        let tokens = template.filter { !$0.contains(PatternMiner.placeholder) }
        let candidates = (runs + tokens).filter { example.contains($0) }.sorted { $0.count > $1.count }
        return candidates.first ?? String(example.prefix(40))
    }
}

extension String {
    func trimmed(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func trimmed(_ set: String) -> String { String(self).trimmed(set) }
}
