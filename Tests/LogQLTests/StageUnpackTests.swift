import Testing

@testable import LogQL

@Suite struct StageUnpackTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let note: String
        let stream: [String: String]
        let line: String
        let want: [String]
        /// The new line, or nil when the line is kept.
        let wantLine: String?

        init(_ note: String, _ stream: [String: String], _ line: String, _ want: [String], _ wantLine: String?) {
            self.note = note
            self.stream = stream
            self.line = line
            self.want = want
            self.wantLine = wantLine
        }

        var testDescription: String { note }
    }

    static let notObject = "__error_details__=expecting json object(6), but it is not"

    @Test("| unpack", arguments: [
        Row("only string members become labels", ["cluster": "us-central1"],
            #"{"bar":1,"app":"foo","namespace":"prod","_entry":"some message","pod":{"uid":"1"}}"#,
            ["cluster=us-central1", "app=foo", "namespace=prod"], "some message"),
        Row("not an object", ["job": "x"], #""app":"foo","namespace":"prod","_entry":"some message""#,
            ["job=x", "__error__=JSONParserErr", notObject], nil),
        Row("empty line", ["cluster": "us-central1"], "", ["cluster=us-central1"], nil),
        Row("array", ["cluster": "us-central1"], #"["foo","bar"]"#,
            ["cluster=us-central1", "__error__=JSONParserErr", notObject], nil),
        Row("leading space", ["job": "x"], #" {"_entry":"m"}"#, ["job=x", "__error__=JSONParserErr", notObject], nil),
        Row("clash with a stream label", ["cluster": "us-central1", "app": "bar"],
            #"{"bar":1,"app":"foo","namespace":"prod","_entry":"some message","pod":{"uid":"1"}}"#,
            ["cluster=us-central1", "app=bar", "app_extracted=foo", "namespace=prod"], "some message"),
        Row("no _entry: nothing changes", ["app": "bar", "cluster": "us-central1"],
            #"{"bar":1,"app":"foo","namespace":"prod","pod":{"uid":"1"}}"#, ["app=bar", "cluster=us-central1"], nil),
        Row("escaped quotes in _entry", ["app": "bar"],
            #"{"_entry":"I0303 17:49:45.976518    1526 kubelet_getters.go:178] \"Pod status updated\" pod=\"openshift-etcd/etcd-ip-10-0-150-50.us-east-2.compute.internal\" status=Running"}"#,
            ["app=bar"],
            #"I0303 17:49:45.976518    1526 kubelet_getters.go:178] "Pod status updated" pod="openshift-etcd/etcd-ip-10-0-150-50.us-east-2.compute.internal" status=Running"#),
        Row("names sanitised", ["foo": "bar"], #"{"foo.bar":"10ms","test-dash":"foo","_entry":"some message"}"#,
            ["foo=bar", "foo_bar=10ms", "test_dash=foo"], "some message"),
        Row("escapes in values and _entry", ["job": "x"], #"{"msg":"caf\u00e9","_entry":"line1\nline2\t\u00e9"}"#,
            ["job=x", "msg=café"], "line1\nline2\té"),
        Row("_entry that is not a string is no entry", ["job": "x"], #"{"_entry":5,"a":"b"}"#, ["job=x"], nil),
        Row("last _entry wins", ["job": "x"], #"{"_entry":"one","_entry":"two"}"#, ["job=x"], "two"),
        Row("invalid escape in _entry", ["job": "x"], #"{"a":"b","_entry":"bad \q"}"#,
            ["job=x", "__error__=JSONParserErr", "__error_details__=Encountered an invalid escape sequence in a string"], nil),
        Row("trailing comma", ["job": "x"], #"{"_entry":"m","a":"b",}"#,
            ["job=x", "__error__=JSONParserErr",
             "__error_details__=Value looks like object, but can't find closing '}' symbol"], nil),
        Row("unclosed object", ["job": "x"], #"{"_entry":"m","a":"b""#,
            ["job=x", "__error__=JSONParserErr", "__error_details__=Value is array, but can't find closing ']' symbol"], nil),
        Row("packed uvicorn line (real line)", ["job": "vllm"],
            #"{"job":"vllm","pod":"vllm-0","_entry":"(APIServer pid=23283) INFO:     127.0.0.1:35594 - \"GET /v1/models HTTP/1.1\" 200 OK"}"#,
            ["job=vllm", "job_extracted=vllm", "pod=vllm-0"],
            #"(APIServer pid=23283) INFO:     127.0.0.1:35594 - "GET /v1/models HTTP/1.1" 200 OK"#),
        Row("empty _entry", ["job": "x"], #"{"level":"info","_entry":""}"#, ["job=x", "level=info"], ""),
    ])
    func unpack(_ row: Row) throws {
        let (labels, result) = try runStage(UnpackStage(), stream: row.stream, line: row.line)
        #expect(labels == row.want.sorted())
        #expect(result.replacement == row.wantLine)
    }

    @Test func reuseAcrossLines() throws {
        let stage = UnpackStage()
        _ = try runStage(stage, stream: ["job": "x"], line: #"{"a":"1","_entry":"first"}"#)
        _ = try runStage(stage, stream: ["job": "x"], line: #"{"b":"2"}"#)
        let (labels, result) = try runStage(stage, stream: ["job": "x"], line: #"{"c":"3","_entry":"third"}"#)
        #expect(labels == ["c=3", "job=x"])
        #expect(result.replacement == "third")
    }
}
