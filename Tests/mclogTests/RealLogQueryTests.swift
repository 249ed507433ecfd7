import Foundation
import Testing

/// LogQL pipelines and metric queries over the real logs in `fixtures/logs`, each expected count computed
/// independently by grep, perl or awk over the same file (unique lines: mclog stores an exact duplicate once).
@Suite struct RealLogQueryTests {
    static let apache = ImportQueryTests.fixtures + "/apache_access_combined.3000.log"
    static let vllm = ImportQueryTests.fixtures + "/vllm_server.log"

    /// One store with both files: the access log by its timestamps, the vLLM log (no year in its timestamps) at
    /// import time.
    static func store() throws -> String {
        let dir = CLI.temporaryDirectory()
        let a = try CLI.run(["import", "--data", dir, "--labels", "{job=\"nginx\",zone=\"kzone\"}", "--format", "nginx", apache])
        #expect(a.status == 0, "\(a.stderr)")
        let v = try CLI.run(["import", "--data", dir, "--labels", "{job=\"vllm\"}", "--format", "none", vllm])
        #expect(v.status == 0, "\(v.stderr)")
        return dir
    }

    static func unique(_ file: String, _ pipeline: String) throws -> Int {
        Int(try CLI.shell("sed 's/\\r$//' '\(file)' | sort -u | \(pipeline) | wc -l"))!
    }

    @Test func pipelinesAgreeWithPerlAndGrep() throws {
        let dir = try RealLogQueryTests.store()
        let cases: [(query: String, file: String, reference: String)] = [
            // regexp with \S over real lines, then a regex label filter.
            (#"{job="nginx"} | regexp "^(?P<ip>\\S+) " | ip=~"66\\.249\\..*""#, RealLogQueryTests.apache, "grep -E '^66\\.249\\.'"),
            // The status after the request, compared as a number.
            (#"{job="nginx"} | regexp "HTTP/1\\.[01]\" (?P<status>[0-9]{3}) " | status >= 400"#, RealLogQueryTests.apache,
             #"perl -ne 'print if /HTTP\/1\.[01]" ([0-9]{3}) / && $1 >= 400'"#),
            (#"{job="nginx"} | regexp "HTTP/1\\.[01]\" (?P<status>[0-9]{3}) (?P<size>[0-9]+)" | size > 20KB"#, RealLogQueryTests.apache,
             #"perl -ne 'print if /HTTP\/1\.[01]" ([0-9]{3}) ([0-9]+)/ && $2 > 20000'"#),
            // pattern parser, then a string label filter; Loki's (?i) literal rewrite.
            (#"{job="nginx"} | pattern "<ip> - - [<_>] \"<method> <path> <_>\" <_>" | method="HEAD""#, RealLogQueryTests.apache,
             #"perl -ne 'print if /^\S+ - - \[[^\]]*\] "HEAD /'"#),
            (#"{job="nginx"} |~ "(?i)googlebot""#, RealLogQueryTests.apache, "grep -i -F googlebot"),
            (#"{job="vllm"} |~ "(?i)warning""#, RealLogQueryTests.vllm, "grep -i -F warning"),
            (#"{job="vllm"} | regexp "^(?P<level>[A-Z]+) " | level="WARNING""#, RealLogQueryTests.vllm, "grep -E '^WARNING '"),
            // line_format rewrites the line before the filter after it.
            (#"{job="nginx"} | regexp "\"(?P<method>[A-Z]+) (?P<path>\\S+)" | line_format "{{.method}} {{.path}}" |= "HEAD /""#, RealLogQueryTests.apache,
             #"perl -ne 'print if /"([A-Z]+) (\S+)/ && "$1 $2" =~ /HEAD \//'"#),
        ]
        for c in cases {
            let expected = try RealLogQueryTests.unique(c.file, c.reference)
            #expect(expected > 0, "\(c.query): the reference finds nothing")
            #expect(try ImportQueryTests.count(dir, c.query) == expected, "\(c.query)")
        }
    }

    /// `sum by (method) (count_over_time(…))` against perl's first match per unique line.
    @Test func countByExtractedLabelAgreesWithPerl() throws {
        let dir = try RealLogQueryTests.store()
        let reference = try CLI.shell(
            #"sed 's/\r$//' '\#(RealLogQueryTests.apache)' | sort -u | perl -ne 'print "$1\n" if /"([A-Z]+) /' | sort | uniq -c"#)
        var expected: [String: Int] = [:]
        for line in reference.split(separator: "\n") {
            let parts = line.split(separator: " ")
            expected[String(parts[1])] = Int(parts[0])
        }
        #expect(expected.count >= 2)
        let r = try CLI.run(["query", "--data", dir, "--instant", "--to", "2030-01-01T00:00:00Z",
                             #"sum by (method) (count_over_time({job="nginx"} | regexp "\"(?P<method>[A-Z]+) " [200000h]))"#])
        #expect(r.status == 0, "\(r.stderr)")
        var got: [String: Int] = [:]
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            let method = parts[0].replacingOccurrences(of: "{method=\"", with: "").replacingOccurrences(of: "\"}", with: "")
            got[method] = Int(parts[1])
        }
        #expect(got == expected)
    }
}
