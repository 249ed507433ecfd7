import Testing
@testable import TraceStore

/// Table-driven: a query in, the parsed expression's canonical text (or an error with its position) out.
@Suite struct TraceQLParserTests {
    @Test(arguments: [
        ("{}", "{ }"),
        ("{ }", "{ }"),
        (#"{ resource.service.name = "x" }"#, #"{ resource.service.name = "x" }"#),
        (#"{ resource.service.name = "x" && span.http.status_code >= 500 && duration > 2s && status = error }"#,
         #"{ (((resource.service.name = "x" && span.http.status_code >= 500) && duration > 2000000000ns) && status = error) }"#),
        (#"{ name = "GET /" }"#, #"{ name = "GET /" }"#),
        (#"{ span:name = "GET /" }"#, #"{ name = "GET /" }"#),
        ("{ kind = server }", "{ kind = server }"),
        ("{ status != ok }", "{ status != ok }"),
        (#"{ .http.url =~ "/api/.*" }"#, #"{ .http.url =~ "/api/.*" }"#),
        (#"{ .a !~ "b" }"#, #"{ .a !~ "b" }"#),
        (#"{ .a = "x" || .b = 1 }"#, #"{ (.a = "x" || .b = 1) }"#),
        (#"{ .a = "x" || .b = 1 && .c = 2 }"#, #"{ (.a = "x" || (.b = 1 && .c = 2)) }"#),
        (#"{ (.a = "x" || .b = 1) && .c = 2 }"#, #"{ ((.a = "x" || .b = 1) && .c = 2) }"#),
        (#"{ !(.a = "x") }"#, #"{ !.a = "x" }"#),
        ("{ .ratio > 0.5 }", "{ .ratio > 0.5 }"),
        ("{ .ok = true }", "{ .ok = true }"),
        ("{ .n = -3 }", "{ .n = -3 }"),
        ("{ duration >= 150ms }", "{ duration >= 150000000ns }"),
        ("{ duration < 1h30m }", "{ duration < 5400000000000ns }"),
        ("{ duration > 10us }", "{ duration > 10000ns }"),
        ("{ traceDuration > 1s }", "{ traceDuration > 1000000000ns }"),
        (#"{ rootServiceName = "api" }"#, #"{ rootServiceName = "api" }"#),
        (#"{ trace:rootService = "api" }"#, #"{ rootServiceName = "api" }"#),
        (#"{ event.exception.type = "E" }"#, #"{ event.exception.type = "E" }"#),
        (#"{ instrumentation.name = "lib" }"#, #"{ instrumentation.name = "lib" }"#),
        (#"{ .a = "1" } && { .b = "2" }"#, #"({ .a = "1" } && { .b = "2" })"#),
        (#"{ .a = "1" } || { .b = "2" }"#, #"({ .a = "1" } || { .b = "2" })"#),
        (#"{ .a = "1" } >> { .b = "2" }"#, #"({ .a = "1" } >> { .b = "2" })"#),
        (#"{ .a = "1" } > { .b = "2" }"#, #"({ .a = "1" } > { .b = "2" })"#),
        (#"{ .a = "1" } << { .b = "2" }"#, #"({ .a = "1" } << { .b = "2" })"#),
        (#"{ .a = "1" } < { .b = "2" }"#, #"({ .a = "1" } < { .b = "2" })"#),
        (#"{ .a = "1" } ~ { .b = "2" }"#, #"({ .a = "1" } ~ { .b = "2" })"#),
        (#"{ .a = "1" } >> { .b = "2" } >> { .c = "3" }"#, #"(({ .a = "1" } >> { .b = "2" }) >> { .c = "3" })"#),
        (#"{ .a = "1" } && { .b = "2" } >> { .c = "3" }"#, #"({ .a = "1" } && ({ .b = "2" } >> { .c = "3" }))"#),
        (#"({ .a = "1" } || { .b = "2" }) >> { .c = "3" }"#, #"(({ .a = "1" } || { .b = "2" }) >> { .c = "3" })"#),
        (#"{ .s = "say \"hi\"" }"#, #"{ .s = "say \"hi\"" }"#),
        ("{ .s = `raw\\n` }", #"{ .s = "raw\\n" }"#),
        (#"{.a="x"&&duration>2s}"#, #"{ (.a = "x" && duration > 2000000000ns) }"#),
    ])
    func parses(query: String, canonical: String) throws {
        #expect(try TraceQL.parse(query).description == canonical)
    }

    @Test(arguments: [
        (#"{ .a = "x" } | count() > 2"#, 14, "pipeline operator \"|\""),
        (#"{ .a = "x" } !>> { .b = "y" }"#, 14, "negated structural operator \"!>>\""),
        (#"{ .a = "x" } &>> { .b = "y" }"#, 14, "union structural operator \"&>>\""),
        ("{ .a = nil }", 8, "nil"),
        ("{ .a + 1 = 2 }", 6, "arithmetic operator \"+\""),
        ("{ parent.x = 1 }", 3, "the parent. attribute scope"),
        ("{ span:id = \"1\" }", 3, "intrinsic \"span:id\""),
        ("{ nestedSetParent = 1 }", 3, "intrinsic \"nestedSetParent\""),
        ("{ 1 = .a }", 3, "a literal on the left"),
        ("{ .a }", 3, "an attribute without a comparison"),
        ("avg(duration)", 1, "function or keyword \"avg\""),
    ])
    func unsupportedConstructsAreNamedWithPosition(query: String, position: Int, construct: String) throws {
        do {
            _ = try TraceQL.parse(query)
            Issue.record("\(query) parsed")
        } catch let e as TraceQLError {
            #expect(e.position == position, "\(e)")
            #expect(e.message.contains("unsupported TraceQL construct: " + construct), "\(e)")
        }
    }

    @Test(arguments: [
        ("", 1, "empty query"),
        ("{ .a = \"x\"", 11, "want \"}\""),
        ("{ status = 500 }", 12, "status compares with"),
        ("{ kind = error }", 10, "kind compares with"),
        ("{ duration > \"x\" }", 14, "compares with a duration"),
        ("{ name = 3 }", 10, "compares with a string"),
        ("{ .a =~ 3 }", 9, "needs a string"),
        ("{ .a = \"x }", 8, "unterminated string"),
        ("{ bogus = 1 }", 3, "unknown attribute or intrinsic \"bogus\""),
        ("{ .a = \"x\" } garbage", 14, "unexpected"),
        ("{ .a = 5parsecs }", 8, "invalid number or duration"),
        ("{ .a = \"x\" } >>", 16, "want a span filter"),
        ("{ .a = \"x\" # }", 12, "unexpected character"),
    ])
    func syntaxErrorsCarryPosition(query: String, position: Int, fragment: String) throws {
        do {
            _ = try TraceQL.parse(query)
            Issue.record("\(query) parsed")
        } catch let e as TraceQLError {
            #expect(e.position == position, "\(e)")
            #expect(e.message.contains(fragment), "\(e)")
        }
    }

    @Test(arguments: [("2s", 2_000_000_000), ("150ms", 150_000_000), ("1h30m", 5_400_000_000_000), ("10us", 10_000),
                      ("10µs", 10_000), ("5ns", 5), ("1.5s", 1_500_000_000)] as [(String, Int64)])
    func durations(text: String, ns: Int64) { #expect(TraceQL.duration(text) == ns) }
}
