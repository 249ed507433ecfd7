import Testing
@testable import LogQL

@Suite struct ParserTests {
    /// Query in, canonical form out.
    @Test("valid log queries", arguments: [
        ("{job=\"ai-engine\"} |= \"OOM\"", "{job=\"ai-engine\"} |= \"OOM\""),
        ("<job=\"ai-engine\"> |= \"OOM\"", "{job=\"ai-engine\"} |= \"OOM\""),
        ("{job=\"nginx\",zone=\"kzone\"}", "{job=\"nginx\", zone=\"kzone\"}"),
        ("{ job = \"nginx\" , zone =~ \"k.*\" }", "{job=\"nginx\", zone=~\"k.*\"}"),
        ("{job!=\"a\", job=~\"b.+\"}", "{job!=\"a\", job=~\"b.+\"}"),
        ("{job=\"x\", zone!~\"test.*\"}", "{job=\"x\", zone!~\"test.*\"}"),
        ("{job=\"x\"} != \"healthz\" |~ \"5\\\\d\\\\d\"", "{job=\"x\"} != \"healthz\" |~ \"5\\\\d\\\\d\""),
        ("{job=\"x\"} !~ `GET /(health|ready)`", "{job=\"x\"} !~ \"GET /(health|ready)\""),
        ("{job=\"x\"} |= \"a\" or \"b\"", "{job=\"x\"} |= \"a\" or \"b\""),
        ("{job=\"x\"} |= \"tab\\there\"", "{job=\"x\"} |= \"tab\\there\""),
        ("{job=\"x\"} |= \"q\\\"uote\"", "{job=\"x\"} |= \"q\\\"uote\""),
        ("{job=\"x\"} # a comment\n |= \"OOM\"", "{job=\"x\"} |= \"OOM\""),
        ("{job=\"x\"} |= \"\\u00e9\"", "{job=\"x\"} |= \"é\""),
        ("{job=~\".+\"}", "{job=~\".+\"}"),
    ])
    func valid(_ query: String, _ canonical: String) throws {
        #expect(try Parser.parseLogQuery(query).description == canonical)
    }

    /// Query in, error position and message fragment out.
    @Test("invalid log queries", arguments: [
        ("{}", 1, "stream selector is empty"),
        ("{job=~\".*\"}", 0, "at least one regexp or equality matcher"),
        ("{job=\"\"}", 0, "at least one regexp or equality matcher"),
        ("{job!=\"x\"}", 0, "at least one regexp or equality matcher"),
        ("job=\"x\"", 0, "stream selector like {job="),
        ("{job=\"x\"", 8, "expected ',' or '}'"),
        ("{job=\"x\",}", 9, "expected a label name"),
        ("{job:\"x\"}", 4, "unexpected character ':'"),
        ("{job==\"x\"}", 4, "expected one of =, !=, =~, !~"),
        ("{job=x}", 5, "expected a quoted label value"),
        ("{job=\"x\"} |= ", 13, "expected a string after |="),
        ("{job=\"x\"} |= \"a\" or", 19, "expected a string after 'or'"),
        ("{job=\"x\"} |= \"unterminated", 13, "unterminated string"),
        ("{job=\"x\"} |= \"bad \\q escape\"", 18, "unknown escape"),
        ("{job=\"x\"} foo", 10, "unexpected identifier foo"),
        ("{job=~\"(\"}", 6, "invalid matcher"),
        ("<job=\"x\"}", 8, "expected ',' or '>'"),
    ])
    func invalid(_ query: String, _ position: Int, _ fragment: String) {
        do {
            let s = try Parser.parseLogQuery(query)
            Issue.record("parsed \(query) as \(s)")
        } catch let e as LogQLError {
            #expect(e.position == position, "\(query): \(e)")
            #expect(e.message.contains(fragment), "\(query): \(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func invalidLineFilterRegexIsAQueryError() throws {
        let s = try Parser.parseLogQuery("{job=\"x\"} |~ \"a(\"")
        #expect(throws: LogQLError.self) { try s.pushdownFilter() }
    }

    @Test func caretPointsAtTheProblem() {
        let q = "{job=\"x\"} |= oops"
        do {
            _ = try Parser.parseLogQuery(q)
        } catch let e as LogQLError {
            let lines = e.render(query: q).split(separator: "\n")
            #expect(lines[0] == q)
            #expect(lines[1] == "             ^")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func labelsArgument() throws {
        #expect(try Parser.parseLabels("{job=\"nginx\",zone=\"kzone\"}").map { "\($0.name)=\($0.value)" } == ["job=nginx", "zone=kzone"])
        #expect(throws: LogQLError.self) { try Parser.parseLabels("{job=~\"nginx\"}") }
    }
}
