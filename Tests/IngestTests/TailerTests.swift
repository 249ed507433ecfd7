import Foundation
import LogStore
import Testing

@testable import Ingest

/// A scratch folder with a log folder, a store and a runner over one `plain` source `logs/<glob>`.
final class TailerFixture {
    let dir: String
    let logs: String
    let store: LogStore
    let runner: IngestRunner

    init(glob: String = "app.log*", tailer: (inout TailerSettings) -> Void = { _ in },
         source: (inout SourceConfig) -> Void = { _ in }, name: String = #function) throws {
        dir = NSTemporaryDirectory() + "mclog-tail-" + name.filter { $0.isLetter } + "-" + UUID().uuidString
        logs = dir + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        var config = IngestConfig(dataDirectory: dir + "/data")
        config.tailer.pollIntervalNanos = 5_000_000
        config.tailer.rotateWaitNanos = 100_000_000
        tailer(&config.tailer)
        var s = SourceConfig(name: "app", paths: [logs + "/" + glob], format: .plain, labels: [Label("job", "t")])
        source(&s)
        config.sources = [s]
        store = try LogStore(directory: config.dataDirectory, options: config.storeOptions)
        runner = try IngestRunner(config: config, store: store, log: { _ in })
    }

    deinit {
        runner.stopAndWait()
        store.close()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Every stored line of job "t", in time order (the store returns an exact duplicate once).
    func lines() throws -> [String] {
        var out: [String] = []
        try store.select(SelectRequest(tenant: "fake", matchers: [try LabelMatcher("job", .eq, "t")], direction: .forward)) {
            out.append(String(decoding: $0.line, as: UTF8.self))
            return true
        }
        return out
    }

    /// Entries the store holds, duplicates included (`select` would hide exact duplicates).
    var storedEntries: Int {
        let s = store.stats()
        return s.entries + s.headEntries
    }

    /// Polls until `done` holds or `seconds` pass; whether it held.
    func waitUntil(seconds: Double = 60, _ done: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try done() { return true }
            usleep(5_000)
        }
        return try done()
    }
}

/// Appends lines with write(2) on an O_APPEND descriptor, as a logger does.
final class LogWriter {
    let path: String
    private(set) var fd: Int32

    init(_ path: String) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    }

    deinit { close(fd) }

    func write(_ s: String) {
        var s = s
        s.withUTF8 { u in _ = Glibc.write(fd, u.baseAddress, u.count) }
    }

    /// rename-and-create: the file moves to `to` and a new one takes its name.
    func renameAndCreate(to: String) {
        rename(path, to)
        close(fd)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    }

    /// copytruncate: copy the file to `to`, then truncate it; the writer keeps its descriptor.
    func copyTruncate(to: String) {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        FileManager.default.createFile(atPath: to, contents: data)
        ftruncate(fd, 0)
    }
}

/// `2025-11-21T10:15:03.000000001Z seq=1 …`: a plain line whose time orders it and whose seq identifies it.
func numberedLine(_ seq: Int, pad: Int = 20) -> String {
    let base: Int64 = 1_763_720_103_000_000_000
    let t = base + Int64(seq) * 1000
    let secs = t / 1_000_000_000
    let frac = t % 1_000_000_000
    var tm = tm()
    var s = time_t(secs)
    gmtime_r(&s, &tm)
    let stamp = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, frac)
    return "\(stamp) INFO seq=\(seq) \(String(repeating: "x", count: pad))\n"
}

func seqs(_ lines: [String]) -> [Int] {
    lines.compactMap { l in l.split(separator: " ").first { $0.hasPrefix("seq=") }.flatMap { Int($0.dropFirst(4)) } }
}

@Suite(.serialized) struct TailerTests {
    @Test func followsAppendsAndHoldsPartialLines() throws {
        let fx = try TailerFixture(tailer: { $0.partialLineTimeoutNanos = 60_000_000_000 })
        let w = LogWriter(fx.logs + "/app.log")
        w.write("first\nsec")
        fx.runner.start()
        #expect(fx.waitUntil { (try? fx.lines()) == ["first"] })
        w.write("ond\nthird\n")
        #expect(fx.waitUntil { (try? fx.lines()) == ["first", "second", "third"] })
        fx.runner.stopAndWait()
        let pos = try Positions.read(path: fx.runner.config.positionsFile)
        #expect(pos.files.count == 1 && pos.files[0].offset == 19 && pos.batchTime == nil)
    }

