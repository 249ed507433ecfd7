import Testing

@testable import LogQL

@Suite struct StagePatternTests {
    static let combined = #"<ip> - - [<_>] "<method> <path> <_>" <status> <size> <_>"#

    struct Row: Sendable, CustomTestStringConvertible {
        let note: String
        let pattern: String
        let stream: [String: String]
        let line: String
        let want: [String]

        init(_ note: String, _ pattern: String, _ stream: [String: String], _ line: String, _ want: [String]) {
            self.note = note
            self.pattern = pattern
            self.stream = stream
            self.line = line
            self.want = want
        }

        var testDescription: String { note }
    }

    @Test("| pattern", arguments: [
        Row("apache combined (real line)", combined, ["job": "apache"],
            #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#,
            ["job=apache", "ip=83.149.9.216", "method=GET",
             "path=/presentations/logstash-monitorama-2013/images/kibana-search.png", "status=200", "size=203023"]),
        Row("apache combined, size - (real line)", combined, ["job": "apache"],
            #"89.170.74.95 - - [17/May/2015:16:05:27 +0000] "HEAD /projects/xdotool/ HTTP/1.1" 200 - "-" "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:24.0) Gecko/20100101 Firefox/24.0""#,
            ["job=apache", "ip=89.170.74.95", "method=HEAD", "path=/projects/xdotool/", "status=200", "size=-"]),
        Row("forwarded-for list (real line)", combined, ["job": "nginx"],
            #"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0""#,
            ["job=nginx", "ip=10.0.0.2, 10.0.0.1, 127.0.0.1", "method=GET", "path=/ocelot", "status=200", "size=571"]),
        Row("empty request (real line): captures run on", combined, ["job": "nginx"],
            #"127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-""#,
            ["job=nginx", "ip=127.0.0.1", #"method=""#, "path=400", #"status="-""#]),
        Row("clash with a stream label", combined, ["method": "x"],
            #"172.17.0.1 - - [29/May/2017:19:02:48 +0000] "GET /stringpatch HTTP/1.1" 404 612 "-" "Mozilla/5.0 (Windows NT 6.1; rv:15.0) Gecko/20120716 Firefox/15.0a2" "-""#,
            ["method=x", "ip=172.17.0.1", "method_extracted=GET", "path=/stringpatch", "status=404", "size=612"]),
        Row("uvicorn access line (real line)", #"<_> INFO:     <client> - "<method> <path> <_>" <status> <_>"#, ["job": "vllm"],
            #"(APIServer pid=23283) INFO:     127.0.0.1:35594 - "GET /v1/models HTTP/1.1" 200 OK"#,
            ["job=vllm", "client=127.0.0.1:35594", "method=GET", "path=/v1/models", "status=200"]),
        Row("vLLM line does not fit the apache pattern", combined, ["job": "vllm"],
            #"(APIServer pid=23283) INFO:     Waiting for application startup."#,
            ["job=vllm", "ip=(APIServer pid=23283) INFO:     Waiting for application startup."]),
        Row("leading literal must start the line", "foo <f>", ["job": "x"], "bar foo baz", ["job=x"]),
        Row("empty line", combined, ["job": "x"], "", ["job=x"]),
        Row("missing literal: capture takes the rest, later ones unset", "<a> - <b> [<c>]", ["job": "x"], "x - y z",
            ["job=x", "a=x", "b=y z"]),
        Row("text after a trailing literal is ignored", "<_> <id> [<level>] ", ["job": "x"],
            "2021-05-19T07:40:12.215792Z 42761518 [Note] Aborted connection",
            ["job=x", "id=42761518", "level=Note"]),
        Row("Loki's distributor example", #"<_> msg="<method> <path> (<status>) <duration>""#, ["method": "bar"],
            #"level=debug ts=2021-05-19T07:54:26.864644382Z caller=logging.go:66 traceID=7fbb92fd0eb9c65d msg="POST /loki/api/v1/push (204) 1.238734ms""#,
            ["method=bar", "method_extracted=POST", "path=/loki/api/v1/push", "status=204", "duration=1.238734ms"]),
        Row("common log format", #"<ip> <userid> <user> [<_>] "<method> <path> <_>" <status> <size>"#, ["foo": "bar"],
            #"127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#,
            ["foo=bar", "ip=127.0.0.1", "userid=user-identifier", "user=frank", "method=GET", "path=/apache_pb.gif",
             "status=200", "size=2326"]),
        Row("cassandra", "<level>  [<component>]<_> in <duration>.<_>", ["job": "x"],
            "INFO  [Service Thread] 2021-05-19 07:40:12,130 GCInspector.java:284 - ParNew GC in 248ms.  CMS Old Gen: 5043436640",
            ["job=x", "level=INFO", "component=Service Thread", "duration=248ms"]),
        Row("unicode literal", "unicode ▶ <what>", ["job": "x"], "unicode ▶ character", ["job=x", "what=character"]),
        Row("unicode capture", "unicode <emoji> character", ["job": "x"], "unicode 🤷 character", ["job=x", "emoji=🤷"]),
        Row("a < that is no capture is literal", "<a> <b <c>", ["job": "x"], "1 <b 2", ["job=x", "a=1", "c=2"]),
    ])
    func pattern(_ row: Row) throws {
        let (labels, result) = try runStage(try PatternParserStage(pattern: row.pattern), stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
        #expect(result.replacement == nil)
    }

    /// Loki's `pattern_test.go` fixtures: whether the `|>` filter keeps the line.
    @Test("|> pattern line filter", arguments: [
        ("foo <_> bar", "foo buzz bar", true),
        ("foo <_> bar<_>", "foo buzz bar", false),
        ("<_>foo <_> bar", "foo buzz bar", false),
        ("<_> bar<_>", " bar", false),
        ("<_>bar<_>", " bar ", true),
        ("<_> bar<_>", " bar ", false),
        ("<_>bar <_>", " bar ", false),
        ("<_>", " bar ", true),
        ("<_>?<_>", "/api/plugins/versioncheck?slugIn=snuids-trafficlights-panel,input,gel", true),
        ("<_>?<_>", "/api/plugins/status", false),
        ("<_> - - [<_>] \"<_> <_> <_>\" <_> <_> ", "35.191.8.106 - - [19/May/2021:07:21:49 +0000] \"GET /api HTTP/1.1\" 200 107 \"-\"", false),
        ("<_> msg=\"<_> <_> (<_>) <_>\"", "level=debug msg=\"POST /loki/api/v1/push (204) 1.238734ms\"", true),
        ("unicode ▶ <_>", "unicode ▶ character", true),
        ("", "", true),
        ("", "x", false),
        ("<_>", "", false),
        ("foo <_>", "xfoo bar", true),
        ("foo", "foo", true),
        ("foo", "foo bar", false),
    ])
    func lineFilter(_ pattern: String, _ line: String, _ want: Bool) throws {
        let m = try PatternMatcher(lineFilter: pattern)
        var line = line
        #expect(line.withUTF8 { m.matches(UnsafeRawBufferPointer($0)) } == want)
    }

    @Test("invalid | pattern", arguments: [
        StageErrorRow("", "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or LITERAL"),
        StageErrorRow("<_>", "at least one capture is required"),
        StageErrorRow("foo <_> bar <_>", "at least one capture is required"),
        StageErrorRow("foo bar buzz", "at least one capture is required"),
        StageErrorRow("<f><f>", "found consecutive capture '<f><f>': invalid expression"),
        StageErrorRow("<f> f<d><b>", "found consecutive capture '<d><b>': invalid expression"),
        StageErrorRow("<f> f<f>", "duplicate capture name (f): invalid expression"),
        StageErrorRow("f<f><_>", "found consecutive capture '<f><_>': invalid expression"),
        StageErrorRow("<f>f<f><_>", "found consecutive capture '<f><_>': invalid expression"),
    ])
    func invalidPattern(_ row: StageErrorRow) {
        expectLogQLError(row.message) { try PatternParserStage(pattern: row.input) }
    }

    @Test("invalid |> pattern", arguments: [
        StageErrorRow("<foo <foo> bar <_>", "named captures are not allowed: found '<foo>'"),
        StageErrorRow("<foo>", "named captures are not allowed: found '<foo>'"),
        StageErrorRow("<_><_>", "found consecutive capture '<_><_>': invalid expression"),
    ])
    func invalidLineFilter(_ row: StageErrorRow) {
        expectLogQLError(row.message) { try PatternMatcher(lineFilter: row.input) }
    }

    @Test func names() throws {
        #expect(try PatternMatcher(pattern: StagePatternTests.combined).names == ["ip", "method", "path", "status", "size"])
    }
}
