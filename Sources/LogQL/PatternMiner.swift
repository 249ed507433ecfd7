/// Mines log patterns from lines, Drain-style (He et al., "Drain: An Online Log Parsing Approach with Fixed
/// Depth Tree", 2017, as Loki's pattern ingester does): lines are split into space-separated tokens; tokens that
/// are plainly variable (numbers, hex ids, IPs, UUIDs, durations, quoted values with digits) are masked as `<_>`;
/// lines are grouped by token count and first token, and within a group a line joins the most similar pattern
/// when at least `similarity` of its tokens agree (positions that differ become `<_>`), else starts a new one.
///
/// Used by `/loki/api/v1/patterns` and by the incident correlator's error signatures.
public final class PatternMiner {
    public static let placeholder = "<_>"

    /// One mined pattern with its count, time span and first line.
    public struct Pattern: Sendable {
        public var tokens: [String]
        public var count = 0
        public var firstSeen = Int64.max
        public var lastSeen = Int64.min
        public var example: String
        /// Counts per time bucket (bucket start ns → count), when mined with a step.
        public var buckets: [Int64: Int] = [:]

        public var text: String { tokens.joined(separator: " ") }
    }

    public let similarity: Double
    public let maxPatternsPerGroup: Int
    public let maxTokens: Int
    public let step: Int64
    private var groups: [GroupKey: [Int]] = [:]
    public private(set) var patterns: [Pattern] = []

    struct GroupKey: Hashable {
        let count: Int
        let first: String
    }

    /// - Parameters: `similarity` Loki's `sim_th` (0.3); `step` buckets counts per time step (0: none).
    public init(similarity: Double = 0.3, maxPatternsPerGroup: Int = 100, maxTokens: Int = 80, step: Int64 = 0) {
        self.similarity = similarity
        self.maxPatternsPerGroup = maxPatternsPerGroup
        self.maxTokens = maxTokens
        self.step = step
    }

    /// Adds one line seen at `timestamp`; returns the index of the pattern it joined.
    @discardableResult
    public func add(_ line: String, timestamp: Int64) -> Int {
        var tokens = line.split(separator: " ", omittingEmptySubsequences: true).prefix(maxTokens).map(Self.mask)
        if tokens.isEmpty { tokens = [""] }
        let key = GroupKey(count: tokens.count, first: tokens[0])
        var best = -1
        var bestScore = -1.0
        for i in groups[key] ?? [] {
            let p = patterns[i].tokens
            var same = 0
            for k in 0..<tokens.count where p[k] == tokens[k] || p[k] == Self.placeholder { same += 1 }
            let score = Double(same) / Double(tokens.count)
            if score > bestScore {
                bestScore = score
                best = i
            }
        }
        let index: Int
        if best >= 0, bestScore >= similarity {
            index = best
            for k in 0..<tokens.count where patterns[best].tokens[k] != tokens[k] {
                patterns[best].tokens[k] = Self.placeholder
            }
        } else if let g = groups[key], g.count >= maxPatternsPerGroup {
            // A full group absorbs the line into its most similar pattern rather than growing without bound.
            index = best >= 0 ? best : g[0]
            for k in 0..<tokens.count where patterns[index].tokens[k] != tokens[k] {
                patterns[index].tokens[k] = Self.placeholder
            }
        } else {
            index = patterns.count
            patterns.append(Pattern(tokens: tokens, example: line))
            groups[key, default: []].append(index)
        }
        patterns[index].count += 1
        patterns[index].firstSeen = min(patterns[index].firstSeen, timestamp)
        patterns[index].lastSeen = max(patterns[index].lastSeen, timestamp)
        if step > 0 {
            let bucket = timestamp - ((timestamp % step) + step) % step
            patterns[index].buckets[bucket, default: 0] += 1
        }
        return index
    }

    /// Patterns, most frequent first.
    public func sorted() -> [Pattern] {
        patterns.sorted { $0.count != $1.count ? $0.count > $1.count : $0.text < $1.text }
    }

    /// The token with its variable part masked: `pid=4821` → `pid=<_>`, `10.0.2.1` → `<_>`, `GET` → `GET`.
    static func mask(_ token: Substring) -> String {
        if let eq = token.firstIndex(of: "="), eq != token.startIndex {
            let value = token[token.index(after: eq)...]
            return isVariable(value) ? String(token[...eq]) + placeholder : String(token)
        }
        return isVariable(token) ? placeholder : String(token)
    }

    /// Whether a token is a value rather than a word: it has a digit and is a number, an IP, a hex id, a UUID, a
    /// duration or size, a timestamp, or `key=value` / `"…"` with a digit in the value.
    static func isVariable(_ t: Substring) -> Bool {
        var digits = 0, letters = 0, hex = 0
        for u in t.utf8 {
            switch u {
            case 0x30...0x39: digits += 1
            case 0x61...0x66, 0x41...0x46: hex += 1; letters += 1
            case 0x67...0x7a, 0x47...0x5a: letters += 1
            default: break
            }
        }
        guard digits > 0 else { return false }
        if letters == 0 { return true }  // 123, 10.0.2.1, 2025-11-21, 10:15:03,123, [21/Nov/2025…
        if letters == hex && t.utf8.count >= 8 { return true }  // hex ids, UUIDs, trace ids
        // 250ms, 1.5s, 20KB, 3x: a number with a short unit.
        if let i = t.firstIndex(where: { !($0.isNumber || $0 == ".") }), i != t.startIndex,
            t[i...].count <= 3, t[i...].allSatisfy(\.isLetter)
        {
            return true
        }
        return t.utf8.count >= 4 && digits * 2 >= t.utf8.count  // mostly digits: req-12345, 4821ab
    }
}