    @Test func partialLineIsSentAfterItsTimeout() throws {
        let fx = try TailerFixture(tailer: { $0.partialLineTimeoutNanos = 50_000_000 })
        LogWriter(fx.logs + "/app.log").write("no newline yet")
        fx.runner.start()
        #expect(fx.waitUntil { (try? fx.lines()) == ["no newline yet"] })
    }

    @Test func compressedRotationsAreNotRead() throws {
        let fx = try TailerFixture()
        LogWriter(fx.logs + "/app.log").write("plain\n")
        // A gzip member under a rotated name, and one under a name that hides it.
        let gz: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        FileManager.default.createFile(atPath: fx.logs + "/app.log.2.gz", contents: Data(gz))
        FileManager.default.createFile(atPath: fx.logs + "/app.log.3", contents: Data(gz))
        fx.runner.start()
        #expect(fx.waitUntil { (try? fx.lines()) == ["plain"] })
        fx.runner.stopAndWait()
        #expect(fx.storedEntries == 1)
    }

    /// A writer appends as fast as it can while the file is renamed away and recreated many times.
    @Test func renameAndCreateUnderAFastWriterStoresEveryLineOnce() throws {
        try rotationRun(copytruncate: false)
    }

    /// The same with copytruncate: the tail between the last read and the truncation is read from the copy.
    @Test func copytruncateUnderAFastWriterStoresEveryLineOnce() throws {
        try rotationRun(copytruncate: true)
    }

