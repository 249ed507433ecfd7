import Testing

@testable import LogQL

/// `line_format` / `label_format` templates: Loki's own `fmt_test.go` cases and documentation examples, then the Go
/// `text/template` syntax, every function, `printf`, and the errors (message and byte position).
@Suite struct TemplateTests {
    enum Want: Sendable, Equatable {
        case out(String)
        /// A render error: message and byte offset in the template.
        case render(String, Int)
        /// A parse error: message and byte offset in the template.
        case parse(String, Int)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let template: String
        let labels: [String: String]
        let line: String
        let ts: Int64
        let want: Want

        init(_ template: String, _ labels: [String: String], line: String = "", ts: Int64 = 0, _ want: Want) {
            self.template = template
            self.labels = labels
            self.line = line
            self.ts = ts
            self.want = want
        }

        init(_ template: String, line: String = "", ts: Int64 = 0, _ want: Want) {
            self.init(template, [:], line: line, ts: ts, want)
        }

        var testDescription: String { template.count > 100 ? String(template.prefix(100)) + "…" : template }
    }

    /// The timestamp of Loki's line-format tests: 2022-06-27 18:05:24.12 UTC.
    static let ts: Int64 = 1_656_353_124_120_000_000
    /// The timestamp of Loki's label-format tests: 2022-08-26 12:54:13.244672570 UTC.
    static let labelTS: Int64 = 1_661_518_453_244_672_570
    static let blip = ["foo": "blip", "bar": "blop"]
    static let loki = "/loki/api/v1/query?query=sum(count_over_time({stream_filter=\"some_stream\",environment=\"prod\", host=~\"someec2.*\"}"
    static let lokiEncoded = "%2Floki%2Fapi%2Fv1%2Fquery%3Fquery%3Dsum%28count_over_time%28%7Bstream_filter%3D%22some_stream%22%2Cenvironment%3D%22prod%22%2C+host%3D~%22someec2.%2A%22%7D"

