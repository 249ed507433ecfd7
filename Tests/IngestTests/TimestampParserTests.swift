import Glibc
import Testing

@testable import Ingest

/// One table row: a line, the format to parse it with, and the Unix ns expected (nil: no timestamp). Expected
/// values were computed outside this code, with `date -u -d <time> +%s%N`.
struct TimestampRow: Sendable, CustomTestStringConvertible {
    let format: TimestampFormat
    let expected: Int64?
    let line: String

    init(_ format: TimestampFormat, _ expected: Int64?, _ line: String) {
        self.format = format
        self.expected = expected
        self.line = line
    }

    var testDescription: String { "\(format): \(line.prefix(70))" }
}

private typealias Row = TimestampRow

func parse(_ format: TimestampFormat, _ line: String) -> Int64? {
    var line = line
    return line.withUTF8 { TimestampParser(format: format).parse(UnsafeRawBufferPointer($0)) }
}

/// Lines copied from /work/shared/data/logs (elastic-examples, elastic-beats-samples, loghub, vllm, sglang, kafka,
/// gpud-kernel); long ones are cut, trailing CR and spaces dropped.
let realLogLines: [TimestampRow] = [
        Row(.nginx, 1431857103000000000, #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#),
        Row(.auto, 1431857103000000000, #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#),
        Row(.nginx, 1523519320000000000, #"127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-""#),
        Row(.auto, 1481105107000000000, #"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0""#),
        Row(.nginx, 1477406974000000000, #"2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#),
        Row(.slash, 1477407044000000000, #"2016/10/25 14:50:44 [error] 54053#0: *3 open() "/usr/local/Cellar/nginx/1.10.2_1/html/adsasd" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /adsasd HTTP/1.1", host: "localhost:8080""#),
        Row(.auto, 1572477994000000000, #"2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: "PHP message: PHP Warning:  Declara"#),
        Row(.python, 1445191307978000000, #"2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001"#),
        Row(.auto, 1438191704747000000, #"2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200"#),
        Row(.python, 1475037030000000000, #"2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.23505_none_681aa442f6fed7f0\cbscore.dll"#),
        Row(.iso8601, 1785623119000000000, #"[2026-08-01 22:25:19] Warning: You are sending unauthenticated requests to the HF Hub. Please set a HF_TOKEN to enable higher rate limits and faster downloads."#),
        Row(.auto, 1482179988918000000, #"[2016-12-19 20:39:48,918] WARN [ReplicaFetcherThread-0-2], Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@26408511 (kafka.server.ReplicaFetcherThread)"#),
        Row(.iso8601, 1482161506725000000, #"2016-12-19T16:31:46.725+0100: 1.595: [GC pause (G1 Evacuation Pause) (young), 0.0096173 secs]"#),
        Row(.auto, nil, #"nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fb"#),
        Row(.auto, nil, #"INFO 06-10 06:16:16 [__init__.py:243] Automatically detected platform cuda."#),
        Row(.auto, nil, #"(APIServer pid=23283) INFO 08-01 20:59:09 [api_utils.py:339]"#),
        Row(.auto, nil, #"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4"#),
        Row(.auto, nil, #"[Mon Dec 26 16:22:08 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico"#),
        Row(.auto, nil, #"17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]"#),
        Row(.auto, nil, #"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating"#),
        Row(.auto, nil, #"kern  :warn  : 2025-01-21T04:41:44,283302+00:00 NVRM: Xid (PCI:0000:38:00): 13, pid='<unknown>', name=<unknown"#),
        Row(.python, nil, #"[2016-12-19 20:39:48,918] WARN [ReplicaFetcherThread-0-2], Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@26408511 (kafka.server.ReplicaFetcherThread)"#),
        Row(.nginx, nil, #"2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001"#),
        Row(.iso8601, nil, #"83.149.9.216 - - [17/May/2015:10:05:43 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-dashboard3.png HTTP/1.1" 200 171717 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#),
        Row(.iso8601, nil, #"2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/C"#),
]

/// Hand-written lines for each form, zone offsets, fractions, calendar edges and the Int64 range.
let constructedLines: [TimestampRow] = [
        Row(.nginx, 1548519325000000000, #"[26/Jan/2019:19:45:25 +0330] "GET / HTTP/1.1" 200 612"#),
        Row(.nginx, 971211336000000000, #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#),
        Row(.nginx, 1614940323000000000, #"10.1.1.1 - - [05/MAR/2021:01:02:03 -0930] "GET / HTTP/1.1" 200 1"#),
        Row(.auto, 1431857103000000000, #"[client 1.2.3.4] [pid 7] [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1"#),
        Row(.auto, 1763716503000000000, #"2025-11-21 10:15:03+01:00 [01/Jan/2000:00:00:00 +0000] the line-start form wins"#),
        Row(.nginx, nil, #"[32/Jan/2019:19:45:25 +0000] "GET / HTTP/1.1" 200 1"#),
        Row(.nginx, nil, #"[26/Foo/2019:19:45:25 +0000] "GET / HTTP/1.1" 200 1"#),
        Row(.nginx, nil, #"[26/Jan/2019:24:45:25 +0000] "GET / HTTP/1.1" 200 1"#),
        Row(.nginx, nil, #"[26/Jan/2019:19:45:25] "GET / HTTP/1.1" 200 1"#),
        Row(.nginx, nil, #"[26/Jan/2019:19:45:25 +0000 "GET / HTTP/1.1" 200 1"#),
        Row(.nginx, nil, #"[26/Jan/2019:19:45:25 +0060] "GET / HTTP/1.1" 200 1"#),
        Row(.iso8601, 1763720103000000000, #"2025-11-21T10:15:03Z level=info msg="started""#),
        Row(.iso8601, 1763716503123456789, #"2025-11-21T10:15:03.123456789+01:00 level=info msg="started""#),
        Row(.iso8601, 1763720103123000000, #"2025-11-21 10:15:03.123Z level=info"#),
        Row(.iso8601, 1763720103000000000, #"2025-11-21T10:15:03 no zone means UTC"#),
        Row(.iso8601, 1763745303500000000, #"2025-11-21T10:15:03.5-0700 basic-format offset"#),
        Row(.iso8601, 1763700303000001000, #"2025-11-21t10:15:03.000001+05:30 lower-case t"#),
        Row(.iso8601, 1763730903000000000, #"2025-11-21T10:15:03-03 hours-only offset"#),
        Row(.iso8601, 1763720103987650000, #"[2025-11-21T10:15:03,98765z] comma fraction, lower-case z"#),
        Row(.iso8601, nil, #"2025-11-21T10:15:03.1234567891Z ten fraction digits"#),
        Row(.iso8601, nil, #"2025-13-01T00:00:00Z month 13"#),
        Row(.iso8601, nil, #"2025-01-32T00:00:00Z day 32"#),
        Row(.iso8601, nil, #"2025-00-10T00:00:00Z month 0"#),
        Row(.iso8601, nil, #"2025-11-00T00:00:00Z day 0"#),
        Row(.iso8601, nil, #"2025-11-21T25:00:00Z hour 25"#),
        Row(.iso8601, nil, #"2025-11-21T24:00:00Z hour 24"#),
        Row(.iso8601, nil, #"2025-11-21T10:60:00Z minute 60"#),
        Row(.iso8601, nil, #"2025-11-21T10:15:60Z second 60"#),
        Row(.iso8601, nil, #"2023-02-29T12:00:00Z not a leap year"#),
        Row(.iso8601, 1709208000000000000, #"2024-02-29T12:00:00Z leap year"#),
        Row(.iso8601, nil, #"1900-02-29 00:00:00 century, not a leap year"#),
        Row(.iso8601, 951868799000000000, #"2000-02-29 23:59:59 400-year leap year"#),
        Row(.iso8601, nil, #"2025-04-31T00:00:00Z April has 30 days"#),
        Row(.iso8601, nil, #"2025-11-21T10:15:03+24:00 offset hour 24"#),
        Row(.iso8601, nil, #"2025-11-21T10:15:03+01:7 broken offset minutes"#),
        Row(.iso8601, nil, #"2025-11-21 10:15:034 digit after the seconds"#),
        Row(.iso8601, nil, #"2025-11-21 date only"#),
        Row(.iso8601, nil, #"2025-11-21T10:15 no seconds"#),
        Row(.iso8601, nil, #" 2025-11-21T10:15:03Z leading space"#),
        Row(.iso8601, nil, #"25-11-21T10:15:03Z two-digit year"#),
        Row(.iso8601, 0, #"1970-01-01T00:00:00Z epoch"#),
        Row(.iso8601, -500000000, #"1969-12-31T23:59:59.5Z before the epoch"#),
        Row(.iso8601, 9223372036854775807, #"2262-04-11T23:47:16.854775807Z last Int64 nanosecond"#),
        Row(.iso8601, nil, #"2262-04-11T23:47:16.854775808Z one past Int64"#),
        Row(.iso8601, -9223372036854775808, #"1677-09-21T00:12:43.145224192Z first Int64 nanosecond"#),
        Row(.iso8601, nil, #"1677-09-21T00:12:43.145224191Z one before Int64"#),
        Row(.python, 1763720103123000000, #"2025-11-21 10:15:03,123 - app - INFO - started"#),
        Row(.python, 1763720103000000000, #"2025-11-21 10:15:03 INFO started"#),
        Row(.python, 1763720103100000000, #"2025-11-21 10:15:03,1 one fraction digit"#),
        Row(.python, nil, #"2025-11-21T10:15:03,123 - T separator is ISO 8601, not Python"#),
        Row(.python, nil, #"2025-11-31 10:15:03,123 - November has 30 days"#),
        Row(.slash, nil, #"2025-11-21 10:15:03 [error] 1#1: hyphens are not slashes"#),
        Row(.slash, nil, #"2025/11/21 25:15:03 [error] 1#1: hour 25"#),
        Row(.slash, nil, #"2025/02/30 10:15:03 [error] 1#1: 30 February"#),
        Row(.slash, nil, #"2025/11/21 [error] 1#1: date only"#),
        Row(.none, nil, #"2025-11-21T10:15:03Z level=info"#),
        Row(.none, nil, #"[26/Jan/2019:19:45:25 +0330] "GET / HTTP/1.1" 200 612"#),
        Row(.auto, nil, #""#),
        Row(.auto, nil, #"no timestamp here at all"#),
]

@Suite("TimestampParser")
struct TimestampParserTests {
    @Test("real log lines", arguments: realLogLines)
    func realLine(_ row: TimestampRow) {
        #expect(parse(row.format, row.line) == row.expected)
    }

    @Test("constructed lines", arguments: constructedLines)
    func constructedLine(_ row: TimestampRow) {
        #expect(parse(row.format, row.line) == row.expected)
    }

    @Test("a CRLF line ending does not disturb the line-start forms", arguments: [
        (TimestampFormat.iso8601, "2025-11-21T10:15:03Z\r\n"),
        (.python, "2025-11-21 10:15:03\r\n"),
        (.slash, "2025/11/21 10:15:03\r\n"),
        (.nginx, "1.2.3.4 - - [21/Nov/2025:10:15:03 +0000] \"GET / HTTP/1.1\" 200 1\r\n"),
    ])
    func crlf(_ format: TimestampFormat, _ line: String) {
        #expect(parse(format, line) == 1_763_720_103_000_000_000)
    }

    @Test("auto looks for the bracketed form only in the first autoSearchWindow bytes; nginx looks everywhere")
    func bracketSearchWindow() {
        let stamp = "[17/May/2015:10:05:03 +0000]"
        let inside = String(repeating: "x", count: TimestampParser.autoSearchWindow - 1) + stamp
        let outside = String(repeating: "x", count: TimestampParser.autoSearchWindow) + stamp
        #expect(parse(.auto, inside) == 1_431_857_103_000_000_000)
        #expect(parse(.auto, outside) == nil)
        #expect(parse(.nginx, outside) == 1_431_857_103_000_000_000)
    }

    @Test("the parser reads only the bytes it is given, not what lies beyond them")
    func staysInsideBuffer() {
        var text = "2025-11-21T10:15:034Z"
        text.withUTF8 { all in
            let whole = UnsafeRawBufferPointer(all)
            // Through the seconds: the `4` beyond the slice must not count as a trailing digit.
            let seconds = UnsafeRawBufferPointer(rebasing: whole[0..<19])
            #expect(TimestampParser(format: .iso8601).parse(seconds) == 1_763_720_103_000_000_000)
            // Cut inside the seconds: no timestamp, even though the digits exist past the end.
            let cut = UnsafeRawBufferPointer(rebasing: whole[0..<18])
            #expect(TimestampParser(format: .iso8601).parse(cut) == nil)
            #expect(TimestampParser(format: .iso8601).parse(whole) == nil)
        }
        #expect(TimestampParser(format: .auto).parse(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
    }

    @Test("days-from-civil agrees with gmtime_r across the whole Int64 nanosecond range")
    func agreesWithGmtime() {
        // Deterministic spread of instants from 1677-09-22 to 2262-04-10 (xorshift), plus the epoch.
        let low: Int64 = -9_223_286_400, span: Int64 = 18_446_572_800
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var checked = 0
        for n in 0..<20_000 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let seconds = n == 0 ? 0 : low + Int64(state % UInt64(span))
            var t = time_t(seconds)
            var tm = tm()
            gmtime_r(&t, &tm)
            let text = "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T"
                + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
            #expect(parse(.iso8601, text) == seconds * 1_000_000_000, "\(text)")
            checked += 1
        }
        #expect(checked == 20_000)
    }

    @Test("every format has a stable name", arguments: TimestampFormat.allCases)
    func formatNames(_ format: TimestampFormat) {
        #expect(TimestampFormat(rawValue: format.rawValue) == format)
        #expect(["auto", "nginx", "iso8601", "python", "slash", "none"].contains(format.rawValue))
    }
}

private func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
