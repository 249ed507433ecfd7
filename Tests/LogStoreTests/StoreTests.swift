import Foundation
import Testing
@testable import LogStore
import Storage

@Suite struct StoreTests {
    let nginx = labels(["job": "nginx", "zone": "kzone"])
    let backend = labels(["job": "backend", "zone": "kzone"])

    @Test func appendedEntriesAreReadableFromHeadBlocksAndAfterReopen() throws {
        let dir = temporaryDirectory()
        do {
            let store = try LogStore(directory: dir, options: smallOptions())
            try store.append(tenant: "fake", [(nginx, batch([(1, "GET / 200"), (3, "GET /x 500")])),
                                              (backend, batch([(2, "ERROR db timeout")]))])
            #expect(try store.lines([eq("zone", "kzone")]).map(\.2) == ["GET / 200", "ERROR db timeout", "GET /x 500"])
            try store.flush()
            try store.append(tenant: "fake", [(nginx, batch([(4, "GET /y 200")]))])
            #expect(try store.lines([eq("job", "nginx")]).map(\.1) == [1, 3, 4])
            store.close()
        }
        // Reopen: block plus WAL replay of the unflushed entry.
        let store = try LogStore(directory: dir, options: smallOptions())
        #expect(store.openReport.replayedEntries == 1)
        #expect(try store.lines([eq("job", "nginx")], direction: .backward).map(\.2) == ["GET /y 200", "GET /x 500", "GET / 200"])
        let s = store.stats()
        #expect(s.streams == 2)
        #expect(s.blocks == 1)
        #expect(s.entries + s.headEntries == 4)
    }

    @Test func flushedSegmentsAreNotReplayedTwice() throws {
        let dir = temporaryDirectory()
        do {
            let store = try LogStore(directory: dir, options: smallOptions())
            try store.append(tenant: "fake", [(nginx, batch([(1, "a"), (2, "b")]))])
            try store.flush()
            store.close()
        }
        let store = try LogStore(directory: dir, options: smallOptions())
        #expect(store.openReport.replayedEntries == 0)
        #expect(try store.lines([eq("job", "nginx")]).count == 2)
    }

