import Foundation
import Testing
@testable import Storage

func temporaryDirectory(_ name: String = #function) -> String {
    let dir = NSTemporaryDirectory() + "mclog-test-" + name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString
    try! FS.makeDirectories(dir)
    return dir
}

@Suite struct WALTests {
    func records(_ dir: String) throws -> ([String], WAL.ReplayReport) {
        var out: [String] = []
        let report = try WAL.replay(directory: dir) { _, p in out.append(String(decoding: p, as: UTF8.self)) }
        return (out, report)
    }

    @Test func appendAndReplayAcrossSegments() throws {
        let dir = temporaryDirectory()
        let wal = try WAL(directory: dir)
        try wal.appendDurably(Array("one".utf8))
        try wal.appendDurably(Array("two".utf8))
        let next = try wal.rotate()
        try wal.appendDurably(Array("three".utf8))
        let (recs, report) = try records(dir)
        #expect(recs == ["one", "two", "three"])
        #expect(report.damage.isEmpty)
        try wal.removeSegments(before: next)
        #expect(try records(dir).0 == ["three"])
    }

    @Test func aRecordInPartsReplaysAsOnePayload() throws {
        let dir = temporaryDirectory()
        let wal = try WAL(directory: dir)
        let t = try wal.append(parts: [Array("head-".utf8), [], Array("lines".utf8), Array("-tail".utf8)])
        try wal.sync(through: t)
        try wal.appendDurably(Array("next".utf8))
        let (recs, report) = try records(dir)
        #expect(recs == ["head-lines-tail", "next"])
        #expect(report.damage.isEmpty)
        // The checksum covers all parts: flipping a byte of the last part is detected.
        let path = dir + "/" + (try FS.list(dir).first!)
        var bytes = try FS.readFile(path)
        bytes[8 + 14] ^= 0x01
        try FS.publishAtomically(bytes, to: path)
        #expect(try records(dir).1.damage.count == 1)
    }

    @Test("a torn tail is reported and truncated, earlier records survive", arguments: [1, 3, 7, 9, 12])
    func tornTail(cut: Int) throws {
        let dir = temporaryDirectory()
        let wal = try WAL(directory: dir)
        try wal.appendDurably(Array("first".utf8))
        try wal.appendDurably(Array("second-record".utf8))
        let path = dir + "/" + (try FS.list(dir).first!)
        let size = FS.fileSize(path)!
        let fh = try FileHandle(path: path, flags: O_WRONLY)
        try fh.truncate(to: size - cut)
        let (recs, report) = try records(dir)
        #expect(recs == ["first"])
        #expect(report.damage.count == 1)
        #expect(report.damage[0].contains("truncated"))
        #expect(FS.fileSize(path)! == 8 + 5)
        // Replaying again finds a clean log.
        #expect(try records(dir).1.damage.isEmpty)
    }

    @Test func checksumMismatchStopsThatSegmentButNotLaterOnes() throws {
        let dir = temporaryDirectory()
        let wal = try WAL(directory: dir)
        try wal.appendDurably(Array("alpha".utf8))
        try wal.appendDurably(Array("bravo".utf8))
        try wal.rotate()
        try wal.appendDurably(Array("charlie".utf8))
        let first = dir + "/" + (try FS.list(dir).first!)
        var bytes = try FS.readFile(first)
        bytes[bytes.count - 2] ^= 0x20  // inside "bravo"
        try FS.publishAtomically(bytes, to: first)
        let (recs, report) = try records(dir)
        #expect(recs == ["alpha", "charlie"])
        #expect(report.damage.count == 1)
        #expect(report.damage[0].contains("checksum mismatch"))
    }

    @Test func concurrentWritersAreAllDurableInOrder() throws {
        let dir = temporaryDirectory()
        let wal = try WAL(directory: dir)
        let syncs = SyncCounter()
        wal.onSync = { _ in syncs.add() }
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<50 { try! wal.appendDurably(Array("t\(t)-\(i)".utf8)) }
        }
        let (recs, _) = try records(dir)
        #expect(recs.count == 400)
        #expect(Set(recs).count == 400)
        #expect(syncs.count >= 1)
        // Each writer's records stay in its own order.
        for t in 0..<8 {
            let mine = recs.filter { $0.hasPrefix("t\(t)-") }
            #expect(mine == (0..<50).map { "t\(t)-\($0)" })
        }
    }
}

final class SyncCounter: @unchecked Sendable {
    let lock = NSLock()
    var count = 0
    func add() {
        lock.lock()
        count += 1
        lock.unlock()
    }
}
