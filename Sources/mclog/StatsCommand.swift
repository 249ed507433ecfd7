import ArgumentParser
import LogStore

/// `mclog stats`: what the store holds.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Print streams, blocks, entries, raw and stored bytes, compression ratio.")

    @OptionGroup var data: DataOptions

    func run() throws {
        let store = try LogStore(directory: data.directory, readOnly: true)
        defer { store.close() }
        for d in store.openReport.damage { printError("warning: \(d)") }
        let s = store.stats()
        print("data directory: \(data.directory)")
        print("tenants: \(s.tenants)")
        print("streams: \(s.streams)")
        print("blocks: \(s.blocks) (\(s.pages) pages)")
        print("entries: \(s.entries + s.headEntries) (\(s.headEntries) in the head, not yet in blocks)")
        print("raw bytes: \(s.rawBytes + s.headBytes)")
        print("stored bytes: \(s.storedBytes)")
        print("compression ratio: \(s.storedBytes == 0 ? "-" : String(format: "%.2f", s.compressionRatio))")
        print("wal segments: \(s.walSegments)")
        if let a = s.minTime, let b = s.maxTime {
            print("time range: \(TimeArgument.format(a)) … \(TimeArgument.format(b))")
        }
    }
}

import Foundation
