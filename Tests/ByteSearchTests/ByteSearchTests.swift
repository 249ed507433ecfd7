import Testing
@testable import ByteSearch

@Suite struct ByteSearchTests {
    static func find(_ needle: String, _ hay: String, from: Int = 0) -> Int? {
        var h = hay
        return h.withUTF8 { Literal(needle).firstIndex(in: UnsafeRawBufferPointer($0), from: from) }
    }

    @Test("literal search", arguments: [
        ("OOM", "CUDA OOM on gpu-3", 0, 5 as Int?),
        ("OOM", "no match here", 0, nil),
        ("a", "banana", 2, 3),
        ("", "anything", 0, 0),
        ("long needle", "short", 0, nil),
        ("203.0.113.77", "x 203.0.113.7 y 203.0.113.77", 0, 16),
    ] as [(String, String, Int, Int?)])
    func literal(_ needle: String, _ hay: String, _ from: Int, _ expected: Int?) {
        #expect(ByteSearchTests.find(needle, hay, from: from) == expected)
    }

    @Test("regex matching on bytes", arguments: [
        ("error|timeout", "upstream timeout", true),
        ("error|timeout", "all good", false),
        ("status=5\\d\\d", "status=503 path=/", true),
        ("status=5\\d\\d", "status=200", false),
        ("(?i)error", "ERROR: boom", true),
        ("^GET ", "POST /x", false),
        ("\" 5[0-9][0-9] ", "\"GET / HTTP/1.1\" 502 0", true),
    ])
    func regex(_ pattern: String, _ subject: String, _ expected: Bool) throws {
        let r = try Regex(pattern)
        #expect(r.jitted)
        #expect(r.matches(subject) == expected)
    }

    @Test func anchoredRegexMatchesWholeValue() throws {
        let r = try Regex("ngin", anchored: true)
        #expect(!r.matches("nginx"))
        #expect(try Regex("ngin.", anchored: true).matches("nginx"))
    }

    @Test func invalidPatternReportsOffset() {
        #expect(throws: RegexError.self) { try Regex("a(b") }
        do {
            _ = try Regex("abc[")
        } catch let e as RegexError {
            #expect(e.offset == 4)
            #expect(e.description.contains("abc["))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func catastrophicPatternIsCutOffNotHung() throws {
        let r = try Regex("(a+)+$")
        let subject = String(repeating: "a", count: 5000) + "!"
        #expect(!r.matches(subject))
    }

    @Test func capturesReportGroupRanges() throws {
        let r = try Regex("user=(\\w+) id=(\\d+)?")
        var s = "x user=alice id= y"
        let caps = s.withUTF8 { Regex.Matcher(r).captures(UnsafeRawBufferPointer($0)) }
        #expect(caps?[1] == 7..<12)
        #expect(caps?[2] == nil)
    }

    @Test("bare \\S, \\D, \\W are bracketed outside classes and quotes", arguments: [
        (#"\S+"#, #"[\S]+"#),
        (#"\d\D\w\W\s\S"#, #"\d[\D]\w[\W]\s[\S]"#),
        (#"[\S]+[^\s]\S{2}"#, #"[\S]+[^\s][\S]{2}"#),
        (#"a\\S"#, #"a\\S"#),
        (#"\Q\S\E\S"#, #"\Q\S\E[\S]"#),
        (#"[]\S]\S"#, #"[]\S][\S]"#),
        (#"[^]\D]\D"#, #"[^]\D][\D]"#),
        (#"[[:alpha:]\S]\D"#, #"[[:alpha:]\S][\D]"#),
        ("plain", "plain"),
    ])
    func bracketing(_ pattern: String, _ want: String) {
        #expect(Regex.bracketingNegatedShorthands(pattern) == want)
    }

    @Test("negated shorthands match non-ASCII under the JIT", arguments: [
        (#"user=\S+"#, "login user=jürgen ok", "user=jürgen"),
        (#"n=\D+"#, "n=größe1", "n=größe"),
        (#"\w+\W+\w+"#, "jürgen", "jürgen"),
        (#"\S+$"#, "ok Zürich", "Zürich"),
    ])
    func negatedShorthandsOverNonASCII(_ pattern: String, _ subject: String, _ want: String) throws {
        let r = try Regex(pattern)
        #expect(r.jitted)
        var s = subject
        let range = s.withUTF8 { Regex.Matcher(r).firstMatch(UnsafeRawBufferPointer($0)) }
        let got = range.map { String(decoding: Array(subject.utf8)[$0], as: UTF8.self) }
        #expect(got == want)
    }

    @Test func compileErrorsPointIntoTheOriginalPattern() {
        do {
            _ = try Regex(#"\S\S("#)
            Issue.record("compiled")
        } catch let e as RegexError {
            #expect(e.pattern == #"\S\S("#)
            #expect(e.offset == 5)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("case-insensitive literals", arguments: [
        ("error", "an ERROR here", 0, 3),
        ("error", "Error", 0, 0),
        ("error", "eRRoR", 0, 0),
        ("error", "errorERROR", 1, 5),
        ("error", "erro", 0, nil),
        ("error", "x errr ERRO", 0, nil),
        ("status=500", "STATUS=500", 0, 0),
        ("status=500", "STATUS:500", 0, nil),
        ("a-b", "A_B a-B", 0, 4),
        ("é", "É é", 0, 3),
    ] as [(String, String, Int, Int?)])
    func caseInsensitive(_ needle: String, _ hay: String, _ from: Int, _ want: Int?) {
        var h = hay
        let got = h.withUTF8 { Literal(caseInsensitive: needle).firstIndex(in: UnsafeRawBufferPointer($0), from: from) }
        #expect(got == want)
    }
}
