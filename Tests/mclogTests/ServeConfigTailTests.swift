import Foundation
import Testing

/// `mclog serve --config` runs the configuration's tailers beside the HTTP API: lines appended to a tailed file
/// become queryable through the API, `/metrics` counts them per source, and a restart neither loses nor repeats
/// a line.
@Suite struct ServeConfigTailTests {
    @Test func serveTailsTheConfiguredSourcesExactlyOnceAcrossARestart() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/app.log"
        func append(_ range: ClosedRange<Int>) throws {
            let h = FileHandle(forWritingAtPath: log) ?? {
                FileManager.default.createFile(atPath: log, contents: nil)
                return FileHandle(forWritingAtPath: log)!
            }()
            h.seekToEndOfFile()
            h.write(Data(range.map { "level=info msg=\"request \($0)\"\n" }.joined().utf8))
            try h.close()
        }
        try append(1...50)
        try """
            data: ./data
            tailer: {poll_interval: 50ms}
            sources:
              - name: app
                path: app.log
                format: logfmt
                labels: {job: backend-api}
            """.write(toFile: dir + "/mclog.yaml", atomically: true, encoding: .utf8)

        func count(_ base: String) throws -> Int {
            let body = try CLI.shell("curl -sS -G '\(base)/loki/api/v1/query' --data-urlencode 'query=sum(count_over_time({job=\"backend-api\"}[1d]))'")
            guard let r = body.range(of: #""value":\[[0-9.]+,"[0-9]+""#, options: .regularExpression) else { return 0 }
            return Int(body[r].split(separator: "\"").last!) ?? 0
        }
        func waitFor(_ n: Int, _ base: String) throws -> Int {
            var got = 0
            for _ in 0..<200 {
                got = try count(base)
                if got >= n { break }
                usleep(50_000)
            }
            return got
        }

        let first = try ServeProcess(data: dir + "/data", arguments: ["--config", dir + "/mclog.yaml", "--listen",
                                                                      "127.0.0.1:0", "--otlp-listen", "none"])
        let base1 = try #require(first.address(), "mclog serve did not report its address")
        #expect(try waitFor(50, base1) == 50)
        try append(51...80)
        #expect(try waitFor(80, base1) == 80)
        let metrics = try CLI.shell("curl -sS '\(base1)/metrics'")
        #expect(metrics.contains("mclog_tailer_entries_total{source=\"app\"} 80"), "\(metrics.prefix(400))")
        first.stop()

        try append(81...100)  // written while mclog is down
        let second = try ServeProcess(data: dir + "/data", arguments: ["--config", dir + "/mclog.yaml", "--listen",
                                                                       "127.0.0.1:0", "--otlp-listen", "none"])
        let base2 = try #require(second.address(), "the restarted mclog serve did not report its address")
        #expect(try waitFor(100, base2) == 100)
        usleep(300_000)  // a duplicate would arrive within a few polls
        #expect(try count(base2) == 100)
        second.stop()
    }
}
