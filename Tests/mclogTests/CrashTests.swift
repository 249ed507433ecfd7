import Foundation
import LogStore
import Testing

/// `kill -9` the writer at random moments, many times; after each restart every acknowledged entry must be
/// present exactly once and no batch may be half-present.
@Suite struct CrashTests {
    static let batch = 200

    @Test func killNineLosesNothingAcknowledgedAndDuplicatesNothing() throws {
        let dir = CLI.temporaryDirectory()
        var acked: [Int: Int] = [:]  // round → highest acknowledged sequence number
        var rng = SystemRandomNumberGenerator()
        let rounds = 12
        for round in 0..<rounds {
            let start = round * 10_000_000
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["debug-append", "--data", dir, "--start", String(start), "--count", "5000000",
                           "--batch", String(CrashTests.batch), "--head-bytes", String(48 << 10)]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let reader = AckReader(out.fileHandleForReading)
            // Wait for the first acknowledgement (the store has opened and replayed), then a random delay.
            let deadline = Date().addingTimeInterval(20)
            while reader.last == nil && Date() < deadline && p.isRunning { usleep(2000) }
            usleep(UInt32.random(in: 20_000...400_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            reader.finish()
            acked[round] = reader.last
            #expect(reader.last != nil, "round \(round) never acknowledged a batch")
        }
        // Restart: the store opens (replays, repairs a torn tail) and every round's entries are checked.
        let store = try LogStore(directory: dir)
        var seen: [Int: [Int]] = [:]
        try store.select(SelectRequest(tenant: "crash", matchers: [try LabelMatcher("job", .eq, "crash")],
                                       direction: .forward)) { e in
            let line = String(decoding: e.line, as: UTF8.self)
            let seq = Int(line.split(separator: " ")[1].dropFirst(4))!
            seen[seq / 10_000_000, default: []].append(seq)
            return true
        }
        var total = 0
        for round in 0..<rounds {
            let got = seen[round] ?? []
            let start = round * 10_000_000
            let last = acked[round] ?? (start - 1)
            // Exactly once, contiguous from the start.
            #expect(got == Array(start..<(start + got.count)), "round \(round): entries missing or repeated")
            // Everything acknowledged is there.
            #expect(start + got.count - 1 >= last, "round \(round): acknowledged \(last) but found \(got.count) entries")
            // Nothing half-present: whole batches only.
            #expect(got.count % CrashTests.batch == 0, "round \(round): \(got.count) entries is not whole batches")
            total += got.count
        }
        // No duplicate hidden by query-time de-duplication: stored entries equal distinct entries.
        let s = store.stats()
        #expect(s.entries + s.headEntries == total)
    }
}

/// Reads `acked N` lines from a child's stdout on a thread.
final class AckReader: @unchecked Sendable {
    private let lock = NSLock()
    private var _last: Int?
    private let thread: Thread

    init(_ handle: Foundation.FileHandle) {
        let box = UncheckedBox<AckReader?>(nil)
        thread = Thread {
            var buffer = Data()
            while true {
                let d = handle.availableData
                if d.isEmpty { break }
                buffer.append(d)
                while let nl = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...nl)
                    if line.hasPrefix("acked "), let n = Int(line.dropFirst(6)) { box.value?.set(n) }
                }
            }
        }
        box.value = self
        thread.start()
    }

    private func set(_ n: Int) {
        lock.lock()
        _last = n
        lock.unlock()
    }

    var last: Int? {
        lock.lock()
        defer { lock.unlock() }
        return _last
    }

    func finish() { while !thread.isFinished { usleep(1000) } }
}

final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}
