import Testing

@testable import Ingest

/// One table row: format, line, and what the parser must find. Times were computed outside this code with
/// `date -u -d <time> +%s%N`. Year-less formats are parsed as of `FormatRow.now` (2025-09-01T00:00:00Z).
struct FormatRow: Sendable, CustomTestStringConvertible {
    let format: LogFormat
    let line: String
    let timestamp: Int64?
    let level: Level?
    let fields: [String: String]
    var zone = 0
    var now: Int64 = FormatRow.now

    static let now: Int64 = 1_756_684_800_000_000_000

    init(_ format: LogFormat, _ line: String, _ timestamp: Int64?, _ level: Level?, _ fields: [String: String] = [:],
         zone: Int = 0, now: Int64 = FormatRow.now) {
        self.format = format
        self.line = line
        self.timestamp = timestamp
        self.level = level
        self.fields = fields
        self.zone = zone
        self.now = now
    }

    var testDescription: String { "\(format.rawValue): \(line.prefix(60))" }
}

private typealias Row = FormatRow

/// The parsed fields of `line` as name → text, the way they reach structured metadata.
func parsedFields(_ format: LogFormat, _ line: String, zone: Int = 0, now: Int64 = FormatRow.now)
    -> (ParsedFields, [String: String]) {
    var line = line
    return line.withUTF8 { u in
        let p = UnsafeRawBufferPointer(u)
        var f = ParsedFields()
        LineParser(format: format, zoneOffsetSeconds: zone, now: now).parse(p, into: &f)
        var out: [String: String] = [:]
        func put(_ name: String, _ r: Range<Int>?) { if let r { out[name] = p.string(r) } }
        put("client_ip", f.clientIP)
        put("method", f.method)
        put("path", f.path)
        put("status", f.status)
        put("request_time", f.requestTime)
        put("trace_id", f.traceID)
        put("duration_ms", f.durationMillis)
        return (f, out)
    }
}

