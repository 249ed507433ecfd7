import Foundation
import ByteSearch
import Storage

/// Which way entries are returned: oldest first or newest first (Loki's default for log queries).
public enum Direction: String, Sendable {
    case forward, backward
}

/// One read: a tenant, a stream selector, a time range `[from, to)` in ns, an optional pushed-down line filter.
public struct SelectRequest: Sendable {
    public var tenant: String
    public var matchers: [LabelMatcher]
    public var from: Int64
    public var to: Int64
    public var direction: Direction
    public var filter: LineFilter?
    /// Most entries to return; 0 means all.
    public var limit: Int
    /// Skip pages whose bloom filter rules out the filter's literals (off only to measure raw scan speed).
    public var useBloom = true
    /// Structured-metadata pairs every wanted entry carries (a query's `| name="value"` label filters that no
    /// earlier stage can change). A page whose metadata filter lacks one of them is skipped, unless its stream
    /// has that label with that value (a stream label stands in for missing metadata). Only a hint: the caller
    /// still evaluates its filters on every entry returned.
    public var metadataHints: [Label] = []
    /// When set and cancelled, the read stops at the next page group with `QueryCancelledError`.
    public var cancellation: QueryCancellation?

    public init(tenant: String = Tenant.defaultID, matchers: [LabelMatcher], from: Int64 = Int64.min,
                to: Int64 = Int64.max, direction: Direction = .backward, filter: LineFilter? = nil, limit: Int = 0) {
        self.tenant = tenant
        self.matchers = matchers
        self.from = from
        self.to = to
        self.direction = direction
        self.filter = filter
        self.limit = limit
    }
}

/// What a read touched, in the spirit of Loki's `stats.summary` plus page skipping.
public struct SelectStats: Sendable {
    public var streams = 0
    public var pagesTotal = 0
    public var pagesSkippedByTime = 0
    /// Pages skipped by a filter: the 4-gram bloom ruling out a required literal, or the metadata filter.
    public var pagesSkippedByBloom = 0
    /// Those of `pagesSkippedByBloom` whose structured-metadata filter rules out a pair of
    /// `SelectRequest.metadataHints`.
    public var pagesSkippedByMetadata = 0
    public var pagesScanned = 0
    public var compressedBytes = 0
    public var decompressedBytes = 0
    public var linesScanned = 0
    public var entriesReturned = 0
    public var headPages = 0
    public var seconds = 0.0

    public init() {}
}

/// One entry handed to the caller; the line bytes are valid only during the callback.
public struct SelectedEntry {
    public let labels: LabelSet
    public let timestamp: Int64
    public let line: UnsafeRawBufferPointer
    public let metadata: [Label]
}

/// Receives selected entries on one worker thread (`LogStore.selectParallel`).
public protocol EntrySink: AnyObject {
    /// Returns false to stop the whole read.
    func accept(_ entry: SelectedEntry) -> Bool
}

/// A page reader and the sink it feeds, one per worker thread.
final class SinkWorker {
    let reader: PageReader
    let sink: EntrySink
    init(reader: PageReader, sink: EntrySink) {
        self.reader = reader
        self.sink = sink
    }
}

/// A page to read: from a block (compressed, with a bloom) or from the head (in memory).
enum PageSource {
    case block(Block, PageDescriptor)
    case head(HeadPage)

    var minTime: Int64 {
        switch self {
        case .block(_, let p): p.minTime
        case .head(let h): h.minTime
        }
    }

    var maxTime: Int64 {
        switch self {
        case .block(_, let p): p.maxTime
        case .head(let h): h.maxTime
        }
    }
}

/// Pages of one stream that overlap in time and must be merged; groups of one stream never overlap.
struct PageGroup {
    let stream: Int
    var pages: [PageSource]
    var minTime: Int64
    var maxTime: Int64
}

/// Per-thread scratch for reading pages.
final class PageReader {
    let decompressor = Decompressor()
    var stored: [UInt8] = []
    let page = DecodedPage()
    let filter: LineFilterEvaluator?
    let literal: Literal?
    /// Without a required literal: a multiline copy of a required regex, run over the whole page to find
    /// candidate lines at PCRE speed instead of calling it once per line.
    let pageRegex: Regex.Matcher?

    init(filter: LineFilter?) {
        self.filter = filter.map(LineFilterEvaluator.init)
        // (A required regex's literal prefix is not used as this literal: for `" 5[0-9][0-9] ` memmem of `" 5`
        // runs at ~1.2 GB/s on nginx lines, the multiline PCRE2 JIT pass at ~3–4.7 GB/s.)
        literal = filter?.requiredLiteral
        if literal == nil, let r = filter?.requiredRegex, PageReader.scansWholePage(r.pattern) {
            pageRegex = (try? Regex(r.pattern, multiline: true)).map(Regex.Matcher.init)
        } else {
            pageRegex = nil
        }
    }