    static func check(_ row: Row) {
        let template: LineTemplate
        do {
            template = try LineTemplate(row.template)
        } catch let e as LogQLError {
            #expect(Want.parse(e.message, e.position ?? -1) == row.want)
            return
        } catch {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(template.source == row.template)
        do {
            let out = try template.render(label: { row.labels[$0] }, line: row.line, timestamp: row.ts)
            #expect(Want.out(out) == row.want)
        } catch let e as LogQLError {
            #expect(Want.render(e.message, e.position ?? -1) == row.want)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    // MARK: Loki's fmt_test.go

    @Test("Loki's line_format tests", arguments: [
        Row(#"{{.foo | count "abc" }}"#, ["foo": "abc abc abc", "bar": "blop"], .out("3")),
        Row(#"{{.foo | count "a|b|c" }}"#, ["foo": "abc abc abc", "bar": "blop"], .out("9")),
        Row("foo{{.foo}}buzz{{  .bar  }}", blip, .out("fooblipbuzzblop")),
        Row(#"foo{{.foo}}buzz{{ Replace .bar "blop" "bar" -1 }}"#, blip, .out("fooblipbuzzbar")),
        Row(#"foo{{.foo}}buzz{{ .bar | replace "blop" "bar" }}"#, blip, .out("fooblipbuzzbar")),
        Row("{{.foo | title }}", blip, .out("Blip")),
        Row("{{.foo | substr 1 3 }} {{ .bar  | trunc 1 }} {{ .bar  | trunc 3 }}", blip, .out("li b blo")),
        Row(#"{{.foo | trim }} {{ .bar  | trimAll "op" }} {{ .bar  | trimPrefix "b" }} {{ .bar  | trimSuffix "p" }}"#,
            ["foo": "  blip ", "bar": "blop"], .out("blip bl lop blo")),
        Row("{{.foo | lower }} {{ .bar  | upper }}", ["foo": "BLIp", "bar": "blop"], .out("blip BLOP")),
        Row("{{.foo | urlencode }} {{ urlencode .foo }}", ["foo": loki], .out(lokiEncoded + " " + lokiEncoded)),
        Row("{{.foo | urldecode }} {{ urldecode .foo }}", ["foo": lokiEncoded], .out(loki + " " + loki)),
        Row(#"{{ "foo" | repeat 3 }}"#, .out("foofoofoo")),
        Row(#"{{ "foo\n bar" | indent 4 }}"#, .out("    foo\n     bar")),
        Row(#"{{ "foo" | nindent 2 }}"#, .out("\n  foo")),
        Row(#"{{ if  .foo | contains "p"}}yes{{end}}-{{ if  .foo | contains "z"}}no{{end}}"#, ["foo": "BLIp"], .out("yes-")),
        Row(#"{{ if  .foo | hasPrefix "BL" }}yes{{end}}-{{ if  .foo | hasPrefix "p"}}no{{end}}"#, ["foo": "BLIp"], .out("yes-")),
        Row(#"{{ if  .foo | hasSuffix "Ip" }}yes{{end}}-{{ if  .foo | hasSuffix "pw"}}no{{end}}"#, ["foo": "BLIp"], .out("yes-")),
        Row(#"{{ regexReplaceAll "(p)" .foo "t" }}"#, ["foo": "BLIp"], .out("BLIt")),
        Row(#"{{ regexReplaceAllLiteral "(p)" .foo "${1}" }}"#, ["foo": "BLIp"], .out("BLI${1}")),
        Row(#"{{.foo Replace "foo"}}"#, blip, .render("at <.foo>: foo is not a method but has arguments", 2)),
        Row("foo {{.foo}}buzz{{  .bar  }}", ["bar": "blop"], .out("foo buzzblop")),
        Row("foo {{.foo | ToUpper }} buzz{{  .bar  }}", blip, .out("foo BLIP buzzblop")),
        Row("{{ add .foo 1 | sub .bar | mul .baz | div .bazz}}", ["foo": "1", "bar": "3", "baz": "10", "bazz": "20"], .out("2")),
        Row("{{ addf .foo 1.5 | subf .bar 1.5 | mulf .baz | divf .bazz }}",
            ["foo": "1.5", "bar": "5", "baz": "10.5", "bazz": "20.2"], .out("3.8476190476190477")),
        Row("{{ round (addf .foo 1.5 | subf .bar | mulf .baz | divf .bazz) 5 .2}}",
            ["foo": "1.5", "bar": "3.5", "baz": "10.5", "bazz": "20.4"], .out("3.88572")),
        Row("min is {{ min .foo .bar .baz }} and max is {{ max .foo .bar .baz }}", ["foo": "5", "bar": "10", "baz": "15"],
            .out("min is 5 and max is 15")),
        Row("minf is {{ minf .foo .bar .baz }} and maxf is {{maxf .foo .bar .baz}}", ["foo": "5.3", "bar": "10.5", "baz": "15.2"],
            .out("minf is 5.3 and maxf is 15.2")),
        Row("ceil is {{ ceil .foo }} and floor is {{floor .foo }}", ["foo": "5.3"], .out("ceil is 6 and floor is 5")),
        Row("mod is {{ mod .foo 3 }}", ["foo": "20"], .out("mod is 2")),
        Row(#"{{ "2.5" | float64 | int | add 10}}"#, .out("12")),
        Row(#"{{ sub (unixEpoch (toDate "2006-01-02" "2021-11-02")) (unixEpoch (toDate "2006-01-02" "2021-11-01")) }}"#, .out("86400")),
        Row(#"{{ date "2006-01-02" (toDate "2006-01-02" "2021-11-02") }}"#, .out("2021-11-02")),
        Row("{{ div (unixEpoch now) (unixEpoch now) }}", .out("1")),
        Row("{{ __line__ }} bar {{ .bar }}", ["bar": "2"], line: "1", .out("1 bar 2")),
        Row(#"{{.foo | default "-" }}{{.bar | default "-"}}{{.unknown | default "-"}}"#, ["foo": "blip", "bar": ""], .out("blip--")),
        Row(#"{{ __timestamp__ | date "2006-01-02" }} bar {{ .bar }}"#, ["bar": "2"], ts: ts, .out("2022-06-27 bar 2")),
        Row("{{ __timestamp__ | unixEpoch }} bar {{ .bar }}", ["bar": "2"], ts: ts, .out("1656353124 bar 2")),
        Row("{{.foo | now}}", blip, .render("at <now>: wrong number of args for now: want 0 got 1", 9)),
        Row("{{ .foo | bytes }}", ["foo": "3 kB"], .out("3000")),
        Row("{{ .foo | bytes }}", ["foo": "3MB"], .out("3e+06")),
        Row("{{ .foo | duration }}", ["foo": "3ms"], .out("0.003")),
        Row("{{ .foo | duration_seconds }}", ["foo": "3m10s"], .out("190")),
        Row(#"{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochMillis }}"#,
            ["foo": "2023-03-10T01:32:40.340485723Z"], .out("1678411960340")),
        Row(#"{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpochNanos }}"#,
            ["foo": "2023-03-10T01:32:40.340485723Z"], .out("1678411960340485723")),
        Row("{{ .foo | b64enc }}", ["foo": "i'm a string, encode me!"], .out("aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh")),
        Row("{{ .foo | b64dec }}", ["foo": "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh"], .out("i'm a string, encode me!")),
        Row("{{ alignLeft 4 .foo }}", ["foo": "hello"], .out("hell")),
        Row("{{ alignRight 4 .foo }}", ["foo": "hello"], .out("ello")),
        Row("{{.foo}}", ["foo": "bar"], .out("bar")),
        Row("{{.foo}}  ", ["foo": "bar"], .out("bar  ")),
        Row("{{.missing}}", ["foo": "bar"], .out("")),
    ])
    func lokiLineFormat(_ row: Row) { Self.check(row) }

    @Test("Loki's label_format tests", arguments: [
        Row("{{.foo}} and {{.bar}}", blip, .out("blip and blop")),
        Row("{{.foo | ToUpper }} and {{.bar}}", blip, .out("BLIP and blop")),
        Row("{{div .status 100 }}", ["status": "200"], .out("2")),
        Row(#"{{.foo | default "-" }} and {{.bar}}"#, ["bar": "blop"], .out("- and blop")),
        Row(#"{{replace "test" .foo}}"#, blip, .render("at <replace>: wrong number of args for replace: want 3 got 2", 2)),
        Row("{{ __line__ }}", blip, line: "test line", .out("test line")),
        Row(#"{{ __timestamp__ | date "2006-01-02" }}"#, ts: labelTS, .out("2022-08-26")),
        Row("{{ __timestamp__ | unixEpoch }}", ts: labelTS, .out("1661518453")),
        Row(#"{{ __line__ | count "test" }}"#, line: "test line", .out("1")),
        Row(#"{{ __line__ | count "notmatching.*" }}"#, line: "test line", .out("0")),
        Row("{{ .bar | unixToTime }}", ["bar": "19503"], .out("2023-05-26 00:00:00 +0000 UTC")),
        Row("{{ .bar | unixToTime }}", ["bar": "1679577215"], .out("2023-03-23 13:13:35 +0000 UTC")),
        Row("{{ .bar | unixToTime }}", ["bar": "1257894000000"], .out("2009-11-10 23:00:00 +0000 UTC")),
        Row("{{ .bar | unixToTime }}", ["bar": "1673798889902000"], .out("2023-01-15 16:08:09.902 +0000 UTC")),
        Row("{{ .bar | unixToTime }}", ["bar": "1000000000000000000"], .out("2001-09-09 01:46:40 +0000 UTC")),
    ])
    func lokiLabelFormat(_ row: Row) { Self.check(row) }

    // MARK: Loki's documentation

    @Test("examples from Loki's line_format, label_format and template function docs", arguments: [
        Row(#"{{ .path | replace " " "_" | trunc 5 | upper }}"#, ["path": "a b c d e"], .out("A_B_C")),
        Row(#"{{ if and (contains "he" "hello") (contains "llo" "hello") }} yes {{end}}"#, .out(" yes ")),
        Row(#"{{ if contains .err "ErrTimeout" }} timeout {{else if contains "he" "hello"}} yes {{else}} no {{end}}"#,
            ["err": "Timeout"], .out(" timeout ")),
        Row(#"{{ if contains .err "ErrTimeout" }} timeout {{else if contains "he" "hello"}} yes {{else}} no {{end}}"#,
            ["err": "conn reset"], .out(" yes ")),
        Row("{{.ip}} {{.status}} {{div .duration 1000}}", ["ip": "1.1.1.1", "status": "200", "duration": "3000"],
            .out("1.1.1.1 200 3")),
        Row("{{ __timestamp__ }}", ts: ts, .out("2022-06-27 18:05:24.12 +0000 UTC")),
        Row(#"{{ __timestamp__ | date "2006-01-02T15:04:05.00Z-07:00" }}"#, ts: ts, .out("2022-06-27T18:05:24.12Z+00:00")),
        Row("{{ __line__ | lower }}", line: "GET /Index", .out("get /index")),
        Row(#"{{ .foo | toDateInZone "2006-01-02T15:04:05.999999999Z" "UTC" | unixEpoch }}"#,
            ["foo": "2023-03-10T01:32:40.340485723Z"], .out("1678411960")),
        Row(#"from="{{date "2006-01-02" (unixToTime .from)}}""#, ["from": "1679577215"], .out(#"from="2023-03-23""#)),
        Row(#"{{ alignLeft 5 "hello world"}}|{{ alignLeft 5 "hi"}}|"#, .out("hello|hi   |")),
        Row(#"{{ alignRight 5 "hello world"}}|{{ alignRight 5 "hi"}}|"#, .out("world|   hi|")),
        Row(#"{{.http_request_headers_x_forwarded_for | default "-"}}"#, .out("-")),
        Row(#"{{ default "-" "" }}{{ default "-" "foo" }}"#, .out("-foo")),
        Row(#"{{fromJson "{\"foo\": 55}"}}"#, .out("map[foo:55]")),
        Row("{{ range $q := fromJson .queries }} {{ $q.query }} {{ end }}",
            ["queries": #"[{"query":"up"},{"query":"rate(x[5m])"}]"#], .out(" up  rate(x[5m]) ")),
        Row(#"{{ lower "HELLO"}}|{{ upper "hello"}}|{{ title "hello world"}}"#, .out("hello|HELLO|Hello World")),
        Row(#"{{ repeat 3 "hello" }}"#, .out("hellohellohello")),
        Row(#"{{ printf "The IP address was %s" .remote_addr }}"#, ["remote_addr": "129.168.1.1"],
            .out("The IP address was 129.168.1.1")),
        Row(#"{{ printf "%-40.40s" .request_uri}} {{printf "%-5.5s" .request_method}}"#,
            ["request_uri": "/a/509965767/alternative-to-my-mtg.html", "request_method": "GET"],
            .out("/a/509965767/alternative-to-my-mtg.html  GET  ")),
        Row(#""|" {{printf "%15.15s" .ClientHost}} "|""#, ["ClientHost": "10.0.0.1"], .out(#""|"        10.0.0.1 "|""#)),
        Row(#"{{ .cluster | replace "-cluster" "" }}|{{ replace "hello" "world" "hello world" }}"#, ["cluster": "eu-cluster"],
            .out("eu|world world")),
        Row(#"{{ substr 0 5 "hello world"}}|{{ substr 6 11 "hello world"}}"#, .out("hello|world")),
        Row(#"{{ trim "   hello    " }}|{{ trimAll "$" "$5.00" }}|{{ trimPrefix "-" "-hello" }}|{{ trimSuffix "-" "hello-" }}"#,
            .out("hello|5.00|hello|hello")),
        Row(#"{{ trunc 5 "hello world"}}|{{ trunc -5 "hello world"}}"#, .out("hello|world")),
        Row(#"{{ if eq "ErrTimeout" .err }} timeout {{end}}"#, ["err": "ErrTimeout"], .out(" timeout ")),
        Row(#"{{ if hasPrefix "he" "hello" }} yes {{end}}"#, .out(" yes ")),
        Row("{{ add 3 2 5 }}|{{ addf 3.5 2 5 }}|{{ ceil 123.001 }}|{{ div 10 2}}|{{ divf 10 2 4}}", .out("10|10.5|124|5|1.25")),
        Row(#"{{ "3.5" | float64 }}|{{ floor 123.9999 }}|{{ "3" | int }}|{{ max 1 2 3 }}|{{ maxf 1 2.5 3 }}"#, .out("3.5|123|3|3|3")),
        Row("{{ min 1 2 3 }}|{{ minf 1 2.5 3 }}|{{ mul 5 2 3}}|{{ mulf 5.5 2 2.5 }}|{{ mod 10 3}}", .out("1|1|30|27.5|1")),
        Row("{{ round 123.555555 3 }}|{{ round 123.88571428571 5 .2 }}|{{ round 123.88571428571 5 }}", .out("123.556|123.88572|123.88571")),
        Row("{{ sub 5 2 }}|{{ subf  5.5 2 1.5 }}", .out("3|2")),
        Row(#"{{ count "a|b" "abab" }}|{{ count "o" "foo" }}"#, .out("4|2")),
        Row(#"{{ regexReplaceAll "(a*)bc" .some_label "${1}a" }}"#, ["some_label": "aabcxbc"], .out("aaaxa")),
        Row(#"{{ regexReplaceAllLiteral "(ts=)" .timestamp "timestamp=" }}"#, ["timestamp": "ts=1687 msg=x"],
            .out("timestamp=1687 msg=x")),
    ])
    func lokiDocs(_ row: Row) { Self.check(row) }

    // MARK: syntax

    @Test("text, trim markers, comments, constants", arguments: [
        Row("plain text only", .out("plain text only")),
        Row("a  {{- .x -}}  b", ["x": "X"], .out("aXb")),
        Row("a {{ .x -}}\n b", ["x": "X"], .out("a Xb")),
        Row("a\n\t{{- .x }} b", ["x": "X"], .out("aX b")),
        Row("{{-3}}", .out("-3")),
        Row("x {{- /* gone */ -}} y", .out("xy")),
        Row("{{/* note */}}x{{/* multi\nline */}}", .out("x")),
        Row(#"{{.x}} {{- "" -}} {{.x}}"#, ["x": "X"], .out("XX")),
        Row("{{\n.x\n}}", ["x": "X"], .out("X")),
        Row("{{ 1e6 }}|{{ 0.0001 }}|{{ 0.00001 }}|{{ -2.50 }}|{{ 123456.0 }}|{{ 1234567.0 }}",
            .out("1e+06|0.0001|1e-05|-2.5|123456|1.234567e+06")),
        Row("{{ 0x1F }}|{{ 'a' }}|{{ 1_000 }}|{{ 0o17 }}|{{ 017 }}|{{ true }}", .out("31|97|1000|15|15|true")),
        Row(#"{{ "tab\there\u00e9\x41\101" }}"#, .out("tab\thereéAA")),
        Row(#"{{ `raw \n "q"` }}"#, .out(#"raw \n "q""#)),
        Row(#"{{ "a" }}{{ "b" }}{{ print }}"#, .out("ab")),
    ])
    func syntax(_ row: Row) { Self.check(row) }

    @Test("if / else if / else / with / range / variables", arguments: [
        Row("{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}", ["a": "1"], .out("A")),
        Row("{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}", ["b": "1"], .out("B")),
        Row("{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}", ["a": ""], .out("C")),
        Row(#"{{ if "0" }}t{{ else }}f{{ end }}|{{ if 0 }}t{{ else }}f{{ end }}|{{ if 0.0 }}t{{ else }}f{{ end }}"#, .out("t|f|f")),
        Row(#"{{ if false }}t{{ else }}f{{ end }}|{{ if int "0" }}t{{ else }}f{{ end }}|{{ if now }}t{{ end }}"#, .out("f|f|t")),
        Row(#"{{ if fromJson "[]" }}t{{ else }}f{{ end }}|{{ if fromJson "[0]" }}t{{ else }}f{{ end }}"#, .out("f|t")),
        Row("{{ if and .a .b }}both{{ else if or .a .b }}one{{ else }}none{{ end }}", ["a": "1"], .out("one")),
        Row("{{ if not .a }}empty{{ end }}|{{ if .a }}{{ if .b }}ab{{ else }}a{{ end }}{{ end }}", ["a": "1"], .out("|a")),
        Row("{{ with .a }}[{{ . }}]{{ else }}none{{ end }}", ["a": "v"], .out("[v]")),
        Row("{{ with .a }}[{{ . }}]{{ else }}none{{ end }}", [:], .out("none")),
        Row("{{ with .a }}A{{ else with .b }}B{{ end }}", ["b": "1"], .out("B")),
        Row("{{ with $x := .a }}{{ $x }}{{ $.b }}{{ end }}", ["a": "1", "b": "2"], .out("12")),
        Row(#"{{ $x := .a }}{{ $x }}-{{ $x = "b" }}{{ $x }}|{{ $.a }}"#, ["a": "A"], .out("A-b|A")),
        Row("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", .out("2")),
        Row("{{ range $i := 3 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}", .out("012|none")),
        Row(#"{{ range $i, $e := fromJson "[1,2,3]" }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $e }}{{ end }}"#, .out("1")),
        Row(#"{{ range $i, $e := fromJson "[1,2,3]" }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $e }}{{ end }}"#, .out("13")),
        Row(#"{{ range fromJson "[]" }}x{{ else }}empty{{ end }}"#, .out("empty")),
        Row(#"{{ range $k, $v := fromJson "{\"b\":2,\"a\":1}" }}{{ $k }}={{ $v }};{{ end }}"#, .out("a=1;b=2;")),
        Row(#"{{ range fromJson __line__ }}<{{ .n }}>{{ end }}"#, line: #"[{"n":"x"},{"m":1}]"#, .out("<x><<no value>>")),
    ])
    func control(_ row: Row) { Self.check(row) }

    // MARK: functions

    @Test("string functions", arguments: [
        Row(#"{{ Replace "aaa" "a" "b" 2 }}|{{ Replace "ab" "" "-" -1 }}|{{ replace "" "-" "ab" }}"#, .out("bba|-a-b-|-a-b-")),
        Row(#"{{ TrimLeft "xxhixx" "x" }}|{{ TrimRight "xxhixx" "x" }}|{{ Trim "xyhiyx" "yx" }}"#, .out("hixx|xxhi|hi")),
        Row(#"{{ TrimPrefix "prefix-x" "prefix-" }}|{{ TrimSuffix "x.log" ".log" }}|{{ TrimSpace "\t hi \n" }}"#, .out("x|x|hi")),
        Row(#"{{ ToLower "ÀB" }}|{{ upper "straße" }}|{{ lower "ΣΑΣ" }}"#, .out("àb|STRAßE|σασ")),
        Row(#"{{ title "hello wide_world ça-va" }}"#, .out("Hello Wide_world Ça-Va")),
        Row(#"{{ trunc 2 "héllo" }}|{{ trunc -3 "héllo" }}|{{ trunc 0 "x" }}|{{ trunc -9 "xy" }}"#, .out("hé|llo||xy")),
        Row(#"{{ substr -1 2 "hello" }}|{{ substr 3 -1 "hello" }}|{{ substr 4 99 "hello" }}|{{ substr 3 1 "hello" }}"#,
            .out("he|lo|o|")),
        Row(#"{{ alignRight 3 "héllo" }}|{{ alignLeft 7 "héllo" }}|{{ alignLeft -1 "x" }}"#, .out("llo|héllo  |x")),
        Row(#"{{ len "héllo" }}|{{ len .none }}|{{ len (fromJson "{\"a\":1,\"b\":2}") }}"#, .out("6|0|2")),
        Row(#"{{ contains "" "x" }}|{{ hasPrefix "é" "été" }}|{{ hasSuffix "tè" "été" }}"#, .out("true|true|false")),
        Row(#"{{ indent 2 "a\nb" }}|{{ nindent 0 "x" }}"#, .out("  a\n  b|\nx")),
        Row(#"{{ .a | printf "%s!" }}|{{ .a | ToUpper | trunc 3 }}"#, ["a": "hello"], .out("hello!|HEL")),
        Row(#"{{ printf "%s-%d" .a (len .b) }}"#, ["a": "x", "b": "abc"], .out("x-3")),
        Row(#"{{ slice "hello" 1 3 }}|{{ slice "hello" 2 }}|{{ index "AB" 1 }}"#, .out("el|llo|66")),
        Row(#"{{ index . "foo-bar" }}|{{ index (fromJson "[10,20]") 1 }}|{{ index (fromJson "{\"k\":\"v\"}") "k" }}"#,
            ["foo-bar": "z"], .out("z|20|v")),
    ])
    func strings(_ row: Row) { Self.check(row) }

    @Test("regular expression functions", arguments: [
        Row(#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#, .out("-W-xxW-")),
        Row(#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}"#, .out("---")),
        Row(#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}"#, .out("-${1}-${1}-")),
        Row(#"{{ regexReplaceAll "(?P<first>\\w+) (?P<last>\\w+)" "John Smith" "${last}, ${first}" }}"#, .out("Smith, John")),
        Row(#"{{ regexReplaceAll "(?<k>\\w+)=(\\d+)" "a=1 b=2" "$2:$k" }}"#, .out("1:a 2:b")),
        Row(#"{{ regexReplaceAll "x*" "abc" "-" }}|{{ count "x*" "ab" }}"#, .out("-a-b-c-|3")),
        Row(#"{{ regexReplaceAll "a" "aaa" "$$" }}|{{ regexReplaceAll "(b)" "abc" "[$2|$1|$]" }}"#, .out("$$$|a[|b|$]c")),
        Row(#"{{ regexReplaceAll "^a" "aaa" "b" }}|{{ regexReplaceAll "é" "éte" "e" }}"#, .out("baa|ete")),
        Row(#"{{ regexReplaceAll .re .s "<$1>" }}"#, ["re": #"(\d+)ms"#, "s": "took 12ms, then 7ms"], .out("took <12>, then <7>")),
    ])
    func regex(_ row: Row) { Self.check(row) }

    @Test("arithmetic and conversions", arguments: [
        Row("{{ addf 0.1 0.2 }}|{{ divf 1 3 }}|{{ mulf 1.1 1.1 }}|{{ subf 1 0.9 }}", .out("0.3|0.3333333333333333|1.21|0.1")),
        Row(#"{{ add "0x10" "010" "1.0" "2.5" "x" true }}"#, .out("26")),
        Row(#"{{ int "2.5" }}|{{ int 2.9 }}|{{ float64 "1e3" }}|{{ float64 "abc" }}|{{ int .none }}"#, .out("0|2|1000|0|0")),
        Row("{{ round -2.5 0 }}|{{ round 2.5 0 }}|{{ round -2.4 0 }}", .out("-3|3|-3")),
        Row("{{ div -7 2 }}|{{ mod -7 2 }}|{{ mul 3 }}|{{ add }}", .out("-3|-1|3|0")),
        Row(#"{{ max "7" 3.9 }}|{{ min -1 "x" }}|{{ maxf 1 "NaN" }}|{{ ceil "x" }}|{{ maxf -0.0 0 }}"#, .out("7|-1|NaN|0|0")),
        Row(#"{{ bytes "1.5KiB" }}|{{ bytes "2MiB" }}|{{ bytes "1,024 B" }}|{{ bytes "42" }}|{{ bytes "1.5KB" }}"#,
            .out("1536|2.097152e+06|1024|42|1500")),
        Row(#"{{ duration "1h30m" }}|{{ duration "-1.5s" }}|{{ duration "250us" }}|{{ duration "1µs" }}|{{ duration "0" }}"#,
            .out("5400|-1.5|0.00025|1e-06|0")),
        Row("{{ eq (add 1 2) 3 }}|{{ printf \"%T %T %T %T\" 1 1.5 \"s\" (add 1 1) }}", .out("true|int float64 string int64")),
    ])
    func arithmetic(_ row: Row) { Self.check(row) }

    @Test("dates and times", arguments: [
        Row(#"{{ date "Mon Jan _2 15:04:05 MST 2006" __timestamp__ }}"#, ts: ts, .out("Mon Jun 27 18:05:24 UTC 2022")),
        Row(#"{{ date "02/01/06 03:04PM .000 Monday January __2 002" __timestamp__ }}"#, ts: ts,
            .out("27/06/22 06:05PM .120 Monday June 178 178")),
        Row(#"{{ __timestamp__.Format "15:04" }}|{{ (__timestamp__).Unix }}|{{ __timestamp__.Weekday }}"#, ts: ts,
            .out("18:05|1656353124|Monday")),
        Row("{{ __timestamp__ | unixEpochNanos }}|{{ __timestamp__ | unixEpochMillis }}", ts: ts,
            .out("1656353124120000000|1656353124120")),
        Row(#"{{ date "2006-01-02" (add 0 86400) }}|{{ date "2006" "not a time" | len }}|{{ now | unixEpoch | len }}"#,
            .out("1970-01-02|4|10")),
        Row(#"{{ toDate "2006-01-02" "garbage" }}|{{ toDate "2006-01-02" "garbage" | unixEpoch }}"#,
            .out("0001-01-01 00:00:00 +0000 UTC|-62135596800")),
        Row(#"{{ toDate "2006-01-02" "2023-02-30" | unixEpoch }}|{{ toDate "2006-01-02" "2024-02-29" | unixEpoch }}"#,
            .out("-62135596800|1709164800")),
        Row(#"{{ toDate "2006-01-02T15:04:05Z07:00" "2023-03-10T01:32:40+02:00" | unixEpoch }}"#, .out("1678404760")),
        Row(#"{{ toDate "2006-01-02T15:04:05Z07:00" "2023-03-10T01:32:40+02:00" }}"#, .out("2023-03-10 01:32:40 +0200 +0200")),
        Row(#"{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2024-07-01 12:00" | unixEpoch }}"#, .out("1719828000")),
        Row(#"{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2024-07-01 12:00" }}"#, .out("2024-07-01 12:00:00 +0200 CEST")),
        Row(#"{{ toDateInZone "2006-01-02" "Mars/Base" "2024-07-01" | unixEpoch }}"#, .out("1719792000")),
        Row(#"{{ toDate "Jan 2 2006 3:04pm" "Mar 5 2024 7:30pm" | date "2006-01-02 15:04" }}"#, .out("2024-03-05 19:30")),
        Row(#"{{ toDate "2006-01-02 15:04:05" "2024-03-05 07:30:15.250" | unixEpochMillis }}"#, .out("1709623815250")),
    ])
    func dates(_ row: Row) { Self.check(row) }

    @Test("defaults, JSON, encodings", arguments: [
        Row(#"{{ default "x" 0 }}|{{ default "x" false }}|{{ default "x" "0" }}|{{ default "x" (fromJson "[]") }}"#,
            .out("x|x|0|x")),
        Row(#"{{ fromJson "[1, \"a\", true, null, {\"b\": 1.5e6}]" }}"#, .out("[1 a true <nil> map[b:1.5e+06]]")),
        Row("{{ (fromJson __line__).user.name }}|{{ (fromJson __line__).nope }}",
            line: #"{"user":{"name":"ann"}}"#, .out("ann|<no value>")),
        Row(#"{{ fromJson "{" }}|{{ fromJson "1e999" }}|{{ fromJson "\"\\u00e9\"" }}"#, .out("<no value>|<no value>|é")),
        Row(#"{{ urldecode "a%20b+c" }}|{{ urlencode "a b&c/é" }}"#, .out("a b c|a+b%26c%2F%C3%A9")),
        Row(#"{{ b64enc "é" }}|{{ b64dec "w6k=" }}|{{ b64dec "abc" }}|{{ b64dec "w6k" }}"#,
            .out("w6k=|é|illegal base64 data at input byte 0|illegal base64 data at input byte 0")),
        Row(#"{{ html "<a href='x'>&\"" }}|{{ js "it's <b>" }}|{{ urlquery "a b&c" }}"#,
            .out(#"&lt;a href=&#39;x&#39;&gt;&amp;&#34;|it\'s \u003Cb\u003E|a+b%26c"#)),
        Row(#"{{ print 1 2 "a" 3 }}|{{ println "a" 1 }}|"#, .out("1 2a3|a 1\n|")),
    ])
    func misc(_ row: Row) { Self.check(row) }

    @Test("comparisons and logic", arguments: [
        Row(#"{{ if eq .status "200" }}ok{{ end }}|{{ eq .a "x" "y" "z" }}"#, ["status": "200", "a": "z"], .out("ok|true")),
        Row(#"{{ lt "a" "b" }}|{{ le 2 2 }}|{{ gt 2.5 1.5 }}|{{ ge 1 2 }}|{{ ne .a "x" }}"#, ["a": "y"], .out("true|true|true|false|true")),
        Row("{{ if gt (int .status) 400 }}big{{ end }}", ["status": "500"], .out("big")),
        Row(#"{{ and 1 0 2 }}|{{ or 0 "" "x" }}|{{ or 0 "" }}|{{ and 1 "a" }}|{{ not 0 }}"#, .out("0|x||a|true")),
        Row("{{ or 1 (div 1 0) }}|{{ and 0 (div 1 0) }}|{{ .a | and 1 }}", ["a": "q"], .out("1|0|q")),
    ])
    func logic(_ row: Row) { Self.check(row) }

    @Test("printf", arguments: [
        Row(#"{{ printf "%q" .a }}|{{ printf "%q" 65 }}|{{ printf "%x" "hi" }}"#, ["a": #"say "hi""#], .out(#""say \"hi\""|'A'|6869"#)),
        Row(#"{{ printf "%x %X %o %b %#x %#o" 255 255 8 5 255 8 }}"#, .out("ff FF 10 101 0xff 010")),
        Row(#"{{ printf "%05d|%-5d|%5d|%+d|% d" 42 42 -42 5 5 }}"#, .out("00042|42   |  -42|+5| 5")),
        Row(#"{{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 }}|{{ printf "%" }}"#, .out("1 %!d(MISSING)|1%!(EXTRA int=2)|%!(NOVERB)")),
        Row(#"{{ printf "%d" .status }}|{{ printf "%s" 3 }}|{{ printf "%f" "x" }}"#, ["status": "200"],
            .out("%!d(string=200)|%!s(int=3)|%!f(string=x)")),
        Row(#"{{ printf "%e" 123456.789 }}|{{ printf "%.1f %.0f %.0f" 0.25 2.5 3.5 }}|{{ printf "%.2f" 2.675 }}"#,
            .out("1.234568e+05|0.2 2 4|2.67")),
        Row(#"{{ printf "%8.3f|%-8.2f|%08.3f" 3.14159 2.5 -3.14159 }}"#, .out("   3.142|2.50    |-003.142")),
        Row(#"{{ printf "%g %g %G" 1e21 0.000012 1e-7 }}|{{ printf "%v|%6.2v" 2.5 3.14159 }}"#, .out("1e+21 1.2e-05 1E-07|2.5|   3.1")),
        Row(#"{{ printf "%c%c %U" 72 105 128512 }}|{{ printf "%5.2s|%.3s" "hello" "héllo" }}"#, .out("Hi U+1F600|   he|hél")),
        Row(#"{{ printf "%[2]s %[1]s" "a" "b" }}|{{ printf "%*d|" 5 3 }}|{{ printf "%t %v %%" true false }}"#,
            .out("b a|    3||true false %")),
        Row(#"{{ printf "%v" (fromJson "{\"b\":[1,2],\"a\":\"x\"}") }}|{{ printf "%v" (fromJson "null") }}"#,
            .out("map[a:x b:[1 2]]|<nil>")),
        Row(#"{{ printf "%s" __timestamp__ }}|{{ printf "%.2f" (float64 .v) }}"#, ["v": "3.14159"], ts: ts,
            .out("2022-06-27 18:05:24.12 +0000 UTC|3.14")),
    ])
    func printf(_ row: Row) { Self.check(row) }

    // MARK: errors

    @Test("render errors", arguments: [
        Row(#"{{ if gt .status 400 }}x{{ end }}"#, ["status": "500"],
            .render("at <gt>: error calling gt: incompatible types for comparison", 6)),
        Row("{{ eq 1 1.0 }}", .render("at <eq>: error calling eq: incompatible types for comparison", 3)),
        Row("{{ lt true false }}", .render("at <lt>: error calling lt: invalid type for comparison", 3)),
        Row("{{ eq .a }}", .render("at <eq>: error calling eq: missing argument for comparison", 3)),
        Row("{{ trunc (add 1 2) .a }}", .render("at <(add 1 2)>: wrong type for value; expected int; got int64", 9)),
        Row(#"{{ trunc "3" .a }}"#, .render(#"at <"3">: expected integer; found "3""#, 9)),
        Row("{{ upper 3 }}", .render("at <3>: expected string; found 3", 9)),
        Row("{{ .a | trunc 2 | add 1 | upper }}", .render("at <upper>: wrong type for value; expected string; got int64", 26)),
        Row("{{ __timestamp__ | upper }}", .render("at <upper>: wrong type for value; expected string; got time.Time", 19)),
        Row(#"{{ unixEpoch "123" }}"#, .render(#"at <"123">: can't handle "123" for arg of type time.Time"#, 13)),
        Row("{{ div 1 0 }}", .render("at <div>: error calling div: runtime error: integer divide by zero", 3)),
        Row("{{ divf 1 0 }}", .render("at <divf>: error calling divf: decimal division by 0", 3)),
        Row(#"{{ repeat -1 "x" }}"#, .render("at <repeat>: error calling repeat: strings: negative Repeat count", 3)),
        Row(#"{{ urldecode "%zz" }}"#, .render(#"at <urldecode>: error calling urldecode: invalid URL escape "%zz""#, 3)),
        Row(#"{{ bytes "3 XB" }}"#, .render("at <bytes>: error calling bytes: unhandled size name: xb", 3)),
        Row(#"{{ bytes "" }}"#, .render(#"at <bytes>: error calling bytes: strconv.ParseFloat: parsing "": invalid syntax"#, 3)),
        Row(#"{{ duration "1d" }}"#, .render(#"at <duration>: error calling duration: time: unknown unit "d" in duration "1d""#, 3)),
        Row(#"{{ duration "10" }}"#, .render(#"at <duration>: error calling duration: time: missing unit in duration "10""#, 3)),
        Row(#"{{ unixToTime "464" }}"#, .render("at <unixToTime>: error calling unixToTime: unable to parse time '464': %!w(<nil>)", 3)),
        Row(#"{{ unixToTime "abc" }}"#,
            .render(#"at <unixToTime>: error calling unixToTime: unable to parse time 'abc': strconv.ParseInt: parsing "abc": invalid syntax"#, 3)),
        Row(#"{{ regexReplaceAll "(" .a "x" }}"#,
            .render("at <regexReplaceAll>: error calling regexReplaceAll: error parsing regexp: missing closing parenthesis at offset 1: `(`", 3)),
        Row("{{ 3 4 }}", .render("at <3>: can't give argument to non-function 3", 3)),
        Row("{{ nil }}", .render("at <nil>: nil is not a command", 3)),
        Row("{{ .a.b }}", ["a": "x"], .render("at <.a.b>: can't evaluate field b in type string", 3)),
        Row("{{ with .a }}{{ .b }}{{ end }}", ["a": "v"], .render("at <.b>: can't evaluate field b in type string", 16)),
        Row("{{ $x := 1 }}{{ $x.y }}", .render("at <$x.y>: can't evaluate field y in type int", 16)),
        Row("{{ . }}", .render("at <.>: printing the label map is not supported", 3)),
        Row(#"{{ printf "%s" . }}"#, .render("at <printf>: error calling printf: printing the label map is not supported", 3)),
        Row("{{ and }}", .render("at <and>: wrong number of args for and: want at least 1 got 0", 3)),
        Row("{{ subf }}", .render("at <subf>: wrong number of args for subf: want at least 1 got 0", 3)),
        Row(#"{{ toDate "2006" }}"#, .render("at <toDate>: wrong number of args for toDate: want 2 got 1", 3)),
        Row("{{ len 3 }}", .render("at <len>: error calling len: len of type int", 3)),
        Row(#"{{ index (fromJson "[1]") 5 }}"#, .render("at <index>: error calling index: index out of range: 5", 3)),
        Row(#"{{ range "abc" }}x{{ end }}"#, .render(#"at <"abc">: range can't iterate over abc"#, 9)),
    ])
    func renderErrors(_ row: Row) { Self.check(row) }

    @Test("parse errors", arguments: [
        Row("{{ toUpper .a }}", .parse(#"function "toUpper" not defined"#, 3)),
        Row("{{ sum 1 2 }}", .parse(#"function "sum" not defined"#, 3)),
        Row("{{ .a ", .parse("unclosed action", 6)),
        Row("{{ if .a }}x", .parse("unexpected EOF", 12)),
        Row("{{ end }}", .parse("unexpected {{end}}", 3)),
        Row("x{{ else }}", .parse("unexpected {{else}}", 4)),
        Row("{{ if .a }}{{ else }}{{ else }}{{ end }}", .parse("expected end; found {{else}}", 24)),
        Row("{{ }}", .parse("missing value for command", 3)),
        Row("{{ if }}{{ end }}", .parse("missing value for if", 6)),
        Row(#"{{ "a" | "b" }}"#, .parse("non executable command in pipeline stage 2", 9)),
        Row("{{ $x }}", .parse(#"undefined variable "$x""#, 3)),
        Row("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}", .parse(#"undefined variable "$y""#, 38)),
        Row(#"{{ "abc }}"#, .parse("unterminated quoted string", 3)),
        Row("{{ .a-b }}", .parse("bad character U+002D '-'", 3)),
        Row("{{ (.a }}", .parse("unclosed left paren", 7)),
        Row("{{ .a) }}", .parse("unexpected right paren", 5)),
        Row("{{ 3.x }}", .parse(#"bad number syntax: "3.x""#, 3)),
        Row(#"{{ "\q" }}"#, .parse("invalid syntax", 3)),
        Row("{{ 'ab' }}", .parse("malformed character constant: 'ab'", 3)),
        Row("{{ 99999999999999999999 }}", .parse(#"integer overflow: "99999999999999999999""#, 3)),
        Row("{{ break }}", .parse("{{break}} outside {{range}}", 3)),
        Row("{{/* c */ .a }}", .parse("comment ends before closing delimiter", 2)),
        Row(#"{{ template "x" }}"#, .parse("{{template}} is not supported: a line_format or label_format template is a single template", 3)),
        Row(#"{{ "x".y }}"#, .parse(#"unexpected . after term "\"x\"""#, 6)),
        Row("{{ .a # }}", .parse(##"unexpected "#" in operand"##, 6)),
    ])
    func parseErrors(_ row: Row) { Self.check(row) }

    static let elseIfChain = "{{ if eq .n \"0\" }}zero" + (1..<300).map { "{{ else if eq .n \"\($0)\" }}n\($0)" }.joined()
        + "{{ else }}big{{ end }}"

    @Test("nesting limits", arguments: [
        Row(elseIfChain, ["n": "299"], .out("n299")),
        Row(elseIfChain, ["n": "300"], .out("big")),
        Row("{{ " + String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100) + " }}", .out("1")),
        Row("{{ " + String(repeating: "(", count: 101) + "1" + String(repeating: ")", count: 101) + " }}",
            .parse("template nesting too deep: more than 100 parentheses", 103)),
        Row(String(repeating: "{{ if 1 }}", count: 501) + String(repeating: "{{ end }}", count: 501),
            .parse("template nesting too deep: more than 500 levels", 5003)),
        Row("{{ fromJson __line__ | len }}", line: String(repeating: "[", count: 200) + String(repeating: "]", count: 200), .out("1")),
        Row("{{ fromJson __line__ }}", line: String(repeating: "[", count: 201) + String(repeating: "]", count: 201), .out("<no value>")),
        Row(#"{{ repeat 1000000000 "" }}|{{ repeat 0 "x" }}"#, .out("|")),
        Row(#"{{ repeat 100000000 "ab" }}"#,
            .render("at <repeat>: error calling repeat: repeat output of 2 × 100000000 bytes is over mclog's limit of 16777216", 3)),
    ])
    func limits(_ row: Row) { Self.check(row) }

    @Test("a template renders concurrently, and keeps its source")
    func concurrent() async throws {
        let template = try LineTemplate(#"{{ .n | printf "%05s" }}-{{ regexReplaceAll "(\\d)" .n "<$1>" }}"#)
        #expect(template.source == #"{{ .n | printf "%05s" }}-{{ regexReplaceAll "(\\d)" .n "<$1>" }}"#)
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<64 {
                group.addTask { (i, try template.render(label: { $0 == "n" ? String(i) : nil }, line: "", timestamp: 0)) }
            }
            var all: [Int: String] = [:]
            for try await (i, s) in group { all[i] = s }
            return all
        }
        #expect(outputs[7] == "00007-<7>")
        #expect(outputs[42] == "00042-<4><2>")
        #expect(outputs.count == 64)
    }
}
