import Foundation
import Storage
import Testing
@testable import TraceStore

@Suite struct CompactionTests {
    static let id = SplitTraceTests.id

    static func blockFiles(_ dir: String) throws -> [String] {
        try FS.list(dir + "/tenants/fake/blocks").filter { $0.hasSuffix(".mctb") }
    }

    /// The three parts of trace 1 in three blocks, one span of it sent twice, and trace 2 in the first block.
    static func splitStore(_ dir: String, _ o: TraceStoreOptions = testOptions()) throws -> TraceStore {
        let store = try TraceStore(directory: dir, options: o)
        try SplitTraceTests.threeParts(store, flushLast: true)
        try store.append(tenant: "fake", [batch("db", [
            span(1, 3, parent: 2, name: "query", start: t0 + 200_000_000, ms: 2_000, status: .error, kind: .server),
        ])])
        try store.flush()
        return store
    }

    static func expectWholeTrace(_ store: TraceStore) throws {
        let trace = try #require(try store.trace(tenant: "fake", id: id))
        #expect(trace.spanCount == 3)
        let r = try #require(try SplitTraceTests.search(store, "{ resource.service.name = \"web\" } >> { status = error }").first)
        #expect(r.traceID == id && r.spanCount == 3 && r.rootServiceName == "web" && r.duration == 2_200_000_000)
        #expect(try SplitTraceTests.search(store, "{ }").count == 2)
    }

    @Test func compactionJoinsTheBlocksAndTheTraceParts() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try Self.splitStore(dir)
            #expect(store.stats().blocks == 4)
            #expect(store.splitIDs["fake"] == [Self.id])
            var lines: [String] = []
            let report = try store.runMaintenance(now: t0) { lines.append($0) }
            #expect(report == TraceMaintenanceReport(blocksDeletedByRetention: 0, blocksMerged: 4, blocksWritten: 1))
            let s = store.stats()
            #expect(s.blocks == 1 && s.blockTraces == 2)
            #expect(s.blockSpans == 4)  // the duplicate span is gone
            #expect(store.splitIDs["fake"]?.isEmpty ?? true)
            #expect(lines.count == 1)
            #expect(lines.first?.contains("compacted 4 blocks (5 spans") == true)
            #expect(lines.first?.contains("1 duplicate spans dropped") == true)
            try Self.expectWholeTrace(store)
            #expect(try Self.blockFiles(dir).count == 1)
            // Nothing left to do.
            #expect(try store.runMaintenance(now: t0) == TraceMaintenanceReport())
            store.close()
        }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        #expect(store.openReport.replayedSpans == 0)
        #expect(store.stats().blocks == 1)
        try Self.expectWholeTrace(store)
    }

    @Test func blocksOverAQuarterOfTheTargetAreLeftAlone() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.compactionTargetBytes = 0  // no block is smaller than a quarter of this
        let store = try Self.splitStore(dir, o)
        defer { store.close() }
        #expect(try store.runMaintenance(now: t0) == TraceMaintenanceReport())
        #expect(store.stats().blocks == 4)
        try Self.expectWholeTrace(store)
    }

    @Test func anInterruptedCompactionLosesAndDoublesNothing() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let blockDir = dir + "/tenants/fake/blocks"
        var saved: [(String, [UInt8])] = []
        do {
            let store = try Self.splitStore(dir)
            saved = try Self.blockFiles(dir).map { ($0, try FS.readFile(blockDir + "/" + $0)) }
            try store.runMaintenance(now: t0)
            store.close()
        }
        // A crash after the merged block was published and before its inputs were deleted: they are back.
        for (name, bytes) in saved { try FS.publishAtomically(bytes, to: blockDir + "/" + name) }
        // And a merge that died while writing its temp file.
        try FS.publishAtomically([1, 2, 3], to: blockDir + "/0000000000000000-0000000000000001.mctb.tmp")
        #expect(try Self.blockFiles(dir).count == 5)
        do {
            // A reader (mclog trace beside mclog serve) sees the merged block only and removes nothing.
            let reader = try TraceStore(directory: dir, options: testOptions(), readOnly: true)
            #expect(reader.stats().blocks == 1 && reader.stats().blockSpans == 4)
            try Self.expectWholeTrace(reader)
            reader.close()
            #expect(try Self.blockFiles(dir).count == 5)
        }
        let store = try TraceStore(directory: dir, options: testOptions())
        defer { store.close() }
        #expect(store.openReport.damage.isEmpty)
        #expect(store.stats().blocks == 1 && store.stats().blockSpans == 4)
        #expect(try FS.list(blockDir).count == 1)  // replaced inputs and the temp file deleted
        try Self.expectWholeTrace(store)
    }

    @Test func retentionDeletesWholeBlocksOlderThanTheTenantsPeriod() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.retentionSeconds = 14 * 86400
        o.retentionByTenant = ["keep": 0]
        o.compactionTargetBytes = 0  // retention only
        let day: Int64 = 86400 * 1_000_000_000
        let now = t0 + 30 * day
        do {
            let store = try TraceStore(directory: dir, options: o)
            for tenant in ["fake", "keep"] {
                try store.append(tenant: tenant, [batch("svc", [span(1, 1, name: "old", start: t0, ms: 5)])])
                try store.flush()
                // The old trace gets a late span: a block of its own, still within retention.
                try store.append(tenant: tenant, [batch("svc", [span(1, 2, parent: 1, name: "late", start: now - 2 * day, ms: 5)])])
                try store.append(tenant: tenant, [batch("svc", [span(2, 3, name: "recent", start: now - day, ms: 5)])])
                try store.flush()
            }
            var lines: [String] = []
            let report = try store.runMaintenance(now: now) { lines.append($0) }
            #expect(report.blocksDeletedByRetention == 1)
            #expect(lines == ["traces: tenant fake: retention 14d deleted 1 block (1 spans)"])
            #expect(try store.trace(tenant: "fake", id: Self.id)?.spans.map(\.span.name) == ["late"])
            #expect(try store.trace(tenant: "fake", id: TraceID(high: 0xabc, low: 2)) != nil)
            #expect(try store.trace(tenant: "keep", id: Self.id)?.spanCount == 2)
            #expect(store.splitIDs["fake"]?.isEmpty ?? true)
            store.close()
        }
        let store = try TraceStore(directory: dir, options: o)
        defer { store.close() }
        #expect(store.openReport.replayedSpans == 0)
        #expect(try store.trace(tenant: "fake", id: Self.id)?.spans.map(\.span.name) == ["late"])
    }

    @Test func backgroundThreadCompacts() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.backgroundIntervalSeconds = 0.05
        o.maintenanceIntervalSeconds = 0.1
        let lines = LineBox()
        o.log = { lines.add($0) }
        let store = try Self.splitStore(dir, o)
        defer { store.close() }
        for _ in 0..<200 where store.stats().blocks > 1 { usleep(20_000) }
        #expect(store.stats().blocks == 1)
        #expect(lines.lines.contains { $0.contains("compacted") })
        try Self.expectWholeTrace(store)
    }
}