    /// Patterns whose matches on a line are also matches within the page text (no absolute anchors or lookaround
    /// that could see past a line break).
    static func scansWholePage(_ p: String) -> Bool {
        !["\\A", "\\z", "\\Z", "\\G", "(?<", "(?=", "(?!", "\\n", "(?s", "(?m"].contains { p.contains($0) }
    }
}

/// Matched entries of one page group, in time order.
struct GroupResult {
    var stream: Int
    var batch: EntryBatch
    var stats = SelectStats()
}

extension StoreEngine {
    /// Streams the entries matching `request` to `body` in time order (per `direction`) across all streams,
    /// de-duplicating exact duplicates. Return false from `body` to stop. Pages are decompressed and filtered on
    /// all cores, a bounded window at a time, so memory does not grow with the data read.
    @discardableResult
    func select(_ request: SelectRequest, _ body: (SelectedEntry) throws -> Bool) throws -> SelectStats {
        let started = DispatchTime.now().uptimeNanoseconds
        var stats = SelectStats()
        let (streams, groups) = plan(request, stats: &stats)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let window = max(1, cores * options.pagesInFlightPerCore)
        let readers = (0..<cores).map { _ in PageReader(filter: request.filter) }
        let forward = request.direction == .forward
        var pending: [(ts: Int64, stream: Int, result: Int, index: Int)] = []
        var results: [GroupResult] = []
        var next = 0
        var stop = false
        while next < groups.count && !stop {
            try request.cancellation?.check()
            let slice = Array(groups[next..<min(groups.count, next + window)])
            next += slice.count
            let got = try parallelMap(slice.count, states: readers) { i, reader in
                try StoreEngine.read(slice[i], request: request, reader: reader)
            }
            for g in got {
                stats.pagesScanned += g.stats.pagesScanned
                stats.compressedBytes += g.stats.compressedBytes
                stats.decompressedBytes += g.stats.decompressedBytes
                stats.linesScanned += g.stats.linesScanned
                stats.headPages += g.stats.headPages
                let r = results.count
                results.append(g)
                for k in 0..<g.batch.count { pending.append((g.batch.timestamps[k], g.stream, r, k)) }
            }
            // Entries beyond the watermark cannot be preceded by anything in a later group: emit them.
            let watermark: Int64? = next < groups.count ? (forward ? groups[next].minTime : groups[next].maxTime) : nil
            pending.sort { a, b in
                if a.ts != b.ts { return forward ? a.ts < b.ts : a.ts > b.ts }
                if a.stream != b.stream { return a.stream < b.stream }
                return forward ? (a.result, a.index) < (b.result, b.index) : (a.result, a.index) > (b.result, b.index)
            }
            var emitted = 0
            for p in pending {
                if let w = watermark, forward ? p.ts >= w : p.ts <= w { break }
                emitted += 1
                let b = results[p.result].batch
                let keep = try b.text.withUnsafeBytes { t in
                    try body(SelectedEntry(labels: streams[p.stream], timestamp: p.ts,
                                           line: UnsafeRawBufferPointer(rebasing: t[b.lineRange(p.index)]),
                                           metadata: b.metadata(p.index)))
                }
                stats.entriesReturned += 1
                if !keep || (request.limit > 0 && stats.entriesReturned >= request.limit) {
                    stop = true
                    break
                }
            }
            pending.removeFirst(emitted)
            // Keep only the group results that still have pending entries, so memory stays bounded by the
            // window even when streams interleave and something is always pending.
            var remap = [Int](repeating: -1, count: results.count)
            var kept: [GroupResult] = []
            for k in pending.indices {
                let r = pending[k].result
                if remap[r] < 0 {
                    remap[r] = kept.count
                    kept.append(results[r])
                }
                pending[k].result = remap[r]
            }
            results = kept
        }
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return stats
    }

