import LogStore

/// Binary operators between scalars and vectors, with Prometheus' vector matching.
enum BinaryEvaluator {
    static func apply(_ op: BinaryOp, _ l: Engine.Value, _ r: Engine.Value, returnBool: Bool,
                      matching: VectorMatching?, count n: Int) throws -> Engine.Value {
        switch (l, r) {
        case (.scalar(let a), .scalar(let b)):
            return .scalar((0..<n).map { arith(op, a[$0], b[$0], returnBool: true) ?? 0 })
        case (.vector(let v), .scalar(let s)):
            return .vector(mapVector(v) { i, x in scalarOp(op, x, s[i], returnBool: returnBool, vectorOnLeft: true) })
        case (.scalar(let s), .vector(let v)):
            return .vector(mapVector(v) { i, x in scalarOp(op, s[i], x, returnBool: returnBool, vectorOnLeft: false) })
        case (.vector(let a), .vector(let b)):
            return .vector(try vectorOp(op, a, b, returnBool: returnBool, matching: matching, count: n))
        }
    }

    static func mapVector(_ v: Engine.StepVector, _ f: (Int, Double) -> Double?) -> Engine.StepVector {
        var out: Engine.StepVector = [:]
        for (k, values) in v {
            let mapped = values.enumerated().map { i, x in x.flatMap { f(i, $0) } }
            if mapped.contains(where: { $0 != nil }) { out[k] = mapped }
        }
        return out
    }

    /// vector op scalar: comparisons filter (keep the vector's value) unless `bool`.
    static func scalarOp(_ op: BinaryOp, _ a: Double, _ b: Double, returnBool: Bool, vectorOnLeft: Bool) -> Double? {
        if op.isComparison && !returnBool {
            return compare(op, a, b) ? (vectorOnLeft ? a : b) : nil
        }
        return arith(op, a, b, returnBool: returnBool)
    }

    static func compare(_ op: BinaryOp, _ a: Double, _ b: Double) -> Bool {
        switch op {
        case .eq: a == b
        case .neq: a != b
        case .gt: a > b
        case .gte: a >= b
        case .lt: a < b
        case .lte: a <= b
        default: false
        }
    }