final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ s: String) {
        lock.lock()
        stored.append(s)
        lock.unlock()
    }
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// Blocks written before the per-trace counts (format version 1) are still read, and compaction rewrites them.
@Suite struct VersionOneBlockTests {
    /// Rewrites a version 2 block as version 1 wrote it: no per-trace counts in the index, no `replaces`.
    static func downgrade(_ path: String) throws {
        let file = try FS.readFile(path)
        let footer = TraceBlock.footerSize
        var sections: [(Int, Int)] = []
        try Array(file[(file.count - footer)...]).withUnsafeBytes { raw in
            var r = ByteReader(raw)
            for _ in 0..<4 {
                sections.append((Int(try r.u64()), Int(try r.u32())))
                _ = try r.u32()
            }
        }
        func section(_ i: Int) -> [UInt8] { Array(file[sections[i].0..<(sections[i].0 + sections[i].1)]) }
        var index = ByteWriter()
        try section(0).withUnsafeBytes { raw in
            var r = ByteReader(raw)
            let n = try r.int()
            index.uvarint(UInt64(n))
            for _ in 0..<(2 * n) { index.u64(try r.u64()) }
            for _ in 0..<n { index.uvarint(try r.uvarint()) }
            for _ in 0..<(2 * n) { _ = try r.uvarint() }  // the counts version 1 lacks
            index.raw(Array(try r.slice(r.remaining)))
        }
        var meta = section(3)
        #expect(meta.last == 0)  // no replaces
        meta.removeLast()
        var out = ByteWriter()
        out.raw(Array(file[0..<sections[0].0]))
        var refs: [(Int, Int, UInt32)] = []
        for b in [index.bytes, section(1), section(2), meta] {
            refs.append((out.count, b.count, CRC32C.checksum(b)))
            out.raw(b)
        }
        for (off, len, crc) in refs {
            out.u64(UInt64(off))
            out.u32(UInt32(len))
            out.u32(crc)
        }
        out.u32(TraceBlock.magic)
        out.u32(1)
        try FS.publishAtomically(out.bytes, to: path)
    }

    @Test func versionOneBlocksAreReadCountedAndCompacted() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = testOptions()
        o.limits.maxSpansPerTrace = 4
        do {
            let store = try TraceStore(directory: dir, options: o)
            try SplitTraceTests.threeParts(store, flushLast: true)
            store.close()
        }
        let blockDir = dir + "/tenants/fake/blocks"
        for name in try CompactionTests.blockFiles(dir) { try Self.downgrade(blockDir + "/" + name) }
        let store = try TraceStore(directory: dir, options: o)
        defer { store.close() }
        #expect(store.openReport.damage.isEmpty)
        #expect(store.stats().blocks == 3)
        try CompactionTests.expectWholeTrace(store)
        // The limit counts the three spans of the version 1 blocks.
        let r = try store.append(tenant: "fake", [batch("svc", [span(1, 7, name: "x", start: t0, ms: 1),
                                                                span(1, 8, name: "y", start: t0, ms: 1)])])
        #expect(r.rejectedSpans == 2)
        #expect(r.message.contains("would have 5 spans"))
        try store.runMaintenance(now: t0)
        #expect(store.stats().blocks == 1)
        let names = try CompactionTests.blockFiles(dir)
        let block = try TraceBlock(path: blockDir + "/" + names[0])
        #expect(block.counts(of: SplitTraceTests.id)?.spans == 3)
        try CompactionTests.expectWholeTrace(store)
    }
}
