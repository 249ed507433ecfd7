import Foundation
import LogStore
import Testing

/// `kill -9` `mclog ingest` at random moments while a writer appends and rotates (rename+create and
/// copytruncate); after the restarts and a final `--once`, every line is stored exactly once.
@Suite struct IngestCrashTests {
    @Test func killNineDuringWritesAndRotationsLosesAndRepeatsNothing() throws {
        let dir = CLI.temporaryDirectory()
        let logs = dir + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let config = dir + "/mclog.yaml"
        try """
            data: ./data
            tailer: {poll_interval: 10ms, rotate_wait: 200ms, batch_size: 32KiB}
            sources:
              - path: logs/app.log*
                format: plain
                multiline: java
                labels: {job: crash}
                # Read times, not the lines' times: a line read twice would be stored twice (at two times)
                # instead of being merged as an exact duplicate, and the store's order is the read order.
                timestamp: {from: ingest}
            """.write(toFile: config, atomically: true, encoding: .utf8)

        let total = 120_000
        let writer = Thread {
            var fd = open(logs + "/app.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            var rotation = 0
            for seq in 0..<total {
                // Every 50th entry carries a stack trace, joined by the multiline rule: entries cut across batch
                // boundaries and re-read in recovery must come out the same.
                var line = crashLine(seq) + (seq % 50 == 0 ? "java.lang.IllegalStateException: \(seq)\n\tat a.B.c(B.java:1)\n" : "")
                line.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
                if seq % 400 == 399 { usleep(4_000) }
                if seq % 6_000 == 5_999 {
                    rotation += 1
                    let to = logs + "/app.log.\(rotation)"
                    if rotation % 2 == 0 {
                        rename(logs + "/app.log", to)
                        close(fd)
                        fd = open(logs + "/app.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                    } else {
                        let data = FileManager.default.contents(atPath: logs + "/app.log") ?? Data()
                        FileManager.default.createFile(atPath: to, contents: data)
                        ftruncate(fd, 0)
                    }
                }
            }
            close(fd)
        }
        writer.start()

        var rng = SystemRandomNumberGenerator()
        var rounds = 0
        while !writer.isFinished || rounds < 6 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["ingest", "--config", config]
            p.standardOutput = FileHandle.nullDevice
            let logPath = dir + "/ingest-\(rounds).log"
            FileManager.default.createFile(atPath: logPath, contents: nil)
            p.standardError = FileHandle(forWritingAtPath: logPath)
            // Odd rounds die by the failpoint right after an append and before its checkpoint (the window a
            // random kill rarely hits); even rounds are killed from outside at a random moment.
            let failpoint = rounds % 2 == 1 && !writer.isFinished
            if failpoint {
                var env = ProcessInfo.processInfo.environment
                env["MCLOG_INGEST_KILL_AFTER_APPENDS"] = String(Int.random(in: 1...8, using: &rng))
                p.environment = env
            }
            try p.run()
            if failpoint {
                let deadline = Date().addingTimeInterval(10)
                while p.isRunning && Date() < deadline { usleep(2_000) }
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }  // no data reached it: kill as usual
            } else {
                usleep(UInt32.random(in: 50_000...600_000, using: &rng))
                kill(p.processIdentifier, SIGKILL)
            }
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "round \(rounds): ingest exited by itself")
            rounds += 1
            usleep(UInt32.random(in: 0...100_000, using: &rng))  // the writer goes on (and rotates) while it is down
        }

        // Drain what is left, then count.
        let last = try CLI.run(["ingest", "--config", config, "--once"])
        #expect(last.status == 0, "\(last.stderr)")
        let store = try LogStore(directory: dir + "/data")
        defer { store.close() }
        let s = store.stats()
        #expect(s.entries + s.headEntries == total, "\(s.entries + s.headEntries) entries stored for \(total) lines")
        var seen: [Int] = []
        var traces = 0
        try store.select(SelectRequest(tenant: "fake", matchers: [try LabelMatcher("job", .eq, "crash")],
                                       direction: .forward)) { e in
            let l = String(decoding: e.line, as: UTF8.self)
            if l.hasSuffix("\tat a.B.c(B.java:1)") { traces += 1 }
            if let f = l.split(separator: " ").first(where: { $0.hasPrefix("seq=") }), let n = Int(f.dropFirst(4)) {
                seen.append(n)
            }
            return true
        }
        var counts: [Int: Int] = [:]
        for n in seen { counts[n, default: 0] += 1 }
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        #expect(seen.count == total && Set(seen) == Set(0..<total),
                "\(seen.count) entries, missing \(Set(0..<total).subtracting(seen).count), repeated \(repeated.count) from \(repeated.first ?? -1) to \(repeated.last ?? -1), rounds \(rounds), logs in \(dir)")
        #expect(traces == total / 50, "\(traces) entries with their stack trace joined")
        // In order per file: each rotation generation (6000 lines) was read front to back.
        var byGeneration: [Int: [Int]] = [:]
        for n in seen { byGeneration[n / 6_000, default: []].append(n) }
        for (g, list) in byGeneration where list != list.sorted() {
            Issue.record("generation \(g) stored out of order")
        }
    }
}

/// A plain line with an ISO time that orders it and a sequence number that names it.
func crashLine(_ seq: Int) -> String {
    let t = 1_763_720_103 + seq / 1_000_000
    var tt = time_t(t)
    var tm = tm()
    gmtime_r(&tt, &tm)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ INFO seq=%d payload-%d\n", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, seq % 1_000_000, seq, seq &* 7919)
}
