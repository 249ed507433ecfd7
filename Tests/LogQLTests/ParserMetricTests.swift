import Testing
@testable import LogQL

/// Pipelines and metric queries: query in, canonical text out; the canonical text parses back to itself.
@Suite struct ParserMetricTests {
    @Test("valid pipelines and metric queries round-trip", arguments: [
        (#"{job="nginx"} | json"#, #"{job="nginx"} | json"#),
        (#"{job="nginx"} | json status="response.status", ua=`request.headers["User-Agent"]`, first="items[0]""#, #"{job="nginx"} | json status="response.status", ua="request.headers[\"User-Agent\"]", first="items[0]""#),
        (#"{job="nginx"} | logfmt"#, #"{job="nginx"} | logfmt"#),
        (#"{job="nginx"} | logfmt --strict --keep-empty level, msg="message""#, #"{job="nginx"} | logfmt --strict --keep-empty level="level", msg="message""#),
        (#"{job="nginx"} | pattern `<ip> - - [<_>] "<method> <path> <_>" <status> <size> <_>`"#, #"{job="nginx"} | pattern "<ip> - - [<_>] \"<method> <path> <_>\" <status> <size> <_>""#),
        (#"{job="nginx"} | regexp `(?P<ip>\S+) .*`"#, #"{job="nginx"} | regexp "(?P<ip>\\S+) .*""#),
        (#"{job="nginx"} | unpack"#, #"{job="nginx"} | unpack"#),
        (#"{job="nginx"} | level="error""#, #"{job="nginx"} | level="error""#),
        (#"{job="nginx"} | level=~"err.*|warn""#, #"{job="nginx"} | level=~"err.*|warn""#),
        (#"{job="nginx"} | status >= 500"#, #"{job="nginx"} | status>=500"#),
        (#"{job="nginx"} | status == 500"#, #"{job="nginx"} | status==500"#),
        (#"{job="nginx"} | status = 500"#, #"{job="nginx"} | status==500"#),
        (#"{job="nginx"} | latency > 250ms"#, #"{job="nginx"} | latency>250ms"#),
        (#"{job="nginx"} | size > 20KB and status != 200"#, #"{job="nginx"} | size>20KB, status!=200"#),
        (#"{job="nginx"} | size > 1.5MiB or status < 300"#, #"{job="nginx"} | (size>1.5MiB or status<300)"#),
        (#"{job="nginx"} | addr = ip("10.0.0.0/8")"#, #"{job="nginx"} | addr=ip("10.0.0.0/8")"#),
        (#"{job="nginx"} | addr != ip("192.168.0.1-192.168.0.20")"#, #"{job="nginx"} | addr!=ip("192.168.0.1-192.168.0.20")"#),
        (#"{job="nginx"} |= ip("2001:db8::/32")"#, #"{job="nginx"} |= ip("2001:db8::/32")"#),
        (#"{job="nginx"} |> "<_> 500 <_>""#, #"{job="nginx"} |> "<_> 500 <_>""#),
        (#"{job="nginx"} !> "<_> 200 <_>""#, #"{job="nginx"} !> "<_> 200 <_>""#),
        (#"{job="nginx"} | line_format "{{.status}} {{ .path | ToUpper }}""#, #"{job="nginx"} | line_format "{{.status}} {{ .path | ToUpper }}""#),
        (#"{job="nginx"} | label_format dst=src, tmpl="{{.a}}-{{.b}}""#, #"{job="nginx"} | label_format dst=src, tmpl="{{.a}}-{{.b}}""#),
        (#"{job="nginx"} | drop __error__, __error_details__"#, #"{job="nginx"} | drop __error__, __error_details__"#),
        (#"{job="nginx"} | keep level, status="500""#, #"{job="nginx"} | keep level, status="500""#),
        (#"{job="nginx"} | decolorize"#, #"{job="nginx"} | decolorize"#),
        (#"{job="nginx"} | __error__="""#, #"{job="nginx"} | __error__="""#),
        (#"{job="nginx"} |= "a" | json | line_format "{{.msg}}" |= "b""#, #"{job="nginx"} |= "a" | json | line_format "{{.msg}}" |= "b""#),
        (#"rate({job="nginx"}[5m])"#, #"rate({job="nginx"} [5m])"#),
        (#"rate({job="nginx"} |= "error" [5m])"#, #"rate({job="nginx"} |= "error" [5m])"#),
        (#"rate({job="nginx"}[5m] |= "error")"#, #"rate({job="nginx"} |= "error" [5m])"#),
        (#"count_over_time({job="nginx"}[1h] offset 1d)"#, #"count_over_time({job="nginx"} [1h] offset 1d)"#),
        (#"bytes_rate({job="nginx"}[1m])"#, #"bytes_rate({job="nginx"} [1m])"#),
        (#"bytes_over_time({job="nginx"}[1m])"#, #"bytes_over_time({job="nginx"} [1m])"#),
        (#"absent_over_time({job="nginx"}[1m])"#, #"absent_over_time({job="nginx"} [1m])"#),
        (#"sum_over_time({job="nginx"} | logfmt | unwrap bytes [1m])"#, #"sum_over_time({job="nginx"} | logfmt | unwrap bytes [1m])"#),
        (#"avg_over_time({job="nginx"} | logfmt | unwrap duration(latency) [1m]) by (path)"#, #"avg_over_time({job="nginx"} | logfmt | unwrap duration(latency) [1m]) by (path)"#),
        (#"max_over_time({job="nginx"} | logfmt | unwrap latency | __error__="" [1m]) by (path)"#, #"max_over_time({job="nginx"} | logfmt | unwrap latency | __error__="" [1m]) by (path)"#),
        (#"quantile_over_time(0.99, {job="nginx"} | json | unwrap bytes(size) [5m]) by (zone)"#, #"quantile_over_time(0.99, {job="nginx"} | json | unwrap bytes(size) [5m]) by (zone)"#),
        (#"first_over_time({job="nginx"} | logfmt | unwrap x [1m])"#, #"first_over_time({job="nginx"} | logfmt | unwrap x [1m])"#),
        (#"last_over_time({job="nginx"} | logfmt | unwrap x [1m]) without (host)"#, #"last_over_time({job="nginx"} | logfmt | unwrap x [1m]) without (host)"#),
        (#"rate_counter({job="nginx"} | logfmt | unwrap total [5m])"#, #"rate_counter({job="nginx"} | logfmt | unwrap total [5m])"#),
        (#"stddev_over_time({job="nginx"} | logfmt | unwrap x [1m])"#, #"stddev_over_time({job="nginx"} | logfmt | unwrap x [1m])"#),
        (#"stdvar_over_time({job="nginx"} | logfmt | unwrap x [1m])"#, #"stdvar_over_time({job="nginx"} | logfmt | unwrap x [1m])"#),
        (#"min_over_time({job="nginx"} | logfmt | unwrap duration_seconds(x) [1m])"#, #"min_over_time({job="nginx"} | logfmt | unwrap duration_seconds(x) [1m])"#),
        (#"sum by (status) (count_over_time({job="nginx"} | pattern "<_> <status> <_>" [1h]))"#, #"sum by (status) (count_over_time({job="nginx"} | pattern "<_> <status> <_>" [1h]))"#),
        (#"sum(count_over_time({job="nginx"}[1h])) by (status)"#, #"sum by (status) (count_over_time({job="nginx"} [1h]))"#),
        (#"avg without (host) (rate({job="nginx"}[5m]))"#, #"avg without (host) (rate({job="nginx"} [5m]))"#),
        (#"topk(10, sum by (path) (rate({job="nginx"}[5m])))"#, #"topk(10, sum by (path) (rate({job="nginx"} [5m])))"#),
        (#"bottomk(3, rate({job="nginx"}[5m]))"#, #"bottomk(3, rate({job="nginx"} [5m]))"#),
        (#"sort(rate({job="nginx"}[5m]))"#, #"sort(rate({job="nginx"} [5m]))"#),
        (#"sort_desc(rate({job="nginx"}[5m]))"#, #"sort_desc(rate({job="nginx"} [5m]))"#),
        (#"count(rate({job="nginx"}[5m]))"#, #"count(rate({job="nginx"} [5m]))"#),
        (#"stddev(rate({job="nginx"}[5m]))"#, #"stddev(rate({job="nginx"} [5m]))"#),
        (#"stdvar by (zone) (rate({job="nginx"}[5m]))"#, #"stdvar by (zone) (rate({job="nginx"} [5m]))"#),
        (#"vector(1) + vector(1)"#, #"vector(1) + vector(1)"#),
        (#"1 + 2 * 3"#, #"1 + 2 * 3"#),
        (#"(1 + 2) * 3"#, #"(1 + 2) * 3"#),
        (#"2 ^ 3 ^ 2"#, #"2 ^ 3 ^ 2"#),
        (#"-1 + 2"#, #"-1 + 2"#),
        (#"sum(rate({job="nginx"}[5m])) / sum(rate({job="api"}[5m])) * 100"#, #"sum(rate({job="nginx"} [5m])) / sum(rate({job="api"} [5m])) * 100"#),
        (#"rate({job="nginx"}[5m]) > 10"#, #"rate({job="nginx"} [5m]) > 10"#),
        (#"rate({job="nginx"}[5m]) > bool 10"#, #"rate({job="nginx"} [5m]) > bool 10"#),
        (#"1 == bool 1"#, #"1 == bool 1"#),
        (#"rate({job="a"}[5m]) and rate({job="b"}[5m])"#, #"rate({job="a"} [5m]) and rate({job="b"} [5m])"#),
        (#"rate({job="a"}[5m]) or rate({job="b"}[5m])"#, #"rate({job="a"} [5m]) or rate({job="b"} [5m])"#),
        (#"rate({job="a"}[5m]) unless rate({job="b"}[5m])"#, #"rate({job="a"} [5m]) unless rate({job="b"} [5m])"#),
        (#"sum by (zone) (rate({job="a"}[5m])) / on(zone) group_left sum by (zone) (rate({job="b"}[5m]))"#, #"sum by (zone) (rate({job="a"} [5m])) / on(zone) group_left sum by (zone) (rate({job="b"} [5m]))"#),
        (#"rate({job="a"}[5m]) / ignoring(level) group_right(host) rate({job="b"}[5m])"#, #"rate({job="a"} [5m]) / ignoring(level) group_right(host) rate({job="b"} [5m])"#),
        (#"label_replace(rate({job="a"}[5m]), "dst", "$1", "src", "(.*)")"#, #"label_replace(rate({job="a"} [5m]), "dst", "$1", "src", "(.*)")"#),
        (#"sum by (level, detected_level) (count_over_time({job="nginx"} | drop __error__ [1m]))"#, #"sum by (level, detected_level) (count_over_time({job="nginx"} | drop __error__ [1m]))"#),
        (#"{job="nginx"} | (status >= 500 or status == 429), level="error""#, #"{job="nginx"} | (status>=500 or status==429), level="error""#),
    ])
    func roundTrip(_ query: String, _ canonical: String) throws {
        let parsed = try Parser.parse(query).description
        #expect(parsed == canonical)
        #expect(try Parser.parse(parsed).description == canonical)
    }

    @Test("invalid metric queries", arguments: [
        ("sum(rate({job=\"x\"}))", "expected a range like [5m]"),
        ("rate({job=\"x\"}[0s])", "range must be positive"),
        ("rate({job=\"x\"}[5x])", "invalid duration 5x"),
        ("sum_over_time({job=\"x\"}[5m])", "invalid aggregation sum_over_time without unwrap"),
        ("count_over_time({job=\"x\"} | logfmt | unwrap b [5m])", "invalid aggregation count_over_time with unwrap"),
        ("count_over_time({job=\"x\"}[5m]) by (a)", "grouping not allowed for count_over_time"),
        ("topk(rate({job=\"x\"}[5m]))", "parameter required for operation topk"),
        ("topk(0, rate({job=\"x\"}[5m]))", "invalid parameter topk(0,: k must be greater than 0"),
        ("quantile_over_time({job=\"x\"} | unwrap a [5m])", "parameter required for operation quantile_over_time"),
        ("{job=\"x\"} | unwrap a", "unwrap is only allowed inside a range aggregation"),
        ("1 and 2", "unexpected literal for left leg of logical/set binary operation (and): 1.000000"),
        ("sum(1)", "sum needs a vector, not a scalar"),
        ("rate({job=\"x\"}[5m]) and on(a) group_left rate({job=\"y\"}[5m])", "no grouping allowed for and operation"),
        ("sort by (a) (rate({job=\"x\"}[5m]))", "sort does not take by/without"),
        ("foo(1)", "unknown function or keyword foo"),
        ("{job=\"x\"} | logfmt --fast", "unknown logfmt flag --fast"),
        ("{job=\"x\"} | status > \"5\"", "needs a number, duration or bytes value"),
        ("{job=\"x\"} | size > 5zz", "invalid value 5zz"),
        ("{job=\"x\"} | label_format a=1", "expected a label name or a template string"),
        ("label_replace(rate({job=\"x\"}[5m]), \"a\", \"b\", \"c\", \"(\")", "invalid regex in label_replace"),
        ("vector(x)", "vector() takes a number"),
        ("rate({job=\"x\"}[5m]) +", "expected a metric expression"),
        ("(rate({job=\"x\"}[5m])", "expected ')'"),
    ])
    func invalid(_ query: String, _ fragment: String) {
        do {
            let q = try Parser.parse(query)
            Issue.record("parsed \(query) as \(q)")
        } catch {
            #expect("\(error)".contains(fragment), "\(query): \(error)")
        }
    }
}
