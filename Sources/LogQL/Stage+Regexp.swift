import ByteSearch
import CPCRE2

/// `| regexp "(?P<method>\\w+) (?P<path>\\S+)"` (Loki's `RegexpParser` in `pkg/logql/log/parser.go`).
///
/// - Each named group, `(?P<name>…)`, `(?<name>…)` or `(?'name'…)`, becomes a label when the pattern matches;
///   a named group that takes no part in the match gives an empty label. A line that does not match sets nothing.
/// - A name that is a stream label gets `_extracted`.
/// - The pattern needs at least one named group, and names must be unique valid label names; the errors read like
///   Loki's (`at least one named capture must be supplied`, `duplicate extracted label name 'x'`).
///
/// Loki uses Go's RE2; this uses PCRE2, which agrees on the syntax logs use (and adds backreferences and
/// lookaround).
public final class RegexpParserStage: LogStage {
    public let pattern: String
    private let matcher: Regex.Matcher
    /// Group numbers and label names, by group number.
    private let groups: [(index: Int, name: String)]

    public init(pattern: String) throws {
        self.pattern = pattern
        let (captureCount, named) = try RegexpParserStage.namedGroups(pattern)
        guard captureCount > 0 else { throw LogQLError("at least one named capture must be supplied") }
        var seen = Set<String>()
        for g in named {
            guard LabelName.isValid(g.name) else { throw LogQLError("invalid extracted label name '\(g.name)'") }
            guard seen.insert(g.name).inserted else { throw LogQLError("duplicate extracted label name '\(g.name)'") }
        }
        guard !named.isEmpty else { throw LogQLError("at least one named capture must be supplied") }
        groups = named
        matcher = Regex.Matcher(try RegexpParserStage.compile(pattern))
    }

    /// Per group: whether anything after this stage reads its label as `name` / `name_extracted`.
    private var wanted: [(plain: Bool, extracted: Bool)]?

    /// Only labels named in `needed` are read after this stage: set only those (none: skip the match, which
    /// can neither drop the line nor set an error).
    func restrict(to needed: Set<String>) {
        wanted = groups.map { (needed.contains($0.name), needed.contains($0.name + "_extracted")) }
    }

    public func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        if let w = wanted, !w.contains(where: { $0.plain || $0.extracted }) { return .keep }
        guard let captures = matcher.captures(line) else { return .keep }
        for (k, g) in groups.enumerated() {
            if let w = wanted?[k], !(labels.parsedNameIsPlain(g.name) ? w.plain : w.extracted) { continue }
            let value: String
            if g.index < captures.count, let r = captures[g.index] {
                value = String(decoding: UnsafeRawBufferPointer(rebasing: line[r]), as: UTF8.self)
            } else {
                value = ""
            }
            labels.setParsed(g.name, value)
        }
        return .keep
    }

    private static func compile(_ pattern: String) throws -> Regex {
        do { return try Regex(pattern) } catch let e as RegexError {
            throw LogQLError("invalid regex in regexp stage: \(e.message) (offset \(e.offset) of \"\(pattern)\")")
        }
    }

    /// The number of capture groups and the named ones (number, name), read from PCRE2's name table of a copy
    /// compiled with duplicate names allowed, so that a repeated name gets Loki's error rather than PCRE2's.
    static func namedGroups(_ pattern: String) throws -> (captureCount: Int, named: [(index: Int, name: String)]) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options: UInt32 = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DUPNAMES
        let code = pattern.withCString { p in
            pcre2_compile_8(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), pattern.utf8.count, options,
                            &errorCode, &errorOffset, nil)
        }
        guard let code else {
            var buf = [UInt8](repeating: 0, count: 256)
            let n = pcre2_get_error_message_8(errorCode, &buf, 256)
            let message = String(decoding: buf.prefix(max(0, Int(n))), as: UTF8.self)
            throw LogQLError("invalid regex in regexp stage: \(message) (offset \(errorOffset) of \"\(pattern)\")")
        }
        defer { pcre2_code_free_8(code) }

        var captureCount: UInt32 = 0
        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &captureCount)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)

        var named: [(index: Int, name: String)] = []
        if let table {
            // Each entry: the group number (2 bytes, big-endian), the name, NUL padding; sorted by name.
            for k in 0..<Int(nameCount) {
                let entry = table + k * Int(entrySize)
                let index = Int(entry[0]) << 8 | Int(entry[1])
                var len = 0
                while 2 + len < Int(entrySize) && entry[2 + len] != 0 { len += 1 }
                let name = String(decoding: UnsafeBufferPointer(start: entry + 2, count: len), as: UTF8.self)
                named.append((index, name))
            }
        }
        named.sort { $0.index < $1.index || ($0.index == $1.index && $0.name < $1.name) }
        return (Int(captureCount), named)
    }
}