    /// Feeds every matching entry to one of `sinks` (one per worker thread), in no global order: each group of
    /// pages goes, in time order, to the sink of the thread that decoded it. Decoding, filtering and whatever the
    /// sinks do (parsing, aggregation) run on all cores. Used by metric queries.
    func selectParallel(_ request: SelectRequest, sinks: [EntrySink]) throws -> SelectStats {
        let started = DispatchTime.now().uptimeNanoseconds
        var stats = SelectStats()
        let (streams, groups) = plan(request, stats: &stats)
        let workers = sinks.map { SinkWorker(reader: PageReader(filter: request.filter), sink: $0) }
        let stop = StopFlag()
        let results = try parallelMap(groups.count, states: workers) { i, w -> SelectStats in
            if stop.isSet { return SelectStats() }
            try request.cancellation?.check()
            if groups[i].pages.count == 1, case .block(let block, let p) = groups[i].pages[0] {
                // One page needs no merging: its lines go from the decoded page straight to the sink.
                var st = SelectStats()
                guard try StoreEngine.load(block, p, request: request, reader: w.reader, stats: &st) else { return st }
                let labels = streams[groups[i].stream]
                let page = w.reader.page
                let timestamps = page.timestamps
                let metadata = page.metadata
                let sink = w.sink
                var returned = 0
                var go = true
                st.linesScanned += StoreEngine.scanLines(page, request: request, reader: w.reader) { k, line in
                    returned += 1
                    go = sink.accept(SelectedEntry(labels: labels, timestamp: timestamps[k], line: line,
                                                   metadata: metadata?.labels(k) ?? []))
                    return go
                }
                if !go { stop.set() }
                st.entriesReturned = returned
                return st
            }
            let g = try StoreEngine.read(groups[i], request: request, reader: w.reader)
            let b = g.batch
            let labels = streams[g.stream]
            b.text.withUnsafeBytes { t in
                for k in 0..<b.count {
                    let go = w.sink.accept(SelectedEntry(labels: labels, timestamp: b.timestamps[k],
                                                         line: UnsafeRawBufferPointer(rebasing: t[b.lineRange(k)]),
                                                         metadata: b.metadata(k)))
                    if !go {
                        stop.set()
                        return
                    }
                }
            }
            var st = g.stats
            st.entriesReturned = b.count
            return st
        }
        for g in results {
            stats.pagesScanned += g.pagesScanned
            stats.compressedBytes += g.compressedBytes
            stats.decompressedBytes += g.decompressedBytes
            stats.linesScanned += g.linesScanned
            stats.headPages += g.headPages
            stats.entriesReturned += g.entriesReturned
        }
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return stats
    }

    /// Matching streams and their page groups, ordered for the direction.
    func plan(_ request: SelectRequest, stats: inout SelectStats) -> ([LabelSet], [PageGroup]) {
        cond.lock()
        let blockList = blocks[request.tenant] ?? []
        var headPages = frozen.flatMap { $0.head.snapshot(tenant: request.tenant, matchers: request.matchers) }
        headPages += head.snapshot(tenant: request.tenant, matchers: request.matchers)
        cond.unlock()

        var sources: [LabelSet: [PageSource]] = [:]
        let through = request.to == Int64.min ? Int64.min : request.to - 1
        for b in blockList where b.meta.maxTime >= request.from && b.meta.minTime <= through {
            for si in b.matchingStreams(request.matchers) {
                let s = b.streams[si]
                let hints = request.useBloom ? request.metadataHints.filter { s.labels[$0.name] != $0.value } : []
                for p in s.pages {
                    stats.pagesTotal += 1
                    if !p.overlaps(from: request.from, through: through) {
                        stats.pagesSkippedByTime += 1
                    } else if request.useBloom, let f = request.filter, !f.mayMatch(p.bloom) {
                        stats.pagesSkippedByBloom += 1
                    } else if let mb = p.metadataBloom, hints.contains(where: { !mb.mayContain(name: $0.name, value: $0.value) }) {
                        stats.pagesSkippedByBloom += 1
                        stats.pagesSkippedByMetadata += 1
                    } else {
                        sources[s.labels, default: []].append(.block(b, p))
                    }
                }
            }
        }
        for (labels, pages) in headPages {
            for p in pages where !p.batch.isEmpty {
                stats.pagesTotal += 1
                if p.maxTime >= request.from && p.minTime <= through {
                    sources[labels, default: []].append(.head(p))
                } else {
                    stats.pagesSkippedByTime += 1
                }
            }
        }
        let streams = sources.keys.sorted()
        stats.streams = streams.count
        var groups: [PageGroup] = []
        for (si, labels) in streams.enumerated() {
            let pages = sources[labels]!.sorted { $0.minTime < $1.minTime }
            var g: PageGroup?
            for p in pages {
                if var cur = g, p.minTime <= cur.maxTime {
                    cur.pages.append(p)
                    cur.maxTime = max(cur.maxTime, p.maxTime)
                    g = cur
                } else {
                    if let cur = g { groups.append(cur) }
                    g = PageGroup(stream: si, pages: [p], minTime: p.minTime, maxTime: p.maxTime)
                }
            }
            if let cur = g { groups.append(cur) }
        }
        if request.direction == .forward {
            groups.sort { ($0.minTime, $0.stream) < ($1.minTime, $1.stream) }
        } else {
            groups.sort { ($0.maxTime, $1.stream) > ($1.maxTime, $0.stream) }
        }
        return (streams, groups)
    }

