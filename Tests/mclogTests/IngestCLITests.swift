import Foundation
import LogStore
import Testing

/// `mclog ingest`, `mclog config check` and `mclog import --format <log format>` as a user runs them.
@Suite struct IngestCLITests {
    static let fixtures = CLI.packageRoot.appendingPathComponent("fixtures/logs").path

    /// The issue's minimal configuration, the edge log in place: `--once` stores every line of the real log
    /// with levels from the status codes, and a second `--once` adds nothing.
    @Test func minimalConfigOnceThenNothingTwice() throws {
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/logs/edge-proxy-01", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/apache_access_combined.3000.log",
                                         toPath: dir + "/logs/edge-proxy-01/access.log")
        try """
            data: ./data
            sources:
              - path: logs/edge-proxy-01/access.log*
                format: nginx-access
                labels: {job: nginx, host: edge-proxy-01}
            """.write(toFile: dir + "/mclog.yaml", atomically: true, encoding: .utf8)
        let check = try CLI.run(["config", "check", dir + "/mclog.yaml"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("nginx-access") && check.stdout.contains("1 file(s) match now"))
        let first = try CLI.run(["ingest", "--config", dir + "/mclog.yaml", "--once"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("3000 entries"))
        let second = try CLI.run(["ingest", "--config", dir + "/mclog.yaml", "--once"])
        #expect(second.stdout.contains(": 0 entries"), "\(second.stdout)")
        let errors = try CLI.run(["query", "--data", dir + "/data", "--since", "200000h", "--limit", "0",
                                  "{job=\"nginx\", level=\"error\"}"])
        let expected = Int(try CLI.shell("grep -c '\" 5[0-9][0-9] ' '\(Self.fixtures)/apache_access_combined.3000.log'"))!
        #expect(errors.stdout.split(separator: "\n").count == expected)
    }

    @Test func configCheckReportsLineAndKeyPath() throws {
        let dir = CLI.temporaryDirectory()
        try "data: d\nsources:\n  - path: a\n    format: apache\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["config", "check", dir + "/bad.yaml"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.yaml:4:13: sources[0].format: unknown format \"apache\""), "\(r.stderr)")
    }

    /// SIGTERM stops a running tailer after checkpointing: exit 0, no intent left, every line stored.
    @Test func sigtermStopsCleanlyAfterCheckpointing() throws {
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        try """
            data: ./data
            tailer: {poll_interval: 20ms}
            sources:
              - path: logs/*.log
                format: plain
                labels: {job: term}
            """.write(toFile: dir + "/mclog.yaml", atomically: true, encoding: .utf8)
        let lines = (0..<500).map { "2025-11-21T10:15:03.\(String(format: "%06d", $0))Z INFO line \($0)\n" }.joined()
        try lines.write(toFile: dir + "/logs/a.log", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["ingest", "--config", dir + "/mclog.yaml"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the positions file shows the whole file checkpointed, then ask it to stop.
        let size = lines.utf8.count
        let deadline = Date().addingTimeInterval(30)
        var checkpointed = false
        while Date() < deadline && !checkpointed {
            if let text = try? String(contentsOfFile: dir + "/data/ingest-positions", encoding: .utf8),
               text.contains(" \(size) ") { checkpointed = true } else { usleep(10_000) }
        }
        #expect(checkpointed)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        let summary = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(summary.contains("500 entries"), "\(summary)")
        let positions = try String(contentsOfFile: dir + "/data/ingest-positions", encoding: .utf8)
        #expect(!positions.contains("intent") && !positions.contains("batch"))
        let store = try LogStore(directory: dir + "/data")
        defer { store.close() }
        #expect(store.stats().headEntries + store.stats().entries == 500)
    }

    /// `import --format python` joins tracebacks and sets levels, like the tailer.
    @Test func importWithALogFormatJoinsTracebacks() throws {
        let dir = CLI.temporaryDirectory()
        let file = dir + "/app.log"
        try """
            2025-11-21 10:15:03,123 ERROR app.main: request failed
            Traceback (most recent call last):
              File "app.py", line 3, in f
            ZeroDivisionError: division by zero
            2025-11-21 10:15:04,000 INFO app.main: next

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["import", "--data", dir + "/data", "--labels", "{job=\"backend\"}", "--format", "python", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported 2 lines"), "\(r.stdout)")
        let q = try CLI.run(["query", "--data", dir + "/data", "--since", "200000h", "--output", "jsonl",
                             "{job=\"backend\", level=\"error\"}"])
        #expect(q.stdout.contains("ZeroDivisionError: division by zero"))
        #expect(q.stdout.split(separator: "\n").count == 1)
    }
}
