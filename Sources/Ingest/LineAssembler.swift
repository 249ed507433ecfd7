#if canImport(Glibc)
import Glibc
#endif

/// Cuts a file's bytes into entries: lines at `\n` (a trailing `\r` dropped), lines longer than the store's
/// line limit cut into pieces of that size, and lines joined by the source's multiline rule. A last line
/// without its newline is held (`partial`) and a joined entry waits (`pending`) until `finish` is called, which
/// the tailer does when the partial-line timeout or the multiline wait passes (or at the end of `--once`).
///
/// Every decision depends only on the bytes since the last emitted entry, so re-reading a file from an entry
/// boundary to a recorded end reproduces exactly the entries of the first read (crash recovery relies on it).
final class LineAssembler {
    let joiner: LineJoiner
    let maxLineBytes: Int
    let maxEntryBytes: Int
    let maxLines: Int
    private(set) var partial: [UInt8] = []
    /// File offset of `partial[0]` (equal to the next offset to feed when `partial` is empty).
    private(set) var partialStart: Int
    private var pending: [UInt8] = []
    private var pendingLines = 0
    private var pendingEnd = 0

    init(joiner: LineJoiner, maxLineBytes: Int, offset: Int) {
        self.joiner = joiner
        self.maxLineBytes = maxLineBytes
        maxEntryBytes = min(joiner.rule.maxBytes, maxLineBytes)
        maxLines = joiner.rule.maxLines
        partialStart = offset
        partial.reserveCapacity(4096)
    }

    /// The offset just past the bytes fed so far.
    var offset: Int { partialStart + partial.count }
    /// Whether bytes are held that no entry has been emitted for.
    var hasBuffered: Bool { !partial.isEmpty || pendingLines > 0 }
    var hasPartialLine: Bool { !partial.isEmpty }

    /// Forgets everything held and continues from `offset`.
    func reset(to offset: Int) {
        partial.removeAll(keepingCapacity: true)
        pending.removeAll(keepingCapacity: true)
        pendingLines = 0
        partialStart = offset
    }

    /// Feeds the next bytes of the file; `emit(entry, endOffset)` gets each finished entry and the file offset
    /// just past it.
    func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer, Int) -> Void) {
        let n = chunk.count
        guard n > 0, let base = chunk.baseAddress else { return }
        let chunkStart = offset
        var s = 0
        while s < n {
            if let hit = memchr(base + s, 10, n - s) {
                let nl = base.distance(to: UnsafeRawPointer(hit))
                let end = chunkStart + nl + 1
                if partial.isEmpty {
                    line(UnsafeRawBufferPointer(rebasing: chunk[s..<nl]), start: chunkStart + s, end: end, emit)
                } else {
                    partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[s..<nl]))
                    let start = partialStart
                    partial.withUnsafeBytes { line($0, start: start, end: end, emit) }
                    partial.removeAll(keepingCapacity: true)
                }
                partialStart = end
                s = nl + 1
            } else {
                partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[s..<n]))
                s = n
                // Bound memory: cut a piece off a line that will certainly be longer than the limit, exactly
                // where `line` would cut it (one byte is kept back: it may be the `\r` that `line` drops).
                while partial.count > maxLineBytes + 1 {
                    let piece = maxLineBytes
                    partial.withUnsafeBytes { entry(UnsafeRawBufferPointer(rebasing: $0[0..<piece]), end: partialStart + piece, emit) }
                    partial.removeFirst(piece)
                    partialStart += piece
                }
            }
        }
    }

    /// Emits everything held: the partial line as a line, then the joined entry.
    func finish(_ emit: (UnsafeRawBufferPointer, Int) -> Void) {
        if !partial.isEmpty {
            let (start, end) = (partialStart, offset)
            partial.withUnsafeBytes { line($0, start: start, end: end, emit) }
            partial.removeAll(keepingCapacity: true)
            partialStart = end
        }
        flushPending(emit)
    }

    /// One complete line (without `\n`), cut into pieces of at most `maxLineBytes`.
    private func line(_ raw: UnsafeRawBufferPointer, start lineStart: Int, end: Int,
                      _ emit: (UnsafeRawBufferPointer, Int) -> Void) {
        var l = raw
        if let last = l.last, last == 13 { l = UnsafeRawBufferPointer(rebasing: l.dropLast()) }
        var start = 0
        while l.count - start > maxLineBytes {
            entry(UnsafeRawBufferPointer(rebasing: l[start..<(start + maxLineBytes)]), end: lineStart + start + maxLineBytes, emit)
            start += maxLineBytes
        }
        entry(start == 0 ? l : UnsafeRawBufferPointer(rebasing: l[start...]), end: end, emit)
    }

    /// A line (or piece) that is an entry of its own or part of a joined one.
    private func entry(_ l: UnsafeRawBufferPointer, end: Int, _ emit: (UnsafeRawBufferPointer, Int) -> Void) {
        guard joiner.joinsLines else {
            emit(l, end)
            return
        }
        let continues = joiner.continues(l)
        if continues, pendingLines > 0, pendingLines < maxLines, pending.count + 1 + l.count <= maxEntryBytes {
            pending.append(10)
            pending.append(contentsOf: l)
            pendingLines += 1
            pendingEnd = end
            return
        }
        flushPending(emit)
        pending.append(contentsOf: l)
        pendingLines = 1
        pendingEnd = end
    }

    private func flushPending(_ emit: (UnsafeRawBufferPointer, Int) -> Void) {
        guard pendingLines > 0 else { return }
        pending.withUnsafeBytes { emit($0, pendingEnd) }
        pending.removeAll(keepingCapacity: true)
        pendingLines = 0
    }
}