    static func arith(_ op: BinaryOp, _ a: Double, _ b: Double, returnBool: Bool) -> Double? {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        // Loki guards division and modulo by zero: the result is NaN, not ±Inf.
        case .div: return b == 0 ? .nan : a / b
        case .mod: return b == 0 ? .nan : a.truncatingRemainder(dividingBy: b)
        case .pow: return pow(a, b)
        case .eq, .neq, .gt, .gte, .lt, .lte: return compare(op, a, b) ? 1 : (returnBool ? 0 : nil)
        default: return nil
        }
    }

    /// The labels two series are matched on.
    static func signature(_ labels: [Label], _ m: VectorMatching?) -> [Label] {
        guard let m else { return labels }
        let set = Set(m.labels)
        return labels.filter { m.on ? set.contains($0.name) : !set.contains($0.name) }
    }

    static func vectorOp(_ op: BinaryOp, _ a: Engine.StepVector, _ b: Engine.StepVector, returnBool: Bool,
                         matching: VectorMatching?, count n: Int) throws -> Engine.StepVector {
        var rightBySig: [[Label]: [([Label], [Double?])]] = [:]
        for (k, v) in b { rightBySig[signature(k, matching), default: []].append((k, v)) }
        var out: Engine.StepVector = [:]
        switch op {
        case .and, .or, .unless:
            var leftSigs = Set<[Label]>()
            for (k, v) in a {
                let sig = signature(k, matching)
                leftSigs.insert(sig)
                let rights = rightBySig[sig] ?? []
                let values = (0..<n).map { i -> Double? in
                    guard let x = v[i] else { return nil }
                    let rightPresent = rights.contains { $0.1[i] != nil }
                    switch op {
                    case .and: return rightPresent ? x : nil
                    case .unless: return rightPresent ? nil : x
                    default: return x
                    }
                }
                if values.contains(where: { $0 != nil }) { out[k] = values }
            }
            if op == .or {
                for (k, v) in b {
                    let sig = signature(k, matching)
                    // Per step: the right side fills in where no left series with that signature has a value.
                    let lefts = a.filter { signature($0.key, matching) == sig }
                    let values = (0..<n).map { i -> Double? in
                        lefts.contains { $0.value[i] != nil } && leftSigs.contains(sig) ? nil : v[i]
                    }
                    guard values.contains(where: { $0 != nil }) else { continue }
                    // A right series with the same labels as a left one fills only the steps the left one lacks.
                    if let existing = out[k] {
                        out[k] = zip(existing, values).map { $0 ?? $1 }
                    } else {
                        out[k] = values
                    }
                }
            }
            return out
        default:
            let card = matching?.card ?? .oneToOne
            if card == .oneToMany {
                // Swap sides so the "many" side is on the left, keeping operand order for the arithmetic.
                var flipped = matching!
                flipped.card = .manyToOne
                return try vectorOp(op, b, a, returnBool: returnBool, matching: flipped, count: n, swapped: true)
            }
            return try vectorOp(op, a, b, returnBool: returnBool, matching: matching, count: n, swapped: false)
        }
    }

    /// Loki's `vectorBinop`, step by step: each "many" sample finds the one "one" sample with its signature. The
    /// result keeps the "many" side's labels (one-to-one: only the `on` labels, or without the `ignoring` ones;
    /// `group_x(…)` copies the listed labels from the "one" side). A comparison without `bool` keeps the left
    /// operand's value, whichever side is the "many" one.
    static func vectorOp(_ op: BinaryOp, _ many: Engine.StepVector, _ one: Engine.StepVector, returnBool: Bool,
                         matching: VectorMatching?, count n: Int, swapped: Bool) throws -> Engine.StepVector {
        let card = matching?.card ?? .oneToOne
        var oneBySig: [[Label]: [([Label], [Double?])]] = [:]
        for (k, v) in one { oneBySig[signature(k, matching), default: []].append((k, v)) }
        for (_, members) in oneBySig where members.count > 1 {
            for i in 0..<n where members.lazy.filter({ $0.1[i] != nil }).count > 1 {
                let side = swapped ? "left" : "right"
                throw LogQLError("found duplicate series on the \(side) hand-side;many-to-many matching not allowed: matching labels must be unique on one side")
            }
        }
        var out: Engine.StepVector = [:]
        // Per signature (one-to-one) or result labels (many-to-one): the steps already matched.
        var matched: [[Label]: [Bool]] = [:]
        for (k, v) in many {
            let sig = signature(k, matching)
            guard let candidates = oneBySig[sig] else { continue }
            for i in 0..<n {
                guard let x = v[i], let (otherLabels, other) = candidates.first(where: { $0.1[i] != nil }),
                      let y = other[i]
                else { continue }
                var labels: [Label]
                if card == .oneToOne {
                    labels = signatureDropping(k, matching)
                } else {
                    labels = k
                    for name in matching?.include ?? [] {
                        labels.removeAll { $0.name == name }
                        if let l = otherLabels.first(where: { $0.name == name }) { labels.append(l) }
                    }
                    labels.sort { $0.name < $1.name }
                }
                let key = card == .oneToOne ? sig : labels
                if matched[key]?[i] == true {
                    throw LogQLError(card == .oneToOne
                        ? "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
                        : "multiple matches for labels: grouping labels must ensure unique matches")
                }
                matched[key, default: Array(repeating: false, count: n)][i] = true
                let (lhs, rhs) = swapped ? (y, x) : (x, y)
                let value: Double?
                if op.isComparison && !returnBool {
                    value = compare(op, lhs, rhs) ? lhs : nil
                } else {
                    value = arith(op, lhs, rhs, returnBool: returnBool)
                }
                guard let value else { continue }
                out[labels, default: Array(repeating: nil, count: n)][i] = value
            }
        }
        return out
    }

    /// Result labels of one-to-one arithmetic: `on(…)` keeps the listed labels, `ignoring(…)` drops them.
    static func signatureDropping(_ labels: [Label], _ m: VectorMatching?) -> [Label] {
        guard let m else { return labels }
        let set = Set(m.labels)
        return labels.filter { m.on ? set.contains($0.name) : !set.contains($0.name) }
    }
}

import Foundation
