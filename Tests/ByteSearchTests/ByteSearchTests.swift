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
}