    @Test func outOfOrderEntriesComeBackSortedAndDuplicatesOnce() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        try store.append(tenant: "fake", [(nginx, batch([(30, "c"), (10, "a"), (20, "b"), (10, "a")]))])
        try store.flush()
        // Same entries again (a client retry) plus one older entry arriving late.
        try store.append(tenant: "fake", [(nginx, batch([(20, "b"), (5, "early"), (15, "a2")]))])
        #expect(try store.lines([eq("job", "nginx")]).map(\.2) == ["early", "a", "a2", "b", "c"])
        try store.flush()
        #expect(try store.lines([eq("job", "nginx")]).map(\.2) == ["early", "a", "a2", "b", "c"])
        #expect(try store.lines([eq("job", "nginx")], direction: .backward).map(\.2) == ["c", "b", "a2", "a", "early"])
    }

    /// Batches of half a page or more become head pages as they are (no copy into the open page); blocks are
    /// cut from the merged pages, so sort order and duplicate removal across batches stay as before.
    @Test func largeBatchesAreHeadPagesAndStillMergeSortedWithoutDuplicates() throws {
        let dir = temporaryDirectory()
        let pad = String(repeating: "x", count: 40)
        // smallOptions: 4096-byte pages; each batch holds about 5 KB. The second starts in the first one's last
        // second, repeats its last entry and brings one older entry.
        let first = (0..<100).map { (Int64($0 / 2) * 10, "a\($0) \(pad)") }
        let second = [first[99], (Int64(35), "late \(pad)")] + (100..<200).map { (Int64($0 / 2) * 10, "a\($0) \(pad)") }
        // Distinct timestamps apart from pairs of neighbours (kept in arrival order) and the repeated entry.
        let expected = (first + second.dropFirst()).enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        let store = try LogStore(directory: dir, options: smallOptions())
        try store.append(tenant: "fake", [(nginx, batch(first))])
        try store.append(tenant: "fake", [(nginx, batch(second))])
        #expect(try store.lines([eq("job", "nginx")]).map(\.2) == expected)
        store.close()
        let replayed = try LogStore(directory: dir, options: smallOptions())
        #expect(try replayed.lines([eq("job", "nginx")]).map(\.2) == expected)
        try replayed.flush()
        #expect(try replayed.lines([eq("job", "nginx")]).map(\.2) == expected)
        replayed.close()
    }

    @Test func timeRangeIsFromInclusiveToExclusive() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        try store.append(tenant: "fake", [(nginx, batch((0..<10).map { (Int64($0) * 100, "l\($0)") }))])
        try store.flush()
        #expect(try store.lines([eq("job", "nginx")], from: 200, to: 500).map(\.1) == [200, 300, 400])
        #expect(try store.lines([eq("job", "nginx")], from: 201, to: 301).map(\.1) == [300])
        #expect(try store.lines([eq("job", "nginx")], from: 1000, to: 2000).isEmpty)
    }

    @Test func limitAndDirectionSpanStreams() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        try store.append(tenant: "fake", [(nginx, batch([(1, "n1"), (4, "n4"), (6, "n6")])),
                                          (backend, batch([(2, "b2"), (5, "b5")]))])
        try store.flush()
        #expect(try store.lines([eq("zone", "kzone")], direction: .backward, limit: 3).map(\.2) == ["n6", "b5", "n4"])
        #expect(try store.lines([eq("zone", "kzone")], direction: .forward, limit: 2).map(\.2) == ["n1", "b2"])
    }

    @Test func lineFiltersRunOnStoredPages() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        let lines = (0..<3000).map { i in (Int64(i), i % 1000 == 7 ? "client 203.0.113.77 GET /x" : "client 10.0.\(i % 200).1 GET /y \(i)") }
        try store.append(tenant: "fake", [(nginx, batch(lines))])
        try store.flush()
        let hits = try store.lines([eq("job", "nginx")], filter: .contains(.init("203.0.113.77")))
        #expect(hits.map(\.1) == [7, 1007, 2007])
        var stats = SelectStats()
        stats = try store.select(SelectRequest(matchers: [eq("job", "nginx")], filter: .contains(.init("no-such-literal")))) { _ in true }
        #expect(stats.pagesTotal > 10)
        #expect(stats.pagesSkippedByBloom > stats.pagesTotal * 9 / 10)
        let regex = try store.lines([eq("job", "nginx")], filter: .matches(try .init("GET /x$")))
        #expect(regex.count == 3)
        let notContains = try store.lines([eq("job", "nginx")], filter: .all([.notContains(.init("GET /y")), .notContains(.init("77"))]))
        #expect(notContains.isEmpty)
        let either = try store.lines([eq("job", "nginx")], filter: .any([.contains(.init("/y 2999")), .contains(.init("203.0.113.77"))]))
        #expect(either.map(\.1) == [7, 1007, 2007, 2999])
    }

    @Test("regex filters scanned over whole pages match line by line", arguments: [
        ("^GET", ["GET /a 200", "GET /c 500"]),
        ("200$", ["GET /a 200", "POST /b 200"]),
        ("/b\\s+200", ["POST /b 200"]),
        ("^(GET|POST) /[ab]", ["GET /a 200", "POST /b 200"]),
        ("\\d{3}$", ["GET /a 200", "POST /b 200", "GET /c 500"]),
        ("0\\nP", []),  // never across the line break
        ("(?<=xx)GET", ["xxGET /d"]),
    ])
    func regexPageScan(_ pattern: String, _ expected: [String]) throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        try store.append(tenant: "fake", [(nginx, batch([(1, "GET /a 200"), (2, "POST /b 200"), (3, "GET /c 500"), (4, "xxGET /d")]))])
        try store.flush()
        #expect(try store.lines([eq("job", "nginx")], filter: .matches(try .init(pattern))).map(\.2) == expected)
    }

    @Test func postingsSelectStreamsByLabel() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        var streams: [(LabelSet, EntryBatch)] = []
        for z in ["univprepai", "collegeprepai", "kzone"] {
            streams.append((labels(["job": "nginx", "zone": z]), batch([(1, "hello \(z)")])))
        }
        try store.append(tenant: "fake", streams)
        try store.flush()
        #expect(try store.lines([eq("zone", "kzone")]).map(\.2) == ["hello kzone"])
        #expect(try store.lines([try LabelMatcher("zone", .re, "k.*|univ.*")]).count == 2)
        #expect(try store.lines([eq("job", "nginx"), try LabelMatcher("zone", .neq, "kzone")]).count == 2)
        #expect(try store.lines([eq("job", "nginx"), try LabelMatcher("zone", .nre, ".*prepai")]).count == 1)
        let s = try store.select(SelectRequest(matchers: [eq("zone", "kzone")])) { _ in true }
        #expect(s.pagesTotal == 1)
        #expect(store.labelValues(tenant: "fake", name: "zone") == ["collegeprepai", "kzone", "univprepai"])
        #expect(store.labelValues(tenant: "fake") == ["job", "zone"])
    }

    @Test func tenantsAreIsolated() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        try store.append(tenant: "team-a", [(nginx, batch([(1, "a's line")]))])
        try store.append(tenant: "team-b", [(nginx, batch([(1, "b's line")]))])
        try store.flush()
        #expect(try store.lines([eq("job", "nginx")], tenant: "team-a").map(\.2) == ["a's line"])
        #expect(try store.lines([eq("job", "nginx")], tenant: "team-b").map(\.2) == ["b's line"])
        #expect(try store.lines([eq("job", "nginx")], tenant: "fake").isEmpty)
    }

    @Test func limitsAreEnforcedWithClearMessagesAndNothingPartialIsStored() throws {
        var o = smallOptions()
        o.limits.maxLineSize = 10
        o.limits.maxStreamsPerTenant = 2
        let store = try LogStore(directory: temporaryDirectory(), options: o)
        #expect(throws: ValidationError("line of 11 bytes in stream {job=\"nginx\", zone=\"kzone\"} exceeds the limit max_line_size=10")) {
            try store.append(tenant: "fake", [(self.nginx, batch([(1, "ok"), (2, "01234567890")]))])
        }
        #expect(try store.lines([eq("job", "nginx")]).isEmpty)
        try store.append(tenant: "fake", [(nginx, batch([(1, "ok")])), (backend, batch([(1, "ok")]))])
        #expect(throws: ValidationError("tenant fake would have 3 active streams, more than the limit max_streams_per_tenant=2")) {
            try store.append(tenant: "fake", [(labels(["job": "third"]), batch([(1, "x")]))])
        }
        #expect(throws: ValidationError.self) { try store.append(tenant: "../etc", [(self.nginx, batch([(1, "x")]))]) }
    }

    @Test func ingestionRateLimitRejectsWith429Message() throws {
        var o = smallOptions()
        o.limits.ingestionRateBytesPerSecond = 10
        o.limits.ingestionBurstBytes = 20
        let store = try LogStore(directory: temporaryDirectory(), options: o)
        try store.append(tenant: "fake", [(nginx, batch([(1, "0123456789")]))], enforceRate: true)
        #expect(throws: RateLimitError.self) {
            try store.append(tenant: "fake", [(self.nginx, batch([(2, "0123456789abcdef")]))], enforceRate: true)
        }
        // Local imports are not rate limited.
        try store.append(tenant: "fake", [(nginx, batch([(3, "0123456789abcdef")]))])
    }

    @Test func secondWriterIsRefused() throws {
        let dir = temporaryDirectory()
        let a = try LogStore(directory: dir, options: smallOptions())
        #expect(throws: ValidationError("data directory \(dir) is in use by another mclog process")) {
            _ = try LogStore(directory: dir, options: smallOptions())
        }
        a.close()
        _ = try LogStore(directory: dir, options: smallOptions())
    }

    @Test func corruptPageIsReportedAndOtherBlocksStayReadable() throws {
        let dir = temporaryDirectory()
        let store = try LogStore(directory: dir, options: smallOptions())
        try store.append(tenant: "fake", [(nginx, batch([(1, "first block line")]))])
        try store.flush()
        try store.append(tenant: "fake", [(backend, batch([(2, "second block line")]))])
        try store.flush()
        store.close()
        let blockDir = dir + "/tenants/fake/blocks"
        let files = try FS.list(blockDir)
        #expect(files.count == 2)
        // Flip a byte inside the first page (just after the 9-byte header) of the nginx block.
        var target = ""
        for f in files where try Block(path: blockDir + "/" + f).streams[0].labels == nginx { target = blockDir + "/" + f }
        var bytes = try FS.readFile(target)
        bytes[12] ^= 0xFF
        try FS.publishAtomically(bytes, to: target)
        let reopened = try LogStore(directory: dir, options: smallOptions())
        #expect(throws: CorruptPageError.self) { try reopened.lines([eq("job", "nginx")]) }
        do {
            _ = try reopened.lines([eq("job", "nginx")])
        } catch {
            #expect("\(error)".contains("corrupt page at offset 9"))
        }
        #expect(try reopened.lines([eq("job", "backend")]).map(\.2) == ["second block line"])
    }

    @Test func corruptBlockIndexIsSkippedWithAReport() throws {
        let dir = temporaryDirectory()
        do {
            let store = try LogStore(directory: dir, options: smallOptions())
            try store.append(tenant: "fake", [(nginx, batch([(1, "x")]))])
            try store.flush()
        }
        let blockDir = dir + "/tenants/fake/blocks"
        let path = blockDir + "/" + (try FS.list(blockDir)[0])
        var bytes = try FS.readFile(path)
        bytes[bytes.count - 40] ^= 0xFF
        try FS.publishAtomically(bytes, to: path)
        let store = try LogStore(directory: dir, options: smallOptions())
        #expect(store.openReport.damage.count == 1)
        #expect(store.openReport.damage[0].contains("index checksum mismatch"))
    }

    @Test func tornWALTailIsTruncatedAndStartupContinues() throws {
        let dir = temporaryDirectory()
        do {
            let store = try LogStore(directory: dir, options: smallOptions())
            try store.append(tenant: "fake", [(nginx, batch([(1, "kept")]))])
            try store.append(tenant: "fake", [(nginx, batch([(2, "torn")]))])
        }
        let walDir = dir + "/wal"
        let seg = walDir + "/" + (try FS.list(walDir).filter { FS.fileSize(walDir + "/" + $0)! > 0 }.last!)
        let fh = try FileHandle(path: seg, flags: O_WRONLY)
        try fh.truncate(to: FS.fileSize(seg)! - 3)
        let store = try LogStore(directory: dir, options: smallOptions())
        #expect(store.openReport.damage.count == 1)
        #expect(try store.lines([eq("job", "nginx")]).map(\.2) == ["kept"])
        try store.append(tenant: "fake", [(nginx, batch([(3, "after")]))])
        #expect(try store.lines([eq("job", "nginx")]).map(\.2) == ["kept", "after"])
    }

    @Test func compactionMergesBlocksAndKeepsEveryEntryOnce() throws {
        let dir = temporaryDirectory()
        var o = smallOptions()
        o.compactionTargetBytes = 1 << 20
        let store = try LogStore(directory: dir, options: o)
        for round in 0..<4 {
            let base = Int64(round) * 1000
            try store.append(tenant: "fake", [(nginx, batch((0..<200).map { (base + Int64($0), "r\(round) line \($0)") })),
                                              (backend, batch([(base, "backend \(round)")]))])
            try store.flush()
        }
        // An out-of-order block overlapping round 1, with one duplicate.
        try store.append(tenant: "fake", [(nginx, batch([(1000, "r1 line 0"), (1500, "late arrival")]))])
        try store.flush()
        let before = try store.lines([eq("zone", "kzone")])
        #expect(store.stats().blocks == 5)
        let report = try store.runMaintenance()
        #expect(report.blocksCompacted == 5)
        #expect(store.stats().blocks == 1)
        let after = try store.lines([eq("zone", "kzone")])
        #expect(after.map(\.2) == before.map(\.2))
        #expect(after.count == 4 * 201 + 1)
        #expect(try FS.list(dir + "/tenants/fake/blocks").count == 1)
        store.close()
        let reopened = try LogStore(directory: dir, options: o)
        #expect(try reopened.lines([eq("zone", "kzone")]).count == after.count)
    }

    @Test func retentionDropsWholeOldBlocksPerTenant() throws {
        var o = smallOptions()
        o.limits.retentionByTenant = ["short": 3600]
        o.compactionTargetBytes = 1  // no compaction in this test
        let store = try LogStore(directory: temporaryDirectory(), options: o)
        let now: Int64 = 1_800_000_000 * 1_000_000_000
        let old = now - 2 * 3600 * 1_000_000_000
        for t in ["short", "forever"] {
            try store.append(tenant: t, [(nginx, batch([(old, "old")]))])
            try store.flush()
            try store.append(tenant: t, [(nginx, batch([(now - 1_000_000_000, "new")]))])
            try store.flush()
        }
        let r = try store.runMaintenance(now: now)
        #expect(r.blocksDeletedByRetention == 1)
        #expect(try store.lines([eq("job", "nginx")], tenant: "short").map(\.2) == ["new"])
        #expect(try store.lines([eq("job", "nginx")], tenant: "forever").map(\.2) == ["old", "new"])
    }

    @Test func headIsCutBySizeInTheBackgroundWhileAppendsContinue() throws {
        var o = smallOptions()
        o.maxHeadBytes = 64 << 10
        let store = try LogStore(directory: temporaryDirectory(), options: o)
        for i in 0..<100 {
            try store.append(tenant: "fake", [(nginx, batch((0..<50).map { (Int64(i * 50 + $0), String(repeating: "z", count: 60) + "\(i)-\($0)") }))])
        }
        try store.flush()
        let s = store.stats()
        #expect(s.blocks > 1)
        #expect(s.entries == 5000)
        #expect(s.headEntries == 0)
        #expect(try store.lines([eq("job", "nginx")]).count == 5000)
    }

    @Test func headIsCutByAge() throws {
        var o = smallOptions()
        o.maxHeadAgeSeconds = 0.2
        o.maintenanceIntervalSeconds = 0.05
        let store = try LogStore(directory: temporaryDirectory(), options: o)
        try store.append(tenant: "fake", [(nginx, batch([(1, "aging")]))])
        var waited = 0.0
        while store.stats().blocks == 0 && waited < 10 {
            usleep(50_000)
            waited += 0.05
        }
        #expect(store.stats().blocks == 1)
    }

    @Test func lz4StoresAreReadable() throws {
        var o = smallOptions()
        o.codec = .lz4
        let store = try LogStore(directory: temporaryDirectory(), options: o)
        try store.append(tenant: "fake", [(nginx, batch((0..<500).map { (Int64($0), "lz4 line \($0)") }))])
        try store.flush()
        #expect(try store.lines([eq("job", "nginx")], filter: .contains(.init("line 499"))).map(\.1) == [499])
    }

    @Test func structuredMetadataIsStoredPerEntry() throws {
        let store = try LogStore(directory: temporaryDirectory(), options: smallOptions())
        var b = EntryBatch()
        b.append(timestamp: 1, line: "no metadata")
        b.append(timestamp: 2, line: "with trace", metadata: [Label("trace_id", "4bf92f3577b34da6")])
        try store.append(tenant: "fake", [(nginx, b)])
        for _ in 0..<2 {
            var got: [[Label]] = []
            try store.select(SelectRequest(matchers: [eq("job", "nginx")], direction: .forward)) { e in
                got.append(e.metadata)
                return true
            }
            #expect(got == [[], [Label("trace_id", "4bf92f3577b34da6")]])
            try store.flush()
        }
    }
}
