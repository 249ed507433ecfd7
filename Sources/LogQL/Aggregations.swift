import ByteSearch
import LogStore

/// Vector aggregations (`sum by (…)`, `topk`, …) and `label_replace`, step by step.
enum Aggregations {
    /// The labels a grouping keeps: `by (a, b)` keeps those, `without (a)` drops those.
    static func group(_ labels: [Label], _ g: Grouping) -> [Label] {
        let set = Set(g.labels)
        return labels.filter { g.without ? !set.contains($0.name) : set.contains($0.name) }
    }

    static func vector(_ op: VectorOp, param: Double?, grouping: Grouping?, _ input: Engine.StepVector, count n: Int)
        -> Engine.StepVector
    {
        switch op {
        case .sort, .sortDesc:
            return input  // ordering is applied when an instant vector is shaped; range results are unordered
        case .topk, .bottomk:
            let k = Int(param ?? 1)
            var out: Engine.StepVector = [:]
            var groups: [[Label]: [[Label]]] = [:]
            for key in input.keys { groups[grouping.map { group(key, $0) } ?? [], default: []].append(key) }
            for (_, members) in groups {
                for step in 0..<n {
                    let present = members.compactMap { m in input[m]![step].map { (m, $0) } }
                    // Ties keep a stable, label-ordered choice.
                    let ordered = present.sorted { a, b in
                        if a.1 != b.1 { return op == .topk ? a.1 > b.1 : a.1 < b.1 }
                        return LabelOrder.less(a.0, b.0)
                    }
                    for (m, v) in ordered.prefix(k) {
                        if out[m] == nil { out[m] = Array(repeating: nil, count: n) }
                        out[m]![step] = v
                    }
                }
            }
            return out
        default:
            var groups: [[Label]: [[Double?]]] = [:]
            for (key, values) in input {
                let g = grouping.map { group(key, $0) } ?? []
                groups[g, default: []].append(values)
            }
            var out: Engine.StepVector = [:]
            for (key, members) in groups {
                var values = [Double?](repeating: nil, count: n)
                for step in 0..<n {
                    let xs = members.compactMap { $0[step] }
                    guard !xs.isEmpty else { continue }
                    values[step] = reduce(op, xs)
                }
                out[key] = values
            }
            return out
        }
    }

    static func reduce(_ op: VectorOp, _ xs: [Double]) -> Double {
        switch op {
        case .sum: return xs.reduce(0, +)
        case .avg: return xs.reduce(0, +) / Double(xs.count)
        case .min: return xs.min()!
        case .max: return xs.max()!
        case .count: return Double(xs.count)
        case .stddev, .stdvar:
            let mean = xs.reduce(0, +) / Double(xs.count)
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
            return op == .stdvar ? variance : variance.squareRoot()
        default: return .nan
        }
    }

    /// Prometheus' `label_replace`: where `regex` (anchored) matches the source label's value, set `destination` to
    /// the expanded `replacement` (`$1`, `${name}`); an empty result removes the label.
    static func labelReplace(_ input: Engine.StepVector, destination: String, replacement: String, source: String,
                             regex: String) throws -> Engine.StepVector {
        let re = try Regex(regex, anchored: true)
        let matcher = Regex.Matcher(re)
        var out: Engine.StepVector = [:]
        for (labels, values) in input {
            let src = labels.first { $0.name == source }?.value ?? ""
            var bytes = Array(src.utf8)
            let caps = bytes.withUnsafeBytes { matcher.captures($0) }
            var newLabels = labels
            if let caps {
                var result = ""
                var i = replacement.startIndex
                while i < replacement.endIndex {
                    let c = replacement[i]
                    if c == "$", replacement.index(after: i) < replacement.endIndex {
                        var j = replacement.index(after: i)
                        var name = ""
                        if replacement[j] == "{" {
                            j = replacement.index(after: j)
                            while j < replacement.endIndex && replacement[j] != "}" {
                                name.append(replacement[j])
                                j = replacement.index(after: j)
                            }
                            if j < replacement.endIndex { j = replacement.index(after: j) }
                        } else {
                            while j < replacement.endIndex, replacement[j].isNumber {
                                name.append(replacement[j])
                                j = replacement.index(after: j)
                            }
                        }
                        if let g = Int(name), g < caps.count, let r = caps[g] {
                            result += String(decoding: bytes[r], as: UTF8.self)
                        }
                        i = j
                        continue
                    }
                    result.append(c)
                    i = replacement.index(after: i)
                }
                newLabels.removeAll { $0.name == destination }
                if !result.isEmpty { newLabels.append(Label(destination, result)) }
                newLabels.sort { $0.name < $1.name }
            }
            bytes.removeAll()
            out[newLabels] = values
        }
        return out
    }
}