    /// Reads one page group: skips pages the bloom rules out, decompresses, filters by time and line filter.
    static func read(_ group: PageGroup, request: SelectRequest, reader: PageReader) throws -> GroupResult {
        var out = GroupResult(stream: group.stream, batch: EntryBatch())
        for source in group.pages {
            switch source {
            case .head(let hp):
                out.stats.headPages += 1
                let b = hp.batch
                let metadata = b.metadata
                b.text.withUnsafeBytes { t in
                    for i in 0..<b.count where b.timestamps[i] >= request.from && b.timestamps[i] < request.to {
                        out.stats.linesScanned += 1
                        let line = UnsafeRawBufferPointer(rebasing: t[b.lineRange(i)])
                        if reader.filter?.matches(line) ?? true {
                            out.batch.append(timestamp: b.timestamps[i], line: line, metadataOf: metadata, i)
                        }
                    }
                }
            case .block(let block, let p):
                guard try load(block, p, request: request, reader: reader, stats: &out.stats) else { continue }
                scan(reader.page, request: request, reader: reader, into: &out)
            }
        }
        if group.pages.count > 1 { out.batch = out.batch.sortedDeduplicated() }
        return out
    }

    /// Reads and decompresses a block page into `reader.page` and parses it; false when the page is done
    /// already (wholly inside the range and without the required literal: one memmem, nothing parsed).
    static func load(_ block: Block, _ p: PageDescriptor, request: SelectRequest, reader: PageReader,
                     stats: inout SelectStats) throws -> Bool {
        try block.readPage(p, into: &reader.stored)
        stats.pagesScanned += 1
        stats.compressedBytes += p.storedSize
        stats.decompressedBytes += p.rawSize
        let page = reader.page
        try reader.stored.withUnsafeBytes {
            try reader.decompressor.decompress($0, codec: p.codec, rawSize: p.rawSize, into: &page.raw)
        }
        if let literal = reader.literal, p.minTime >= request.from, p.maxTime < request.to,
           let text = try page.textOffset(),
           page.raw.withUnsafeBytes({ literal.firstIndex(in: $0, from: text) == nil }) {
            stats.linesScanned += p.count
            return false
        }
        try page.parse()
        return true
    }

    /// Filters a decoded page into the group's batch.
    static func scan(_ page: DecodedPage, request: SelectRequest, reader: PageReader, into out: inout GroupResult) {
        var batch = out.batch
        out.batch = EntryBatch()
        defer { out.batch = batch }
        let timestamps = page.timestamps
        let metadata = page.metadata
        out.stats.linesScanned += scanLines(page, request: request, reader: reader) { i, line in
            batch.append(timestamp: timestamps[i], line: line, metadataOf: metadata, i)
            return true
        }
    }

    /// Calls `emit(i, line)` for each line of a decoded page in the request's range that passes the filter, in
    /// order, until it returns false; returns the number of lines in the range. With a required literal, one
    /// memmem over the whole page finds candidate lines, so pages where it is absent cost one pass at memory
    /// speed; with a required regex (and no literal), one multiline PCRE2 pass does.
    @discardableResult
    static func scanLines(_ page: DecodedPage, request: SelectRequest, reader: PageReader,
                          _ emit: (Int, UnsafeRawBufferPointer) -> Bool) -> Int {
        let timestamps = page.timestamps
        let starts = page.lineStarts
        let first = lowerBound(timestamps, request.from)
        let end = lowerBound(timestamps, request.to)
        guard first < end else { return 0 }
        let filter = reader.filter
        page.raw.withUnsafeBytes { raw in
            @inline(__always) func take(_ i: Int) -> Bool {
                let line = UnsafeRawBufferPointer(rebasing: raw[starts[i]..<(starts[i + 1] - 1)])
                if filter?.matches(line) ?? true { return emit(i, line) }
                return true
            }
            if let m = reader.pageRegex {
                // The subject starts at the first line, so `^` matches there as at every line start.
                let base = starts[first]
                var pos = base
                let stop = starts[end]
                let region = UnsafeRawBufferPointer(rebasing: raw[base..<stop])
                while pos < stop, let hit = m.firstMatch(region, from: pos - base) {
                    let i = page.lineIndex(containing: base + hit.lowerBound)
                    guard take(i) else { return }
                    pos = starts[i + 1]
                }
                return
            }
            guard let literal = reader.literal else {
                for i in first..<end { guard take(i) else { return } }
                return
            }
            var pos = starts[first]
            let stop = starts[end]
            let region = UnsafeRawBufferPointer(rebasing: raw[0..<stop])
            while pos < stop, let hit = literal.firstIndex(in: region, from: pos) {
                let i = page.lineIndex(containing: hit)
                guard take(i) else { return }
                pos = starts[i + 1]
            }
        }
        return end - first
    }

    static func lowerBound(_ a: [Int64], _ v: Int64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A flag set once by any thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}
