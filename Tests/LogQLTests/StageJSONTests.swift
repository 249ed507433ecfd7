import Testing

@testable import LogQL

@Suite struct StageJSONTests {
    @Test("| json", arguments: [
        StageRow("multi depth", ["job": "x"],
                 #"{"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}}}"#,
                 ["job=x", "app=foo", "namespace=prod", "pod_uuid=foo", "pod_deployment_ref=foobar"]),
        StageRow("numeric", ["job": "x"], #"{"counter":1, "price": {"_net_":5.56909}}"#,
                 ["job=x", "counter=1", "price__net_=5.56909"]),
        StageRow("numbers as written", ["job": "x"], #"{"a":1.50,"b":-2e3,"c":0,"d":12345678901234567890}"#,
                 ["job=x", "a=1.50", "b=-2e3", "c=0", "d=12345678901234567890"]),
        StageRow("escaped quote and backslash", ["job": "x"], #"{"counter":1,"foo":"foo\\\"bar"}"#,
                 ["job=x", "counter=1", #"foo=foo\"bar"#]),
        StageRow("unicode escapes and surrogate pair", ["job": "x"], #"{"msg":"caf\u00e9 \ud83d\ude00 a\tb\/c"}"#,
                 ["job=x", "msg=café 😀 a\tb/c"]),
        StageRow("U+FFFD becomes a space", ["job": "x"], "{\"foo\":\"a\u{FFFD}b\",\"n\":1}",
                 ["job=x", "foo=a b", "n=1"]),
        StageRow("arrays and nulls are skipped", ["job": "x"],
                 #"{"counter":1, "price": {"net_":["10","20"]}, "n":null, "o":{"p":null}}"#,
                 ["job=x", "counter=1"]),
        StageRow("keys sanitised", ["job": "x"], #"{"cou-nter":1,"a.b":{"c d":true}," 7up":"x","ü":"u"}"#,
                 ["job=x", "cou_nter=1", "a_b_c_d=true", "_7up=x", "_=u"]),
        StageRow("nested keys keep leading digits", ["job": "x"], #"{"responses":{"1xx":0,"2xx":5},"4":{"5":"six"}}"#,
                 ["job=x", "responses_1xx=0", "responses_2xx=5", "_4_5=six"]),
        StageRow("white-space key adds no prefix", ["job": "x"], #"{" ": {"foo":"bar"}}"#, ["job=x", "foo=bar"]),
        StageRow("clash with a stream label", ["app": "bar"], #"{"app":"foo","next":{"err":false}}"#,
                 ["app=bar", "app_extracted=foo", "next_err=false"]),
        StageRow("nested clash with a stream label", ["pod_uuid": "x"], #"{"pod":{"uuid":"u1"},"pod_name":"p"}"#,
                 ["pod_uuid=x", "pod_uuid_extracted=u1", "pod_name=p"]),
        StageRow("duplicate key: last wins", ["job": "x"], #"{"a":"1","b":2,"a":"3"}"#, ["job=x", "a=3", "b=2"]),
        StageRow("invalid escape gives an empty value", ["job": "x"], #"{"a":"x\qy","b":"ok"}"#,
                 ["job=x", "a=", "b=ok"]),
        StageRow("text after the object is ignored", ["job": "x"], #"{"a":1}  trailing"#, ["job=x", "a=1"]),
        StageRow("Loki's error example", ["job": "x"], "{n}",
                 ["job=x", "__error__=JSONParserErr",
                  "__error_details__=Value looks like object, but can't find closing '}' symbol"]),
        StageRow("apache line is not JSON", ["job": "apache"],
                 #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#,
                 ["job=apache", "__error__=JSONParserErr",
                  "__error_details__=Value looks like object, but can't find closing '}' symbol"]),
        StageRow("empty line", ["job": "x"], "",
                 ["job=x", "__error__=JSONParserErr",
                  "__error_details__=Value looks like object, but can't find closing '}' symbol"]),
        StageRow("array line", ["job": "x"], "[1,2]",
                 ["job=x", "__error__=JSONParserErr",
                  "__error_details__=Value looks like object, but can't find closing '}' symbol"]),
        StageRow("truncated: members before the error stay", ["job": "x"], #"{"a":"b","c":"#,
                 ["job=x", "a=b", "__error__=JSONParserErr", "__error_details__=Malformed JSON error"]),
        StageRow("unterminated string", ["job": "x"], #"{"a":"b"#,
                 ["job=x", "__error__=JSONParserErr",
                  "__error_details__=Value is string, but can't find closing '\"' symbol"]),
        StageRow("unknown literal", ["job": "x"], #"{"a":tru}"#,
                 ["job=x", "__error__=JSONParserErr", "__error_details__=Unknown value type"]),
        StageRow("trailing comma", ["job": "x"], #"{"a":1,}"#,
                 ["job=x", "a=1", "__error__=JSONParserErr",
                  "__error_details__=Value looks like object, but can't find closing '}' symbol"]),
        StageRow("unclosed object after a member", ["job": "x"], #"{"a":"b""#,
                 ["job=x", "a=b", "__error__=JSONParserErr",
                  "__error_details__=Value is array, but can't find closing ']' symbol"]),
        StageRow("invalid escape in a key", ["job": "x"], #"{"a\q":1}"#,
                 ["job=x", "__error__=JSONParserErr",
                  "__error_details__=Encountered an invalid escape sequence in a string"]),
        StageRow("nginx plus status (real line)", ["job": "nginxplus", "pid": "1"],
                 StageJSONTests.nginxPlusLine, StageJSONTests.nginxPlusLabels),
    ])
    func flatten(_ row: StageRow) throws {
        let (labels, result) = try runStage(JSONParserStage(), stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
        #expect(result.replacement == nil)
    }

    struct PathRow: Sendable, CustomTestStringConvertible {
        let note: String
        let extractions: [String]
        let stream: [String: String]
        let line: String
        let want: [String]

        init(_ note: String, _ extractions: [String], _ stream: [String: String], _ line: String, _ want: [String]) {
            self.note = note
            self.extractions = extractions
            self.stream = stream
            self.line = line
            self.want = want
        }

        var testDescription: String { note }

        /// `label=path` strings as pairs.
        var pairs: [(label: String, path: String)] {
            extractions.map { e in
                let i = e.firstIndex(of: "=")!
                return (String(e[..<i]), String(e[e.index(after: i)...]))
            }
        }
    }

    static let lokiLine =
        #"{"app":"foo","field with space":"value","field with ÜFT8👌":"value","null_field":null,"bool_field":false,"namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar", "params": [1,2,3,"string_value"]}}}"#

    @Test("| json label=\"path\"", arguments: [
        PathRow("single field", ["app=app"], ["job": "x"], lokiLine, ["job=x", "app=foo"]),
        PathRow("quoted key", [#"test=["field with space"]"#], ["job": "x"], lokiLine, ["job=x", "test=value"]),
        PathRow("quoted UTF-8 key", [#"utf8=["field with ÜFT8👌"]"#], ["job": "x"], lokiLine, ["job=x", "utf8=value"]),
        PathRow("nested field, four spellings",
                ["a=pod.uuid", #"b=pod["uuid"]"#, #"c=["pod"]["uuid"]"#, #"d=["pod"].uuid"#], ["job": "x"], lokiLine,
                ["job=x", "a=foo", "b=foo", "c=foo", "d=foo"]),
        PathRow("array elements", ["p0=pod.deployment.params[0]", "p3=pod.deployment.params[3]"], ["job": "x"], lokiLine,
                ["job=x", "p0=1", "p3=string_value"]),
        PathRow("whole array and object as JSON text", ["params=pod.deployment.params", "deployment=pod.deployment"],
                ["job": "x"], lokiLine,
                ["job=x", #"params=[1,2,3,"string_value"]"#, #"deployment={"ref":"foobar", "params": [1,2,3,"string_value"]}"#]),
        PathRow("missing paths give empty labels",
                ["nope=pod.nope", #"undefined=pod[""]"#, #"bad=pod.deployment.params[""]"#, "out=pod.deployment.params[9]"],
                ["job": "x"], lokiLine, ["job=x", "nope=", "undefined=", "bad=", "out="]),
        PathRow("null and boolean", ["nf=null_field", "bool=bool_field"], ["job": "x"], lokiLine,
                ["job=x", "nf=", "bool=false"]),
        PathRow("clash with a stream label", ["uuid=pod.uuid"], ["uuid": "bar"], lokiLine,
                ["uuid=bar", "uuid_extracted=foo"]),
        PathRow("missing path named like a stream label sets nothing", ["uuid=will.not.work"], ["uuid": "bar"], lokiLine,
                ["uuid=bar"]),
        PathRow("not JSON: error without details", ["uuid=will.not.work"], ["foo": "bar"], "invalid json",
                ["foo=bar", "__error__=JSONParserErr"]),
        PathRow("leading space is not a JSON start", ["a=a"], ["foo": "bar"], #" {"a":1}"#,
                ["foo=bar", "__error__=JSONParserErr"]),
        PathRow("empty line", ["uuid=will.not.work"], ["foo": "bar"], "", ["foo=bar"]),
        PathRow("first occurrence wins", ["a=a"], ["job": "x"], #"{"a":1,"a":2}"#, ["job=x", "a=1"]),
        PathRow("string holding JSON is unescaped", ["app=app"], ["job": "x"],
                #"{"app":"{ \"key\": \"value\", \"key2\":\"value2\"}"}"#, ["job=x", #"app={ "key": "value", "key2":"value2"}"#]),
        PathRow("unreadable value: error with details", ["a=a", "b=b"], ["job": "x"], #"{"b":"ok","a":tru}"#,
                ["job=x", "a=", "b=ok", "__error__=JSONParserErr", "__error_details__=Unknown value type"]),
        PathRow("malformed text before the key is skipped", ["a=x.a"], ["job": "x"], #"{"x":{"a":"v"}, oops"#,
                ["job=x", "a=v"]),
        PathRow("escaped key in the line", ["q=q"], ["job": "x"], #"{"\u0071":"yes"}"#, ["job=x", "q=yes"]),
        PathRow("top-level array", ["first=[0].id"], ["job": "x"], #"[{"id":"a"},{"id":"b"}]"#, ["job=x", "first=a"]),
        PathRow("nginx plus status (real line)",
                ["version=version", "accepted=connections.accepted", #"hg=server_zones["hg.nginx.org"].requests"#,
                 #"peer=upstreams["trac-backend"].peers[0].server"#, #"backup=upstreams["trac-backend"].peers[1].backup"#,
                 "processes=processes"],
                ["job": "nginxplus"], nginxPlusLine,
                ["job=nginxplus", "version=6", "accepted=8995031", "hg=205543", "peer=10.0.0.1:8080", "backup=true",
                 #"processes={"respawned":0}"#]),
    ])
    func paths(_ row: PathRow) throws {
        let stage = try JSONParserStage(extractions: row.pairs)
        let (labels, result) = try runStage(stage, stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
        #expect(result.replacement == nil)
    }

    @Test("invalid json expressions", arguments: [
        StageErrorRow("field with space", "cannot parse expression [field with space]: syntax error: unexpected FIELD"),
        StageErrorRow(#""pod"]"#, #"cannot parse expression ["pod"]]: syntax error: unexpected STRING, expecting LSB or FIELD"#),
        StageErrorRow(#"["pod""#, #"cannot parse expression [["pod"]: syntax error: unexpected $end, expecting RSB"#),
        StageErrorRow(#"["pod""uuid"]"#, #"cannot parse expression [["pod""uuid"]]: syntax error: unexpected STRING, expecting RSB"#),
        StageErrorRow("pod..uuid", "cannot parse expression [pod..uuid]: syntax error: unexpected DOT, expecting FIELD"),
        StageErrorRow("a[x]", "cannot parse expression [a[x]]: syntax error: unexpected FIELD, expecting STRING or INDEX"),
        StageErrorRow("", "cannot parse expression []: syntax error: unexpected $end, expecting LSB or FIELD"),
    ])
    func invalidPath(_ row: StageErrorRow) {
        expectLogQLError(row.message) { try JSONParserStage(extractions: [("x", row.input)]) }
    }

    @Test func invalidLabelName() {
        expectLogQLError("invalid extracted label name '1x'") { try JSONParserStage(extractions: [("1x", "a")]) }
    }

    /// Stage instances are reused line after line: nothing of one line may leak into the next.
    @Test func reuseAcrossLines() throws {
        let stage = JSONParserStage()
        _ = try runStage(stage, stream: ["job": "x"], line: #"{"a":{"b":{"c":1}}}"#)
        _ = try runStage(stage, stream: ["job": "x"], line: "{broken")
        let (labels, _) = try runStage(stage, stream: ["job": "x"], line: #"{"d":2}"#)
        #expect(labels == ["d=2", "job=x"])
    }

    static let nginxPlusLine = #"{"version":6,"nginx_version":"1.9.4","address":"206.251.255.64","generation":11,"load_timestamp":1445680800424,"timestamp":1446249499322,"pid":64857,"processes":{"respawned":0},"connections":{"accepted":8995031,"dropped":0,"active":2,"idle":29},"ssl":{"handshakes":23384,"handshakes_failed":4647,"session_reuses":5674},"requests":{"total":18853899,"current":2},"server_zones":{"hg.nginx.org":{"processing":0,"requests":205543,"responses":{"1xx":0,"2xx":179026,"3xx":12627,"4xx":2828,"5xx":1895,"total":196376},"discarded":9167,"received":64355461,"sent":6490717598},"trac.nginx.org":{"processing":1,"requests":422435,"responses":{"1xx":0,"2xx":199899,"3xx":192623,"4xx":22956,"5xx":1886,"total":417364},"discarded":5070,"received":137431937,"sent":5736011981},"lxr.nginx.org":{"processing":0,"requests":25933,"responses":{"1xx":0,"2xx":24148,"3xx":523,"4xx":602,"5xx":218,"total":25491},"discarded":442,"received":7533990,"sent":578344845}},"upstreams":{"trac-backend":{"peers":[{"id":0,"server":"10.0.0.1:8080","backup":false,"weight":1,"state":"up","active":0,"requests":118605,"responses":{"1xx":0,"2xx":99589,"3xx":3371,"4xx":15631,"5xx":13,"total":118604},"sent":53780625,"received":4739198775,"fails":0,"unavail":0,"health_checks":{"checks":56777,"fails":0,"unhealthy":0,"last_passed":true},"downtime":0,"downstart":0,"selected":1446249493000},{"id":1,"server":"10.0.0.1:8081","backup":true,"weight":1,"state":"unhealthy","active":0,"requests":0,"responses":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"total":0},"sent":0,"received":0,"fails":0,"unavail":0,"health_checks":{"checks":56851,"fails":56851,"unhealthy":1,"last_passed":false},"downtime":568697969,"downstart":1445680801353,"selected":0}],"keepalive":0},"hg-backend":{"peers":[{"id":0,"server":"10.0.0.1:8088","backup":false,"weight":5,"state":"up","active":0,"requests":166580,"responses":{"1xx":0,"2xx":163739,"3xx":0,"4xx":2831,"5xx":10,"total":166580},"sent":50658178,"received":6280732759,"fails":0,"unavail":0,"health_checks":{"checks":56718,"fails":0,"unhealthy":0,"last_passed":true},"downtime":0,"downstart":0,"selected":1446249495000},{"id":1,"server":"10.0.0.1:8089","backup":true,"weight":1,"state":"unhealthy","active":0,"requests":0,"responses":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"total":0},"sent":0,"received":0,"fails":0,"unavail":0,"health_checks":{"checks":56851,"fails":56851,"unhealthy":1,"last_passed":false},"downtime":568697969,"downstart":1445680801353,"selected":0}],"keepalive":0},"lxr-backend":{"peers":[{"id":0,"server":"unix:/tmp/cgi.sock","backup":false,"weight":1,"state":"up","active":0,"requests":20061,"responses":{"1xx":0,"2xx":20060,"3xx":0,"4xx":0,"5xx":0,"total":20060},"sent":14946056,"received":582082000,"fails":0,"unavail":0,"health_checks":{"checks":0,"fails":0,"unhealthy":0},"downtime":0,"downstart":0,"selected":1446249473000},{"id":1,"server":"unix:/tmp/cgib.sock","backup":true,"weight":1,"state":"up","active":0,"max_conns":42,"requests":0,"responses":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"total":0},"sent":0,"received":0,"fails":0,"unavail":0,"health_checks":{"checks":0,"fails":0,"unhealthy":0},"downtime":0,"downstart":0,"selected":0}],"keepalive":0},"demo-backend":{"peers":[{"id":0,"server":"10.0.0.2:15431","backup":false,"weight":1,"state":"up","active":0,"requests":0,"responses":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"total":0},"sent":0,"received":0,"fails":0,"unavail":0,"health_checks":{"checks":566824,"fails":0,"unhealthy":0,"last_passed":true},"downtime":0,"downstart":0,"selected":0}],"keepalive":0}},"caches":{"http_cache":{"size":536858624,"max_size":536870912,"cold":false,"hit":{"responses":208944,"bytes":19106806907},"stale":{"responses":0,"bytes":0},"updating":{"responses":0,"bytes":0},"revalidated":{"responses":0,"bytes":0},"miss":{"responses":500654,"bytes":17786455469,"responses_written":307167,"bytes_written":8700945983},"expired":{"responses":40337,"bytes":2241979957,"responses_written":39158,"bytes_written":2218672701},"bypass":{"responses":53028,"bytes":2419486418,"responses_written":53012,"bytes_written":2419481970}}},"stream":{"server_zones":{"postgresql_loadbalancer":{"processing":0,"connections":566824,"received":59516520,"sent":3238066590}},"upstreams":{"postgresql_backends":{"peers":[{"id":0,"server":"10.0.0.2:15432","backup":false,"weight":1,"state":"up","active":0,"max_conns":42,"connections":188942,"connect_time":1,"first_byte_time":2,"response_time":2,"sent":19838910,"received":1079359050,"fails":0,"unavail":0,"health_checks":{"checks":113670,"fails":0,"unhealthy":0,"last_passed":true},"downtime":0,"downstart":0,"selected":1446249498000},{"id":1,"server":"10.0.0.2:15433","backup":false,"weight":1,"state":"up","active":0,"connections":188941,"connect_time":1,"first_byte_time":5,"response_time":5,"sent":19838805,"received":1079353794,"fails":0,"unavail":0,"health_checks":{"checks":113670,"fails":0,"unhealthy":0,"last_passed":true},"downtime":0,"downstart":0,"selected":1446249496000},{"id":2,"server":"10.0.0.2:15434","backup":false,"weight":1,"state":"up","active":0,"connections":188941,"connect_time":1,"first_byte_time":21,"response_time":21,"sent":19838805,"received":1079353746,"fails":0,"unavail":0,"health_checks":{"checks":113670,"fails":0,"unhealthy":0,"last_passed":true},"downtime":0,"downstart":0,"selected":1446249497000},{"id":3,"server":"10.0.0.2:15435","backup":false,"weight":1,"state":"down","active":0,"connections":0,"sent":0,"received":0,"fails":0,"unavail":0,"health_checks":{"checks":0,"fails":0,"unhealthy":0},"downtime":0,"downstart":0,"selected":0}]}}}}"#

    /// Every scalar member of `nginxPlusLine`, flattened (generated independently with Python's json module).
    static let nginxPlusLabels: [String] = [
        "address=206.251.255.64",
        "caches_http_cache_bypass_bytes=2419486418",
        "caches_http_cache_bypass_bytes_written=2419481970",
        "caches_http_cache_bypass_responses=53028",
        "caches_http_cache_bypass_responses_written=53012",
        "caches_http_cache_cold=false",
        "caches_http_cache_expired_bytes=2241979957",
        "caches_http_cache_expired_bytes_written=2218672701",
        "caches_http_cache_expired_responses=40337",
        "caches_http_cache_expired_responses_written=39158",
        "caches_http_cache_hit_bytes=19106806907",
        "caches_http_cache_hit_responses=208944",
        "caches_http_cache_max_size=536870912",
        "caches_http_cache_miss_bytes=17786455469",
        "caches_http_cache_miss_bytes_written=8700945983",
        "caches_http_cache_miss_responses=500654",
        "caches_http_cache_miss_responses_written=307167",
        "caches_http_cache_revalidated_bytes=0",
        "caches_http_cache_revalidated_responses=0",
        "caches_http_cache_size=536858624",
        "caches_http_cache_stale_bytes=0",
        "caches_http_cache_stale_responses=0",
        "caches_http_cache_updating_bytes=0",
        "caches_http_cache_updating_responses=0",
        "connections_accepted=8995031",
        "connections_active=2",
        "connections_dropped=0",
        "connections_idle=29",
        "generation=11",
        "job=nginxplus",
        "load_timestamp=1445680800424",
        "nginx_version=1.9.4",
        "pid=1",
        "pid_extracted=64857",
        "processes_respawned=0",
        "requests_current=2",
        "requests_total=18853899",
        "server_zones_hg_nginx_org_discarded=9167",
        "server_zones_hg_nginx_org_processing=0",
        "server_zones_hg_nginx_org_received=64355461",
        "server_zones_hg_nginx_org_requests=205543",
        "server_zones_hg_nginx_org_responses_1xx=0",
        "server_zones_hg_nginx_org_responses_2xx=179026",
        "server_zones_hg_nginx_org_responses_3xx=12627",
        "server_zones_hg_nginx_org_responses_4xx=2828",
        "server_zones_hg_nginx_org_responses_5xx=1895",
        "server_zones_hg_nginx_org_responses_total=196376",
        "server_zones_hg_nginx_org_sent=6490717598",
        "server_zones_lxr_nginx_org_discarded=442",
        "server_zones_lxr_nginx_org_processing=0",
        "server_zones_lxr_nginx_org_received=7533990",
        "server_zones_lxr_nginx_org_requests=25933",
        "server_zones_lxr_nginx_org_responses_1xx=0",
        "server_zones_lxr_nginx_org_responses_2xx=24148",
        "server_zones_lxr_nginx_org_responses_3xx=523",
        "server_zones_lxr_nginx_org_responses_4xx=602",
        "server_zones_lxr_nginx_org_responses_5xx=218",
        "server_zones_lxr_nginx_org_responses_total=25491",
        "server_zones_lxr_nginx_org_sent=578344845",
        "server_zones_trac_nginx_org_discarded=5070",
        "server_zones_trac_nginx_org_processing=1",
        "server_zones_trac_nginx_org_received=137431937",
        "server_zones_trac_nginx_org_requests=422435",
        "server_zones_trac_nginx_org_responses_1xx=0",
        "server_zones_trac_nginx_org_responses_2xx=199899",
        "server_zones_trac_nginx_org_responses_3xx=192623",
        "server_zones_trac_nginx_org_responses_4xx=22956",
        "server_zones_trac_nginx_org_responses_5xx=1886",
        "server_zones_trac_nginx_org_responses_total=417364",
        "server_zones_trac_nginx_org_sent=5736011981",
        "ssl_handshakes=23384",
        "ssl_handshakes_failed=4647",
        "ssl_session_reuses=5674",
        "stream_server_zones_postgresql_loadbalancer_connections=566824",
        "stream_server_zones_postgresql_loadbalancer_processing=0",
        "stream_server_zones_postgresql_loadbalancer_received=59516520",
        "stream_server_zones_postgresql_loadbalancer_sent=3238066590",
        "timestamp=1446249499322",
        "upstreams_demo_backend_keepalive=0",
        "upstreams_hg_backend_keepalive=0",
        "upstreams_lxr_backend_keepalive=0",
        "upstreams_trac_backend_keepalive=0",
        "version=6",
    ]
}