@Suite struct FormatParserTests {
    static let rows: [FormatRow] = [
        // nginx access, elastic-beats-samples/nginx-access-edgecases.log: X-Forwarded-For lists, IPv6, empty request.
        Row(.nginxAccess, #"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0""#,
            1_481_105_107_000_000_000, .info, ["client_ip": "10.0.0.2", "method": "GET", "path": "/ocelot", "status": "200"]),
        Row(.nginxAccess, #""10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/xxxx?q=100 HTTP/1.1" 200 25507 "-" "Amazon CloudFront""#,
            1_453_468_709_000_000_000, .info, ["client_ip": "10.5.102.222", "method": "GET", "path": "/assets/xxxx?q=100", "status": "200"]),
        Row(.nginxAccess, #"2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /test.html HTTP/1.1" 404 8571 "-" "Mozilla/5.0 (compatible; Facebot 1.0; https://developers.facebook.com/docs/sharing/webmasters/crawler)""#,
            1_483_080_429_000_000_000, .warn, ["client_ip": "2a03:0000:10ff:f00f:0000:0000:0:8000", "method": "GET", "path": "/test.html", "status": "404"]),
        Row(.nginxAccess, #"127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-""#,
            1_523_519_320_000_000_000, .warn, ["client_ip": "127.0.0.1", "status": "400"]),
        Row(.nginxAccess, #"172.17.0.1 - - [29/May/2017:19:02:48 +0000] "GET /stringpatch HTTP/1.1" 404 612 "-" "Mozilla/5.0 (Windows NT 6.1; rv:15.0) Gecko/20120716 Firefox/15.0a2" "-""#,
            1_496_084_568_000_000_000, .warn, ["client_ip": "172.17.0.1", "method": "GET", "path": "/stringpatch", "status": "404"]),
        // fixtures/logs/apache_access_combined.3000.log, first line, with the `$request_time $upstream_response_time` variant's tail.
        Row(.nginxAccess, #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 502 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36" 0.123 0.120"#,
            1_431_857_103_000_000_000, .error, ["client_ip": "83.149.9.216", "method": "GET", "path": "/presentations/logstash-monitorama-2013/images/kibana-search.png", "status": "502", "request_time": "0.123"]),
        Row(.nginxAccess, "not an access line", nil, nil, ["client_ip": "not"]),
        // vhost_combined: the virtual host comes first.
        Row(.nginxAccess, #"api.kzone.example:443 203.0.113.7 - - [21/Nov/2025:10:15:03 +0000] "POST /v1/chat HTTP/2.0" 504 0 "-" "curl/8" 30.001 30.000"#,
            1_763_720_103_000_000_000, .error, ["client_ip": "203.0.113.7", "method": "POST", "path": "/v1/chat", "status": "504", "request_time": "30.001"]),

        // nginx error, elastic-beats-samples/nginx-error.log and the issue's example.
        Row(.nginxError, #"2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#,
            1_477_406_974_000_000_000, .error, ["client_ip": "127.0.0.1", "method": "GET", "path": "/favicon.ico"]),
        Row(.nginxError, "2025/11/21 10:15:03 [crit] 1234#0: *5678 upstream timed out (110: Connection timed out)",
            1_763_720_103_000_000_000, .critical),
        Row(.nginxError, "2025/11/21 10:15:03 [warn] 1234#0: *5678 an upstream response is buffered",
            1_763_712_903_000_000_000, .warn, zone: 7200),  // the server writes local time at +02:00

        // Python logging and uvicorn (issue 4's examples), Kafka's log4j layout.
        Row(.uvicorn, #"INFO:     10.0.2.1:51234 - "GET /health HTTP/1.1" 200 OK"#, nil, .info,
            ["client_ip": "10.0.2.1", "method": "GET", "path": "/health", "status": "200"]),
        Row(.python, "2025-11-21 10:15:03,123 ERROR app.main: payment failed", 1_763_720_103_123_000_000, .error),
        Row(.python, "2025-11-21 10:15:03,123 - app.db - WARNING - pool exhausted", 1_763_720_103_123_000_000, .warn),
        Row(.python, "[2016-12-19 20:39:48,918] WARN [ReplicaFetcherThread-0-2], Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@26408511 (kafka.server.ReplicaFetcherThread)",
            1_482_179_988_918_000_000, .warn),
        Row(.python, "    raise ValueError(x)", nil, nil),

        // vLLM, vllm-production-stack/vllm_server.log and vllm-sglang-dgx-spark/vllm.log.
        Row(.vllm, "INFO 06-10 06:16:16 [__init__.py:243] Automatically detected platform cuda.", 1_749_536_176_000_000_000, .info),
        Row(.vllm, "(APIServer pid=23283) ERROR 08-01 21:34:51 [async_llm.py:704] AsyncLLM output_handler failed.",
            1_754_084_091_000_000_000, .error),
        Row(.vllm, "(APIServer pid=23283) INFO:     Shutting down", nil, .info),
        Row(.vllm, #"(APIServer pid=1) INFO:     127.0.0.1:38350 - "POST /v1/chat/completions HTTP/1.1" 200 OK"#, nil, .info,
            ["client_ip": "127.0.0.1", "method": "POST", "path": "/v1/chat/completions", "status": "200"]),
        // A December line read on 2 January is last year's.
        Row(.vllm, "WARNING 12-31 23:59:59 [x.py:1] late", 1_735_689_599_000_000_000, .warn, now: 1_735_776_000_000_000_000),

        // JSON and logfmt.
        Row(.json, #"{"ts":"2025-11-21T10:15:03.5Z","level":"warning","msg":"slow","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","status":503,"method":"POST","path":"/v1/chat","request_time":1.25,"ctx":{"level":"debug"}}"#,
            1_763_720_103_500_000_000, .warn, ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "status": "503", "method": "POST", "path": "/v1/chat", "request_time": "1.25"]),
        Row(.json, #"{"timestamp": 1446249499322, "severity": "ERROR", "msg": "a \"quoted\" {brace}"}"#, 1_446_249_499_322_000_000, .error),
        Row(.json, "not json", nil, nil),
        Row(.logfmt, #"time=2025-11-21T10:15:03Z level=error msg="upstream timeout" trace_id=0af7651916cd43dd8448eb211c80319c method=GET path=/v1/embeddings status=504 duration=30.001"#,
            1_763_720_103_000_000_000, .error, ["trace_id": "0af7651916cd43dd8448eb211c80319c", "method": "GET", "path": "/v1/embeddings", "status": "504", "request_time": "30.001"]),

        // Kernel: /dev/kmsg, dmesg --time-format iso, <N>[uptime], bare OOM-killer dump lines.
        Row(.kernel, "6,3964,206764307,-;nvidia-nvswitch2: open (major=510)", nil, .info),
        Row(.kernel, "3,3965,206764310,-;NVRM: Xid (PCI:0000:38:00): 79, GPU has fallen off the bus.", nil, .error),
        Row(.kernel, "kern  :warn  : 2025-01-21T04:41:44,283302+00:00 NVRM: Xid (PCI:0000:38:00): 13, pid='<unknown>', name=<unknown>, Graphics SM Global Exception on (GPC 8, TPC 5, SM 1): Multiple Warp Errors",
            1_737_434_504_283_302_000, .warn),
        Row(.kernel, "<1>[  201.654822] BUG: unable to handle kernel NULL pointer dereference at           (null)", nil, .critical),
        Row(.kernel, "<6>[  201.650687] sysrq: SysRq : Trigger a crash", nil, .info),
        Row(.kernel, "memorymonster invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0", nil, .error),
        Row(.kernel, "[ 1234.5678] Kernel panic - not syncing: Fatal exception", nil, .critical),
        Row(.kernel, "memorymonster cpuset=/ mems_allowed=0", nil, nil),

        // Syslog: elastic-examples/auth.log (RFC 3164) and RFC 5424's own example.
        Row(.syslog, "Mar 27 13:06:56 ip-10-77-20-248 sshd[1291]: Server listening on 0.0.0.0 port 22.", 1_743_080_816_000_000_000, nil),
        Row(.syslog, "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed for lonvick on /dev/pts/8",
            1_065_910_455_003_000_000, .critical),

        // Plain: any leading timestamp, a level word.
        Row(.plain, "[2016-12-19 20:39:48,918] WARN [ReplicaFetcherThread-0-2], Error in fetch", 1_482_179_988_918_000_000, .warn),
        Row(.plain, "2025-11-21T10:15:03Z something ERROR happened", 1_763_720_103_000_000_000, .error),
        Row(.plain, "E is not a level here", nil, nil),

        // PostgreSQL and Redis (issue 4's lines).
        Row(.postgres, "2025-11-21 10:15:03.123 UTC [1234] LOG:  duration: 5123.456 ms  statement: SELECT * FROM orders",
            1_763_720_103_123_000_000, .info, ["duration_ms": "5123.456"]),
        Row(.postgres, "2025-11-21 10:15:04.001 UTC [1240] FATAL:  remaining connection slots are reserved for non-replication superuser connections",
            1_763_720_104_001_000_000, .critical),
        Row(.postgres, "2025-11-21 10:15:04.001 UTC [1240] app@shop ERROR:  deadlock detected",
            1_763_720_104_001_000_000, .error),
        Row(.redis, "1234:M 21 Nov 2025 10:15:03.123 # WARNING overcommit_memory is set to 0!", 1_763_720_103_123_000_000, .warn),
        Row(.redis, "1234:M 21 Nov 2025 10:15:03.001 * Ready to accept connections tcp", 1_763_720_103_001_000_000, .info),
    ]

