import Foundation
import Testing

/// Real logs imported through the CLI; query counts checked against grep on the same files.
/// mclog stores an exact duplicate (same stream, timestamp and line) once, as Loki does, so the reference is
/// `grep … | sort -u | wc -l` (the timestamp is part of these lines). A trailing CR is not part of a line.
@Suite struct ImportQueryTests {
    static let fixtures = CLI.packageRoot.appendingPathComponent("fixtures/logs").path
    static let shared = CLI.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/logs").path

    static func count(_ dir: String, _ query: String) throws -> Int {
        let r = try CLI.run(["query", "--data", dir, "--since", "200000h", "--limit", "0", query])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.isEmpty ? 0 : r.stdout.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    }

    static func grepCount(_ file: String, _ args: String) throws -> Int {
        Int(try CLI.shell("sed 's/\\r$//' '\(file)' | grep \(args) | sort -u | wc -l"))!
    }

    @Test("apache access log: line filters agree with grep", arguments: [
        ("|= \"GET\"", "-F 'GET'"),
        ("|= \"83.149.9.216\"", "-F '83.149.9.216'"),
        ("!= \"Mozilla\"", "-v -F 'Mozilla'"),
        ("|~ \"\\\" 40[0-9] \"", "-E '\" 40[0-9] '"),
        ("!~ \"(?i)bot|spider\"", "-v -i -E 'bot|spider'"),
        ("|= \"no-such-literal-anywhere\"", "-F 'no-such-literal-anywhere'"),
        ("|= \".png\" != \"kibana\"", "-F '.png' | grep -v -F 'kibana'"),
    ])
    func apacheFixture(_ filter: String, _ grep: String) throws {
        let dir = CLI.temporaryDirectory()
        let file = ImportQueryTests.fixtures + "/apache_access_combined.3000.log"
        let r = try CLI.run(["import", "--data", dir, "--labels", "{job=\"nginx\",zone=\"kzone\"}", "--format", "nginx", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported 3000 lines"))
        let expected = try ImportQueryTests.grepCount(file, grep)
        #expect(try ImportQueryTests.count(dir, "{job=\"nginx\"} " + filter) == expected)
        #expect(try ImportQueryTests.count(dir, "<zone=\"kzone\"> " + filter) == expected)
    }

    @Test func sharedRealLogsAgreeWithGrep() throws {
        guard FileManager.default.fileExists(atPath: ImportQueryTests.shared) else { return }
        let dir = CLI.temporaryDirectory()
        let cases: [(file: String, labels: String, format: String, literal: String)] = [
            ("elastic-examples/apache_access_combined.log", "{job=\"nginx\",zone=\"kzone\"}", "nginx", "Chrome"),
            ("elastic-beats-samples/nginx-error.log", "{job=\"nginx-error\"}", "slash", "favicon"),
            ("vllm-sglang-dgx-spark/vllm-run1-oom.log", "{job=\"ai-engine\",engine=\"vllm\"}", "auto", "memory"),
            ("kernel-oom/oom-global-ubuntu-3.13-gce-badsysprogram.kmsg.log", "{job=\"kernel\"}", "auto", "Killed process"),
            ("loghub/OpenSSH/OpenSSH_2k.log", "{job=\"sshd\"}", "auto", "Failed password"),
        ]
        for c in cases {
            let file = ImportQueryTests.shared + "/" + c.file
            let r = try CLI.run(["import", "--data", dir, "--labels", c.labels, "--format", c.format, file])
            #expect(r.status == 0, "\(c.file): \(r.stderr)")
            let selector = c.labels
            let expected = try ImportQueryTests.grepCount(file, "-F '\(c.literal)'")
            #expect(expected > 0, "\(c.file) has no \(c.literal)")
            #expect(try ImportQueryTests.count(dir, "\(selector) |= \"\(c.literal)\"") == expected, "\(c.file)")
            let all = Int(try CLI.shell("sed 's/\\r$//' '\(file)' | sort -u | grep -c ''"))!
            #expect(try ImportQueryTests.count(dir, selector) == all, "\(c.file)")
        }
        let stats = try CLI.run(["stats", "--data", dir])
        #expect(stats.stdout.contains("streams: 5"))
    }

    @Test func badQueryShowsCaretAndExitsWithTwo() throws {
        let dir = CLI.temporaryDirectory()
        let r = try CLI.run(["query", "--data", dir, "{job=\"x\"} |= oops"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("{job=\"x\"} |= oops\n             ^"))
        #expect(r.stderr.contains("expected a string after |="))
    }

    @Test func jsonlRoundTripKeepsStreamsAndTimestamps() throws {
        let a = CLI.temporaryDirectory()
        let file = ImportQueryTests.fixtures + "/apache_access_combined.3000.log"
        _ = try CLI.run(["import", "--data", a, "--labels", "{job=\"nginx\",zone=\"kzone\"}", "--format", "nginx", file])
        let exported = try CLI.run(["query", "--data", a, "--since", "200000h", "--limit", "0", "--output", "jsonl",
                                    "--direction", "forward", "{job=\"nginx\"} |= \"GET /favicon.ico\""])
        #expect(exported.status == 0)
        let export = a + "/export.jsonl"
        try exported.stdout.write(toFile: export, atomically: true, encoding: .utf8)
        let b = CLI.temporaryDirectory()
        let imp = try CLI.run(["import", "--data", b, "--format", "jsonl", export])
        #expect(imp.status == 0, "\(imp.stderr)")
        let again = try CLI.run(["query", "--data", b, "--since", "200000h", "--limit", "0", "--output", "jsonl",
                                 "--direction", "forward", "{job=\"nginx\"}"])
        #expect(again.stdout == exported.stdout)
        #expect(!again.stdout.isEmpty)
    }

    @Test func limitAndTimeRange() throws {
        let dir = CLI.temporaryDirectory()
        let file = ImportQueryTests.fixtures + "/apache_access_combined.3000.log"
        _ = try CLI.run(["import", "--data", dir, "--labels", "{job=\"nginx\"}", "--format", "nginx", file])
        let r = try CLI.run(["query", "--data", dir, "--since", "200000h", "--limit", "5", "{job=\"nginx\"}"])
        let newest = r.stdout.split(separator: "\n").map(String.init)
        #expect(newest.count == 5)
        // Newest first by default: the reverse of the last five in forward order.
        let forward = try CLI.run(["query", "--data", dir, "--since", "200000h", "--limit", "0", "--direction", "forward",
                                   "{job=\"nginx\"}"]).stdout.split(separator: "\n").map(String.init)
        #expect(forward.count == Int(try CLI.shell("sort -u '\(file)' | wc -l"))!)
        #expect(Array(forward.suffix(5).reversed()) == newest)
        // Forward order is time order (the file itself is not quite sorted).
        let stamps = forward.map { line in line.split(separator: "[")[1].prefix(20) }
        let f = DateFormatter()
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss"
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        let times = stamps.map { f.date(from: String($0))! }
        #expect(times == times.sorted())
        // 17/May/2015:10:05:00 .. 10:06:00 UTC (file starts at 10:05:03).
        let window = try CLI.run(["query", "--data", dir, "--from", "2015-05-17T10:05:00Z", "--to", "2015-05-17T10:06:00Z",
                                  "--limit", "0", "{job=\"nginx\"}"])
        let expected = Int(try CLI.shell("grep -c '17/May/2015:10:05:' '\(file)'"))!
        #expect(window.stdout.split(separator: "\n").count == expected)
    }

    @Test func gzipFilesAndLz4StoresImportTheSameLines() throws {
        let file = ImportQueryTests.fixtures + "/apache_access_combined.3000.log"
        let dir = CLI.temporaryDirectory()
        let gz = dir + "/access.log.gz"
        _ = try CLI.shell("gzip -c '\(file)' > '\(gz)'")
        let r = try CLI.run(["import", "--data", dir + "/store", "--labels", "{job=\"nginx\"}", "--format", "nginx",
                             "--codec", "lz4", gz])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported 3000 lines"))
        let expected = try ImportQueryTests.grepCount(file, "-F 'Firefox'")
        #expect(try ImportQueryTests.count(dir + "/store", "{job=\"nginx\"} |= \"Firefox\"") == expected)
        let bad = try CLI.run(["import", "--data", dir + "/store", "--labels", "{job=\"nginx\"}", "--codec", "brotli", file])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("unknown --codec brotli"))
    }

    @Test func metricQueriesAgreeWithGrepAndPrintLokiJSON() throws {
        let dir = CLI.temporaryDirectory()
        let file = ImportQueryTests.fixtures + "/apache_access_combined.3000.log"
        _ = try CLI.run(["import", "--data", dir, "--labels", "{job=\"nginx\",zone=\"kzone\"}", "--format", "nginx", file])
        let expected = try ImportQueryTests.grepCount(file, "-F '\" 404 '")
        let r = try CLI.run(["query", "--data", dir, "--instant", "--to", "2015-05-19T00:00:00Z",
                             "sum by (zone) (count_over_time({job=\"nginx\"} |= \"\\\" 404 \" [30d]))"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{zone=\"kzone\"}\t\(expected)\n")
        let json = try CLI.run(["query", "--data", dir, "--from", "2015-05-17T10:00:00Z", "--to", "2015-05-17T12:00:00Z",
                                "--step", "1h", "--output", "json", "count_over_time({job=\"nginx\"}[1h])"])
        #expect(json.stdout.hasPrefix("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"job\":\"nginx\",\"zone\":\"kzone\"},\"values\":[[1431860400,"))
        // The 10:00 step's window (09:00, 10:00] is empty, so absent; 11:00 counts (10:00, 11:00].
        let perHour = Int(try CLI.shell("sort -u '\(file)' | grep -c '17/May/2015:10:'"))!
        #expect(!json.stdout.contains("[1431856800,"))
        #expect(json.stdout.contains("[1431860400,\"\(perHour)\"]"))
        let bad = try CLI.run(["query", "--data", dir, "sum(rate({job=\"nginx\"}))"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("expected a range like [5m]"))
    }

    @Test func importRejectsBadLabelsWithAClearMessage() throws {
        let dir = CLI.temporaryDirectory()
        let r = try CLI.run(["import", "--data", dir, "--labels", "{job-name=\"x\"}", ImportQueryTests.fixtures + "/nginx-error.log"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--labels"))
    }
}
