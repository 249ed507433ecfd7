import ByteSearch
import LogStore

/// A source's compiled settings and live counters: its parser, trace-id and label regexes, and the label sets
/// of its streams. Used only by the tailer's thread, except `counters`.
final class SourceRuntime {
    let index: Int
    let config: SourceConfig
    let parser: LineParser
    private let traceMatcher: Regex.Matcher?
    private let derivedMatcher: Regex.Matcher?
    /// Derived-label values seen so far, by the bytes the regex captured: (captured bytes, index into `derivedValues`).
    private var derivedCache: [([UInt8], Int)] = []
    /// Index 0 is "no value"; the rest are the map's values and the default, in first-use order.
    private var derivedValues: [String?] = [nil]
    let maxLineBytes: Int
    /// Bit `MetadataField.bit` set for each field the source keeps: tested per line, so a bitmask, not a Set.
    let metadataMask: UInt8
    let counters = SourceCounters()

    init(index: Int, config: SourceConfig, limits: Limits, now: Int64) throws {
        self.index = index
        self.config = config
        parser = LineParser(format: config.format, zoneOffsetSeconds: config.timestamp.zoneOffsetSeconds, now: now)
        traceMatcher = try config.traceIDPattern.map { Regex.Matcher(try Regex($0)) }
        derivedMatcher = try config.derivedLabel.map { Regex.Matcher(try Regex($0.pattern)) }
        maxLineBytes = limits.maxLineSize
        metadataMask = config.metadataFields.reduce(0) { $0 | $1.bit }
    }

    /// A joiner for one file (joiners hold per-file state).
    func makeJoiner() throws -> LineJoiner {
        try LineJoiner(rule: config.multiline, parser: parser)
    }

    /// The range of the line's trace id by the source's regex: its first set capture group, else the match.
    func traceID(in line: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let m = traceMatcher, let caps = m.captures(line) else { return nil }
        return caps.dropFirst().first { $0 != nil } ?? caps[0]
    }

    /// The index of the derived label's value for `line` (0: no label).
    func derivedIndex(_ line: UnsafeRawBufferPointer) -> Int {
        guard let d = config.derivedLabel, let m = derivedMatcher else { return 0 }
        guard let caps = m.captures(line), let r = caps.dropFirst().first(where: { $0 != nil }) ?? caps[0] else {
            return value(d.defaultValue)
        }
        let captured = UnsafeRawBufferPointer(rebasing: line[r])
        for (bytes, i) in derivedCache where bytes.count == captured.count {
            if bytes.withUnsafeBytes({ $0.elementsEqual(captured) }) { return i }
        }
        let text = String(decoding: captured, as: UTF8.self)
        let mapped = d.map.first { Self.wildcardMatch($0.pattern, text) }?.value ?? d.defaultValue
        let i = value(mapped)
        if derivedCache.count < 1024 { derivedCache.append((Array(captured), i)) }
        return i
    }

    private func value(_ v: String?) -> Int {
        guard let v else { return 0 }
        if let i = derivedValues.firstIndex(of: v) { return i }
        derivedValues.append(v)
        return derivedValues.count - 1
    }

    func derivedValue(_ index: Int) -> String? { derivedValues[index] }

    /// `*` matches any run of characters; everything else matches itself, case-insensitively (host names).
    static func wildcardMatch(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased().utf8), t = Array(text.lowercased().utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] != UInt8(ascii: "*"), p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// The stream labels for a file's entries with this level and derived value.
    func labels(level: Level?, derived: Int, filename: String) throws -> LabelSet {
        var labels = config.labels
        if config.levelLabel, let level { labels.append(Label("level", level.rawValue)) }
        if let d = config.derivedLabel, let v = derivedValue(derived) { labels.append(Label(d.name, v)) }
        if config.filenameLabel { labels.append(Label("filename", filename)) }
        return try LabelSet(labels)
    }
}

/// Counters of a source that other threads read (progress lines, `/metrics`).
public final class SourceCounters: @unchecked Sendable {
    private let lock = NSLockLite()
    private var _entries = 0
    private var _bytes = 0
    private var _files = 0

    func add(entries: Int, bytes: Int) {
        lock.withLock {
            _entries += entries
            _bytes += bytes
        }
    }

    func setFiles(_ n: Int) { lock.withLock { _files = n } }

    /// Entries and line bytes stored, and files tailed now.
    public var snapshot: (entries: Int, bytes: Int, files: Int) { lock.withLock { (_entries, _bytes, _files) } }
}

/// A pthread mutex (the Ingest module does not import Foundation's `NSLock` on its hot paths).
final class NSLockLite: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return try body()
    }
}

#if canImport(Glibc)
import Glibc
#endif