    func rotationRun(copytruncate: Bool, name: String = #function) throws {
        // Read times as timestamps: the store's order is then the read order, and a line read twice would be
        // two entries rather than one exact duplicate.
        let fx = try TailerFixture(source: { $0.timestamp.fromLine = false }, name: name + (copytruncate ? "ct" : "rn"))
        let total = 60_000, every = 2_000
        fx.runner.start()
        let w = LogWriter(fx.logs + "/app.log")
        for seq in 0..<total {
            w.write(numberedLine(seq))
            if seq % every == every - 1 {
                let to = fx.logs + "/app.log.\(seq / every)"
                if copytruncate { w.copyTruncate(to: to) } else { w.renameAndCreate(to: to) }
            }
        }
        let all = fx.waitUntil(seconds: 120) { fx.storedEntries >= total }
        fx.runner.stopAndWait()
        #expect(all, "stored \(fx.storedEntries) of \(total)")
        #expect(fx.storedEntries == total, "duplicates or losses: \(fx.storedEntries) entries for \(total) lines")
        let got = seqs(try fx.lines())
        #expect(got.count == total && Set(got) == Set(0..<total),
                "\(got.count) entries; missing: \(Set(0..<total).subtracting(got).sorted().prefix(10))")
        // In order per file: every generation was read front to back.
        var byGeneration: [Int: [Int]] = [:]
        for n in got { byGeneration[n / every, default: []].append(n) }
        for (g, list) in byGeneration where list != list.sorted() { Issue.record("generation \(g) out of order") }
    }

    /// The runner stops between the append and the checkpoint: the intent is resolved on the next start.
    @Test func intentInDoubtIsResolvedAgainstTheStore() throws {
        let fx = try TailerFixture()
        let w = LogWriter(fx.logs + "/app.log")
        for i in 0..<100 { w.write(numberedLine(i)) }
        fx.runner.start()
        #expect(fx.waitUntil { fx.storedEntries == 100 })
        fx.runner.stopAndWait()
        // Forge the state a crash right after the append leaves: positions at 0 with the intent of that batch.
        var p = try Positions.read(path: fx.runner.config.positionsFile)
        let end = p.files[0].offset
        let batchTime = Int64(1)
        p.batchTime = batchTime
        p.intents = [Positions.Intent(device: p.files[0].device, inode: p.files[0].inode, from: 0, to: end,
                                      fingerprint: p.files[0].fingerprint, carryTimestamp: nil, path: p.files[0].path)]
        p.files[0].offset = 0
        try p.write(path: fx.runner.config.positionsFile)
        for i in 100..<150 { w.write(numberedLine(i)) }
        let again = try IngestRunner(config: fx.runner.config, store: fx.store, log: { _ in })
        again.start()
        #expect(fx.waitUntil { fx.storedEntries >= 150 })
        again.stopAndWait()
        #expect(fx.storedEntries == 150)
        #expect(seqs(try fx.lines()) == Array(0..<150))

        // And when the append had not happened, the range is read again.
        var q = try Positions.read(path: fx.runner.config.positionsFile)
        let size = q.files[0].offset
        for i in 150..<160 { w.write(numberedLine(i)) }
        q.batchTime = 2
        q.intents = [Positions.Intent(device: q.files[0].device, inode: q.files[0].inode, from: size,
                                      to: size + numberedLine(150).utf8.count * 10, fingerprint: q.files[0].fingerprint,
                                      carryTimestamp: nil, path: q.files[0].path)]
        try q.write(path: fx.runner.config.positionsFile)
        let third = try IngestRunner(config: fx.runner.config, store: fx.store, log: { _ in })
        third.start()
        #expect(fx.waitUntil { fx.storedEntries >= 160 })
        third.stopAndWait()
        #expect(fx.storedEntries == 160)
    }

    /// The batch in doubt was read from a file that was then copytruncated while mclog was down: the range is
    /// checked against the copy, and reading continues in the copy after it.
    @Test func intentInDoubtAcrossACopytruncateIsCheckedInTheCopy() throws {
        let fx = try TailerFixture()
        let w = LogWriter(fx.logs + "/app.log")
        for i in 0..<100 { w.write(numberedLine(i)) }
        fx.runner.start()
        #expect(fx.waitUntil { fx.storedEntries == 100 })
        fx.runner.stopAndWait()
        var p = try Positions.read(path: fx.runner.config.positionsFile)
        let f = p.files[0]
        p.batchTime = 1
        p.intents = [Positions.Intent(device: f.device, inode: f.inode, from: 0, to: f.offset,
                                      fingerprint: f.fingerprint, carryTimestamp: nil, path: f.path)]
        p.files[0].offset = 0
        try p.write(path: fx.runner.config.positionsFile)
        for i in 100..<130 { w.write(numberedLine(i)) }
        w.copyTruncate(to: fx.logs + "/app.log.1")
        for i in 130..<160 { w.write(numberedLine(i, pad: 30)) }
        let again = try IngestRunner(config: fx.runner.config, store: fx.store, log: { _ in })
        again.start()
        #expect(fx.waitUntil { fx.storedEntries >= 160 })
        again.stopAndWait()
        #expect(fx.storedEntries == 160)
        #expect(seqs(try fx.lines()) == Array(0..<160))
    }

    @Test func truncationWhileStoppedRestartsAtZero() throws {
        let fx = try TailerFixture()
        let w = LogWriter(fx.logs + "/app.log")
        for i in 0..<50 { w.write(numberedLine(i)) }
        fx.runner.start()
        #expect(fx.waitUntil { fx.storedEntries == 50 })
        fx.runner.stopAndWait()
        ftruncate(w.fd, 0)
        for i in 50..<120 { w.write(numberedLine(i, pad: 40)) }  // longer than before: size alone would not tell
        let again = try IngestRunner(config: fx.runner.config, store: fx.store, log: { _ in })
        again.start()
        #expect(fx.waitUntil { fx.storedEntries >= 120 })
        again.stopAndWait()
        #expect(fx.storedEntries == 120)
        #expect(seqs(try fx.lines()) == Array(0..<120))
    }

    /// Labels and metadata as the runner stores them: level and zone (mapped from the virtual host) as stream
    /// labels; client, method, path, status, request time and the trace id (found by the regex) as metadata.
    @Test func levelZoneAndMetadataReachTheStore() throws {
        let fx = try TailerFixture(source: { s in
            s.format = .nginxAccess
            s.derivedLabel = DerivedLabel(name: "zone", pattern: DerivedLabel.defaultPattern,
                                          map: [(pattern: "*.kzone.example", value: "kzone")], defaultValue: "other")
        })
        let w = LogWriter(fx.logs + "/app.log")
        w.write(#"api.kzone.example:443 203.0.113.7 - - [21/Nov/2025:10:15:03 +0000] "GET /v1/models?trace_id=4bf92f3577b34da6a3ce929d0e0e4736 HTTP/1.1" 503 9 "-" "curl/8" 0.250 0.249"# + "\n")
        w.write(#"www.bzone.example:80 198.51.100.2 - - [21/Nov/2025:10:15:04 +0000] "GET / HTTP/1.1" 200 9 "-" "curl/8" 0.001 0.001"# + "\n")
        let once = try IngestRunner(config: fx.runner.config, store: fx.store, once: true, log: { _ in })
        try once.run()
        var got: [(LabelSet, [Label])] = []
        try fx.store.select(SelectRequest(tenant: "fake", matchers: [try LabelMatcher("job", .eq, "t")], direction: .forward)) {
            got.append(($0.labels, $0.metadata))
            return true
        }
        try #require(got.count == 2)
        #expect(got[0].0 == (try LabelSet([Label("job", "t"), Label("level", "error"), Label("zone", "kzone")])))
        #expect(Set(got[0].1) == [Label("client_ip", "203.0.113.7"), Label("method", "GET"),
                                  Label("path", "/v1/models?trace_id=4bf92f3577b34da6a3ce929d0e0e4736"),
                                  Label("status", "503"), Label("request_time", "0.250"),
                                  Label("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])
        #expect(got[1].0 == (try LabelSet([Label("job", "t"), Label("level", "info"), Label("zone", "other")])))
    }

    @Test func joinedEntryIsSentAfterItsWait() throws {
        let fx = try TailerFixture(source: { $0.multiline = MultilineRule(kind: .pythonTraceback, maxWaitNanos: 50_000_000) })
        LogWriter(fx.logs + "/app.log").write("2025-11-21 10:15:03,123 ERROR app: failed\nTraceback (most recent call last):\n  File \"a.py\", line 1\nValueError: x\n")
        fx.runner.start()
        #expect(fx.waitUntil { (try? fx.lines()) == ["2025-11-21 10:15:03,123 ERROR app: failed\nTraceback (most recent call last):\n  File \"a.py\", line 1\nValueError: x"] })
    }

    @Test func deletedFilesAreReleased() throws {
        let fx = try TailerFixture()
        LogWriter(fx.logs + "/app.log").write("one\ntwo\n")
        LogWriter(fx.logs + "/app.log.1").write("old\n")
        fx.runner.start()
        #expect(fx.waitUntil { fx.storedEntries == 3 && fx.runner.counters()[0].files == 2 })
        unlink(fx.logs + "/app.log.1")
        #expect(fx.waitUntil { fx.runner.counters()[0].files == 1 })
        fx.runner.stopAndWait()
        let pos = try Positions.read(path: fx.runner.config.positionsFile)
        #expect(pos.files.map { $0.path } == [fx.logs + "/app.log"])
    }

    /// Small batches: almost every batch is read while the previous one is being appended. Every line is stored
    /// once, in order, and the positions end at the file's end.
    @Test func overlappedSmallBatchesStoreEveryLineOnce() throws {
        let fx = try TailerFixture(tailer: { $0.batchBytes = 4096 })
        let w = LogWriter(fx.logs + "/app.log")
        var text = ""
        for i in 0..<20_000 { text += numberedLine(i) }
        w.write(text)
        let once = try IngestRunner(config: fx.runner.config, store: fx.store, once: true, log: { _ in })
        try once.run()
        #expect(try seqs(fx.lines()) == Array(0..<20_000))
        #expect(fx.storedEntries == 20_000)
        #expect(once.counters()[0].entries == 20_000)
        let pos = try Positions.read(path: fx.runner.config.positionsFile)
        #expect(pos.files.map(\.offset) == [text.utf8.count])
        #expect(pos.intents.isEmpty)
    }

    /// Stopped while a batch is in flight and the next one half read: the stop waits for the append, checkpoints
    /// what is durable, and a restart continues from there without a gap or a repeat.
    @Test func stopWithABatchInFlightResumesExactly() throws {
        let fx = try TailerFixture(tailer: { $0.batchBytes = 4096 })
        let w = LogWriter(fx.logs + "/app.log")
        var text = ""
        for i in 0..<30_000 { text += numberedLine(i) }
        w.write(text)
        fx.runner.start()
        #expect(fx.waitUntil { fx.storedEntries > 3000 })
        fx.runner.stopAndWait()
        let stored = fx.storedEntries
        let pos = try Positions.read(path: fx.runner.config.positionsFile)
        #expect(pos.intents.isEmpty)
        let again = try IngestRunner(config: fx.runner.config, store: fx.store, once: true, log: { _ in })
        try again.run()
        #expect(try seqs(fx.lines()) == Array(0..<30_000))
        #expect(fx.storedEntries == 30_000)
        #expect(again.counters()[0].entries == 30_000 - stored)
    }

    @Test func onceReadsEverythingAndReturns() throws {
        let fx = try TailerFixture(source: { $0.multiline = MultilineRule(kind: .javaStackTrace) })
        let w = LogWriter(fx.logs + "/app.log")
        w.write(numberedLine(0) + "java.lang.IllegalStateException: boom\n\tat a.b(C.java:1)\n" + numberedLine(1))
        w.write("tail without newline")
        let once = try IngestRunner(config: fx.runner.config, store: fx.store, once: true, log: { _ in })
        try once.run()
        let lines = try fx.lines()
        #expect(lines.count == 3)
        #expect(lines.first?.hasSuffix("at a.b(C.java:1)") == true)
        #expect(lines.contains("tail without newline"))  // it carries seq=1's time, so may sort either side of it
        #expect(once.counters()[0].entries == 3)
    }
}
