import Testing

@testable import LogQL

@Suite struct StageRegexpTests {
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

    static let apache =
        #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#
    static let vllmStats =
        #"(APIServer pid=23283) INFO 08-01 21:24:09 [loggers.py:273] Engine 000: Avg prompt throughput: 6.8 tokens/s, Avg generation throughput: 10.6 tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.7%, Prefix cache hit rate: 0.0%"#

    @Test("| regexp", arguments: [
        Row("no match sets nothing", "(?P<foo>foo|bar)buzz", ["app": "foo"], "blah", ["app=foo"]),
        Row("greedy group", "(?P<foo>.*)buzz", ["app": "bar"], "matchebuzz barbuzz", ["app=bar", "foo=matchebuzz bar"]),
        Row("clash with a stream label", "(?P<bar>bar)buzz", ["bar": "foo"], "barbuzz", ["bar=foo", "bar_extracted=bar"]),
        Row("unnamed groups are not labels", #"status=(?P<status>\w+),latency=(?P<latency>\w+)(ms|ns)"#, ["app": "foo"],
            "status=200,latency=500ms", ["app=foo", "status=200", "latency=500"]),
        Row("(?<name>) syntax", #"(?<method>[A-Z]+) (?<path>\S+)"#, ["job": "x"], "GET /a/b HTTP/1.1",
            ["job=x", "method=GET", "path=/a/b"]),
        Row("(?'name') syntax", #"(?'q'abc)"#, ["job": "x"], "xxabcxx", ["job=x", "q=abc"]),
        Row("group outside the match is empty", #"(?P<a>x)?y(?P<b>z)"#, ["job": "x"], "yz", ["job=x", "a=", "b=z"]),
        Row("nested groups", #"(?P<outer>a(?P<inner>b)c)"#, ["job": "x"], "xabcx", ["job=x", "outer=abc", "inner=b"]),
        Row("unnamed before named", #"(\d+)-(?P<n>\d+)"#, ["job": "x"], "12-34", ["job=x", "n=34"]),
        Row("case-insensitive flag", #"(?i)level=(?P<level>\w+)"#, ["job": "x"], "LEVEL=Warn rest", ["job=x", "level=Warn"]),
        Row("UTF-8 capture", #"user=(?P<user>[^ ]+)"#, ["job": "x"], "login user=jürgen ok", ["job=x", "user=jürgen"]),
        Row("empty line", #"(?P<a>.*)"#, ["job": "x"], "", ["job=x", "a="]),
        Row("apache line (real line)", #"^(?P<ip>\S+) \S+ \S+ \[(?P<ts>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) (?P<size>\d+|-)"#,
            ["job": "apache"], apache,
            ["job=apache", "ip=83.149.9.216", "ts=17/May/2015:10:05:03 +0000", "method=GET",
             "path=/presentations/logstash-monitorama-2013/images/kibana-search.png", "status=200", "size=203023"]),
        Row("vLLM throughput (real line)",
            #"Avg prompt throughput: (?P<prompt_tps>[\d.]+) tokens/s, Avg generation throughput: (?P<gen_tps>[\d.]+).*usage: (?P<kv>[\d.]+)%"#,
            ["job": "vllm"], vllmStats, ["job=vllm", "prompt_tps=6.8", "gen_tps=10.6", "kv=0.7"]),
        Row("two clashes", #"(?P<job>\w+)/(?P<app>\w+)"#, ["job": "x", "app": "y"], "ingest/api",
            ["job=x", "app=y", "job_extracted=ingest", "app_extracted=api"]),
        Row("first match only", #"id=(?P<id>\d+)"#, ["job": "x"], "id=1 id=2", ["job=x", "id=1"]),
    ])
    func regexp(_ row: Row) throws {
        let (labels, result) = try runStage(try RegexpParserStage(pattern: row.pattern), stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
        #expect(result.replacement == nil)
    }

    /// PCRE2 10.42's JIT with `PCRE2_MATCH_INVALID_UTF` stops bare `\S`, `\D` and `\W` at the first non-ASCII
    /// character; `ByteSearch.Regex` brackets them (`[\S]`), which the JIT gets right.
    @Test("negated shorthands over non-ASCII", arguments: [
        (#"user=(?P<user>\S+)"#, "login user=jürgen ok", "user=jürgen"),
        (#"user=(?P<user>\D+) "#, "login user=jürgen€ ok", "user=jürgen€"),
        (#"user=(?P<user>\w+\W+\w+)"#, "login user=jürgen ok", "user=jürgen"),
        (#"(?P<user>\S+)$"#, "ok Zürich", "user=Zürich"),
        (#"^(?P<user>\S+)"#, "ça va", "user=ça"),
    ])
    func negatedClassOverNonASCII(_ pattern: String, _ line: String, _ want: String) throws {
        let (labels, _) = try runStage(try RegexpParserStage(pattern: pattern), stream: ["job": "x"], line: line)
        #expect(labels == ["job=x", want])
    }

    @Test("invalid | regexp", arguments: [
        StageErrorRow("w.*", "at least one named capture must be supplied"),
        StageErrorRow("f(.*) (foo|bar|buzz)", "at least one named capture must be supplied"),
        StageErrorRow("blah (.*) (?P<foo>foo)(?P<foo>barr)", "duplicate extracted label name 'foo'"),
        StageErrorRow("(?<a>x)|(?<a>y)", "duplicate extracted label name 'a'"),
    ])
    func invalid(_ row: StageErrorRow) {
        expectLogQLError(row.message) { try RegexpParserStage(pattern: row.input) }
    }

    @Test("regex syntax errors", arguments: ["(?P<foo>foo", "(?P<foo$>foo)(?P<bar>barr)", "a[b"])
    func syntax(_ pattern: String) {
        let error = #expect(throws: LogQLError.self) { try RegexpParserStage(pattern: pattern) }
        #expect(error?.message.hasPrefix("invalid regex in regexp stage: ") == true)
    }

    @Test("valid with unnamed groups", arguments: ["blah (.*) (?P<foo>)", "blah (.*) (?P<foo>foo)(?P<bar>barr)"])
    func valid(_ pattern: String) {
        #expect(throws: Never.self) { try RegexpParserStage(pattern: pattern) }
    }
}
