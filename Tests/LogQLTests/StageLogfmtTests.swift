import Testing

@testable import LogQL

@Suite struct StageLogfmtTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let note: String
        let flags: String
        let stream: [String: String]
        let line: String
        let want: [String]

        /// `flags`: "" or any of "--strict", "--keep-empty".
        init(_ note: String, _ flags: String, _ stream: [String: String], _ line: String, _ want: [String]) {
            self.note = note
            self.flags = flags
            self.stream = stream
            self.line = line
            self.want = want
        }

        var testDescription: String { note + (flags.isEmpty ? "" : " " + flags) }
        var strict: Bool { flags.contains("--strict") }
        var keepEmpty: Bool { flags.contains("--keep-empty") }
    }

    static let androidAcquire =
        #"03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404, flags=0x1, tag="View Lock", name=com.android.systemui, ws=null, uid=10037, pid=2227"#
    static let androidRelease =
        #"03-17 16:13:38.905  1702 10454 D PowerManagerService: release:lock=233570404, flg=0x0, tag="View Lock", name=com.android.systemui", ws=null, uid=10037, pid=2227"#
    static let uvicorn = #"(APIServer pid=23283) INFO:     127.0.0.1:35594 - "GET /v1/models HTTP/1.1" 200 OK"#

    @Test("| logfmt", arguments: [
        Row("not logfmt", "", ["foo": "bar"], "foobar====wqe=sdad1r", ["foo=bar"]),
        Row("not logfmt", "--strict", ["foo": "bar"], "foobar====wqe=sdad1r",
            ["foo=bar", "__error__=LogfmtParserErr", "__error_details__=logfmt syntax error at pos 8 : unexpected '='"]),
        Row("U+FFFD in a value becomes a space", "", ["job": "x"], "buzz=foo bar=\u{FFFD}f", ["job=x", "bar= f", "buzz=foo"]),
        Row("bare key is empty and skipped", "", ["foo": "bar"], "buzz bar=foo", ["foo=bar", "bar=foo"]),
        Row("bare key kept", "--keep-empty", ["foo": "bar"], "foo bar=buzz", ["foo=bar", "foo_extracted=", "bar=buzz"]),
        Row("quoted value", "", ["foo": "bar"], #"foobar="foo bar""#, ["foo=bar", "foobar=foo bar"]),
        Row("escaped control characters", "", ["a": "b"], #"foobar="foo\nbar\tbaz""#, ["a=b", "foobar=foo\nbar\tbaz"]),
        Row("literal control characters", "", ["a": "b"], "foobar=\"foo\nbar\tbaz\"", ["a=b", "foobar=foo\nbar\tbaz"]),
        Row("escaped backslash", "", ["a": "b"], #"foobar="foo ba\\r baz""#, ["a=b", #"foobar=foo ba\r baz"#]),
        Row("unicode escapes", "", ["a": "b"], #"msg="caf\u00e9 \ud83d\ude00 \ud800x" q="\"hi\"""#,
            ["a=b", "msg=café 😀  x", #"q="hi""#]),
        Row("duplicate key: last wins", "", ["foo": "bar"], #"foobar="foo bar" foobar=10ms"#, ["foo=bar", "foobar=10ms"]),
        Row("clash with a stream label", "", ["foo": "bar"], #"foo="foo bar" foobar=10ms"#,
            ["foo=bar", "foo_extracted=foo bar", "foobar=10ms"]),
        Row("keys sanitised", "", ["foo": "bar"], #"foo.bar=10ms test-dash=foo 1st=yes"#,
            ["foo=bar", "foo_bar=10ms", "test_dash=foo", "_1st=yes"]),
        Row("empty key skipped", "", ["foo": "bar"], #"foo="foo bar" =notkey bar=10ms"#,
            ["foo=bar", "foo_extracted=foo bar", "bar=10ms"]),
        Row("empty key", "--strict", ["foo": "bar"], #"foo="foo bar" =notkey bar=10ms"#,
            ["foo=bar", "foo_extracted=foo bar", "__error__=LogfmtParserErr",
             "__error_details__=logfmt syntax error at pos 15 : unexpected '='"]),
        Row("U+FFFD in a key", "", ["foo": "bar"], "foo=\"foo bar\" b\u{FFFD}r=10ms", ["foo=bar", "foo_extracted=foo bar"]),
        Row("U+FFFD in a key", "--strict", ["foo": "bar"], "foo=\"foo bar\" b\u{FFFD}r=10ms",
            ["foo=bar", "foo_extracted=foo bar", "__error__=LogfmtParserErr",
             "__error_details__=logfmt syntax error at pos 20 : invalid key"]),
        Row("quote in a key", "--strict", ["foo": "bar"], #"foo="foo bar" bu"zz=10ms"#,
            ["foo=bar", "foo_extracted=foo bar", "__error__=LogfmtParserErr",
             #"__error_details__=logfmt syntax error at pos 17 : unexpected '"'"#]),
        Row("= in a value", "", ["foo": "bar"], #"bar=bu=zz foo="foo bar""#, ["foo=bar", "foo_extracted=foo bar"]),
        Row("= in a value", "--strict", ["foo": "bar"], #"bar=bu=zz foo="foo bar""#,
            ["foo=bar", "__error__=LogfmtParserErr", "__error_details__=logfmt syntax error at pos 7 : unexpected '='"]),
        Row("unterminated quote", "--strict", ["job": "x"], #"a=1 b="xyz"#,
            ["job=x", "a=1", "__error__=LogfmtParserErr",
             "__error_details__=logfmt syntax error at pos 11 : unterminated quoted value"]),
        Row("invalid escape", "--strict", ["job": "x"], #"a="\x" b=2"#,
            ["job=x", "__error__=LogfmtParserErr", "__error_details__=logfmt syntax error at pos 7 : invalid quoted value"]),
        Row("invalid escape skipped", "", ["job": "x"], #"a="\x" b=2"#, ["job=x", "b=2"]),
        Row("empty values", "", ["job": "x"], #"a= b="" c=3"#, ["job=x", "c=3"]),
        Row("empty values", "--keep-empty", ["job": "x"], #"a= b="" c=3"#, ["job=x", "a=", "b=", "c=3"]),
        Row("empty line", "--strict", ["job": "x"], "", ["job=x"]),
        Row("Android key=value (real line)", "", ["job": "android"], androidAcquire,
            ["job=android", "lock=233570404,", "flags=0x1,", "tag=View Lock", "name=com.android.systemui,", "ws=null,",
             "uid=10037,", "pid=2227"]),
        Row("Android stray quote (real line)", "", ["job": "android"], androidRelease,
            ["job=android", "release_lock=233570404,", "flg=0x0,", "tag=View Lock", "ws=null,", "uid=10037,", "pid=2227"]),
        Row("Android stray quote (real line)", "--strict", ["job": "android"], androidRelease,
            ["job=android", "release_lock=233570404,", "flg=0x0,", "tag=View Lock", "__error__=LogfmtParserErr",
             #"__error_details__=logfmt syntax error at pos 130 : unexpected '"'"#]),
        Row("uvicorn access line (real line)", "", ["job": "vllm"], uvicorn, ["job=vllm", "pid=23283)"]),
        Row("uvicorn access line (real line)", "--strict", ["job": "vllm"], uvicorn,
            ["job=vllm", "pid=23283)", "__error__=LogfmtParserErr",
             #"__error_details__=logfmt syntax error at pos 51 : unexpected '"'"#]),
        Row("uvicorn access line (real line)", "--keep-empty", ["job": "vllm"], uvicorn,
            ["job=vllm", "_APIServer=", "pid=23283)", "INFO_=", "_127_0_0_1_35594=", "_=", "_v1_models=", "_200=", "OK="]),
    ])
    func logfmt(_ row: Row) throws {
        let stage = LogfmtParserStage(strict: row.strict, keepEmpty: row.keepEmpty)
        let (labels, result) = try runStage(stage, stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
        #expect(result.replacement == nil)
    }

    static let lokiLine = #"app=foo level=error spaces="value with ÜFT8👌" ts=2021-02-12T19:18:10.037940878Z"#

    @Test("| logfmt label=\"key\"", arguments: [
        StageRow("single field", ["job": "x"], lokiLine, ["job=x", "app=foo"]),
        StageRow("multiple fields", ["job": "x"], lokiLine, ["job=x", "app=foo", "level=error", "ts=2021-02-12T19:18:10.037940878Z"]),
        StageRow("renaming", ["job": "x"], lokiLine, ["job=x", "lvl=error", "timestamp=2021-02-12T19:18:10.037940878Z"]),
        StageRow("UTF-8 value", ["job": "x"], lokiLine, ["job=x", "spaces=value with ÜFT8👌"]),
        StageRow("missing key gives an empty label", ["job": "x"], lokiLine, ["job=x", "nope="]),
        StageRow("clash with a stream label", ["app": "bar"], lokiLine, ["app=bar", "app_extracted=foo"]),
        StageRow("renamed from a stream label's name", ["level": "debug"], lokiLine, ["level=debug", "lvl=error"]),
        StageRow("U+FFFD value becomes empty", ["job": "x"], "app=a\u{FFFD}b", ["job=x", "app="]),
        StageRow("empty value is kept", ["job": "x"], "app= level=warn", ["job=x", "app=", "level=warn"]),
        StageRow("sanitised line key", ["job": "x"], "my.app=svc", ["job=x", "a=svc"]),
    ])
    func keys(_ row: StageRow) throws {
        let extractions: [String: [(label: String, key: String)]] = [
            "single field": [("app", "app")],
            "multiple fields": [("app", "app"), ("level", "level"), ("ts", "ts")],
            "renaming": [("lvl", "level"), ("timestamp", "ts")],
            "UTF-8 value": [("spaces", "spaces")],
            "missing key gives an empty label": [("nope", "nope")],
            "clash with a stream label": [("app", "app")],
            "renamed from a stream label's name": [("lvl", "level")],
            "U+FFFD value becomes empty": [("app", "app")],
            "empty value is kept": [("app", "app"), ("level", "level")],
            "sanitised line key": [("a", "my_app")],
        ]
        let stage = try LogfmtParserStage(extractions: try #require(extractions[row.note]))
        let (labels, _) = try runStage(stage, stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
    }

    @Test func keysStrict() throws {
        let stage = try LogfmtParserStage(strict: true, extractions: [("b", "b"), ("c", "c")])
        let (labels, _) = try runStage(stage, stream: ["job": "x"], line: "b=1 x==2 c=3")
        #expect(labels == ["__error__=LogfmtParserErr", "__error_details__=logfmt syntax error at pos 7 : unexpected '='",
                           "b=1", "c=", "job=x"])
    }

    @Test("invalid logfmt expressions", arguments: [
        StageErrorRow("field with space", "cannot parse expression [field with space]: syntax error: unexpected KEY"),
        StageErrorRow("a.b", "cannot parse expression [a.b]: unexpected char ."),
        StageErrorRow("1a", "cannot parse expression [1a]: unexpected char 1"),
        StageErrorRow("", "cannot parse expression []: syntax error: unexpected $end, expecting KEY"),
    ])
    func invalidKey(_ row: StageErrorRow) {
        expectLogQLError(row.message) { try LogfmtParserStage(extractions: [("x", row.input)]) }
    }

    @Test func reuseAcrossLines() throws {
        let stage = LogfmtParserStage(strict: true, keepEmpty: false)
        _ = try runStage(stage, stream: ["job": "x"], line: #"a="\u00e9" b="#)
        let (labels, _) = try runStage(stage, stream: ["job": "x"], line: "c=3")
        #expect(labels == ["c=3", "job=x"])
    }
}