    @Test(arguments: rows)
    func parsesRealLines(_ row: FormatRow) {
        let (f, fields) = parsedFields(row.format, row.line, zone: row.zone, now: row.now)
        #expect(f.timestamp == row.timestamp)
        #expect(f.level == row.level)
        #expect(fields == row.fields)
    }

    /// Every line of the real fixtures parses without trapping, and the ones that must carry a time do.
    @Test(arguments: [
        ("apache_access_combined.3000.log", LogFormat.nginxAccess, true),
        ("nginx-access-edgecases.log", .nginxAccess, true),
        ("dmesg-iso.log", .kernel, true),
        ("auth-syslog.log", .syslog, true),
        ("vllm_server.log", .vllm, false),
        ("kmsg.log", .kernel, false),
        ("oom-kmsg.log", .kernel, false),
        ("nginxplus-status.jsonl", .json, true),
    ])
    func parsesFixtureFiles(_ name: String, _ format: LogFormat, _ everyLineTimed: Bool) throws {
        let lines = try fixtureLines(name)
        #expect(!lines.isEmpty)
        var timed = 0
        for line in lines where !line.isEmpty {
            let (f, _) = parsedFields(format, line)
            if f.timestamp != nil { timed += 1 }
            if everyLineTimed { #expect(f.timestamp != nil, "no timestamp in \(line.prefix(80))") }
        }
        #expect(timed > 0 || !everyLineTimed)
    }

    /// The emitter's literal bits and names stand for `MetadataField.bit` and `rawValue`.
    @Test func metadataFieldConstantsMatchTheCases() {
        let constants: [(MetadataField, UInt8, String)] = [
            (.traceID, MetadataField.traceIDBit, MetadataField.traceIDName),
            (.status, MetadataField.statusBit, MetadataField.statusName),
            (.method, MetadataField.methodBit, MetadataField.methodName),
            (.path, MetadataField.pathBit, MetadataField.pathName),
            (.clientIP, MetadataField.clientIPBit, MetadataField.clientIPName),
            (.requestTime, MetadataField.requestTimeBit, MetadataField.requestTimeName),
        ]
        #expect(constants.count == MetadataField.allCases.count)
        for (field, bit, name) in constants {
            #expect(field.bit == bit)
            #expect(field.rawValue == name)
        }
    }

    @Test func levelWordsNormalise() {
        let cases: [(String, Level?)] = [("ERROR", .error), ("err", .error), ("Warning", .warn), ("WARN", .warn),
                                         ("FATAL", .critical), ("crit", .critical), ("notice", .info),
                                         ("DEBUG3", .debug), ("trace", .trace), ("verbose", .debug),
                                         ("errors", nil), ("", nil), ("infos", nil)]
        for (word, level) in cases {
            var w = word
            let got = w.withUTF8 { u in Level.parse(UnsafeRawBufferPointer(u), 0..<u.count) }
            #expect(got == level, "\(word)")
        }
    }
}

/// Lines of a file in `fixtures/logs`.
func fixtureLines(_ name: String) throws -> [String] {
    let path = fixturePath(name)
    // Split the bytes, not the String: "\r\n" is one Character, so a String split on "\n" would not cut there.
    let bytes = try readFile(path)
    return bytes.split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}

func fixturePath(_ name: String) -> String {
    let here = #filePath
    let root = here.split(separator: "/").dropLast(3).joined(separator: "/")
    return "/" + root + "/fixtures/logs/" + name
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else { throw TestFailure("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

#if canImport(Glibc)
import Glibc
#endif
