import Foundation
import Testing
@testable import LogQL
import ByteSearch
import LogStore
import Storage

/// Regex line filters that are only literals become byte searches, as Loki rewrites them; `(?i)literal` becomes
/// a case-insensitive literal search.
@Suite struct LineFilterStageTests {
    @Test("literal rewrites", arguments: [
        ("foo", ["foo"], false),
        ("foo|bar", ["foo", "bar"], false),
        (".*foo.*", ["foo"], false),
        ("(?i)foo", ["foo"], true),
        ("(?i)Foo|BAR", ["Foo", "BAR"], true),
        ("(?i).*Error.*", ["Error"], true),
        ("(?i)status=500", ["status=500"], true),
    ] as [(String, [String], Bool)])
    func rewrites(_ pattern: String, _ literals: [String], _ fold: Bool) throws {
        let r = try #require(LineFilterStage.literalAlternation(pattern))
        #expect(r.literals == literals)
        #expect(r.caseInsensitive == fold)
    }

    @Test("patterns that stay regexes", arguments: ["(?i)fo+", "(?i)é", "(?i)", "fo.", "(?i)a|", "(?s)foo", "foo(?i)bar"])
    func staysRegex(_ pattern: String) {
        #expect(LineFilterStage.literalAlternation(pattern) == nil)
    }

    @Test func caseInsensitiveFilterIsALiteralWithoutBloom() throws {
        let q = try Parser.parseLogQuery(#"{job="x"} |~ "(?i)error""#)
        let (f, covered) = try q.pushdownFilter()
        #expect(covered == [0])
        guard case .contains(let l)? = f else { Issue.record("not a contains filter: \(String(describing: f))"); return }
        #expect(l.caseInsensitive)
        #expect(l.bytes == Array("error".utf8))
    }

    static func store(_ lines: [String]) throws -> LogStore {
        let dir = NSTemporaryDirectory() + "mclog-linefilter-" + UUID().uuidString
        var o = StoreOptions()
        o.maintenanceIntervalSeconds = 0
        let store = try LogStore(directory: dir, options: o)
        var batch = EntryBatch()
        for (i, l) in lines.enumerated() { batch.append(timestamp: Int64(i + 1) * 1_000_000_000, line: l) }
        try store.append(tenant: "fake", [(try LabelSet([Label("job", "x")]), batch)])
        return store
    }

    static func lines(_ store: LogStore, _ query: String) throws -> [String] {
        let (r, _) = try Engine(store: store).execute(query, QueryParams(start: 0, end: 100_000_000_000, limit: 0, direction: .forward))
        guard case .streams(let s) = r else { return [] }
        return s.flatMap { $0.entries.map(\.1) }
    }

    /// The same answers as PCRE2's caseless match, in the head and after a flush into bloom-filtered blocks (the
    /// blooms hold exact 4-grams and must not rule out `ERROR` for `(?i)error`).
    @Test func caseInsensitiveLiteralAgreesWithTheRegex() throws {
        let input = ["ERROR disk full", "Error: timeout", "an error", "eRrOr", "no match", "errr", "ÉRROR", "x ERRO", "terror"]
        let store = try LineFilterStageTests.store(input)
        for flushed in [false, true] {
            if flushed { try store.flush() }
            let literal = try LineFilterStageTests.lines(store, #"{job="x"} |~ "(?i)error""#)
            let regex = try LineFilterStageTests.lines(store, #"{job="x"} |~ "(?i)err(o)r""#)
            #expect(literal == ["ERROR disk full", "Error: timeout", "an error", "eRrOr", "terror"])
            #expect(literal == regex)
            let negated = try LineFilterStageTests.lines(store, #"{job="x"} !~ "(?i)error|timeout""#)
            #expect(negated == ["no match", "errr", "ÉRROR", "x ERRO"])
            let alternation = try LineFilterStageTests.lines(store, #"{job="x"} |~ "(?i)MATCH|erro$""#)
            // erro$ is not a literal, so this stays a (caseless) regex.
            #expect(alternation == ["no match", "x ERRO"])
        }
    }
}
