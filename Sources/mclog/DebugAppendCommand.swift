import ArgumentParser
import Foundation
import LogStore

/// Hidden: appends numbered entries in batches and prints `acked N` after each durable batch.
/// The crash test kills it at random moments and checks that every acknowledged entry survives exactly once.
struct DebugAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-append", abstract: "Append numbered test entries (crash testing).", shouldDisplay: false)

    @OptionGroup var data: DataOptions
    @Option var start: Int = 0
    @Option var count: Int = 100_000
    @Option var batch: Int = 500
    @Option(help: "Cut the head after this many raw bytes (small values exercise flushing under crashes).")
    var headBytes: Int = 256 << 10

    func run() throws {
        var options = StoreOptions()
        options.maxHeadBytes = headBytes
        options.pageSize = 16 << 10
        let store = try LogStore(directory: data.directory, options: options)
        defer { store.close() }
        let labels = try LabelSet([Label("job", "crash")])
        var seq = start
        while seq < start + count {
            var b = EntryBatch()
            let end = min(start + count, seq + batch)
            for i in seq..<end { b.append(timestamp: Int64(i) * 1000, line: "entry seq=\(i) " + String(repeating: "x", count: i % 50)) }
            try store.append(tenant: "crash", [(labels, b)])
            FileHandle.standardOutput.write(Data("acked \(end - 1)\n".utf8))
            seq = end
        }
    }
}
