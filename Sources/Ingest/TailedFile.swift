import LogStore

#if canImport(Glibc)
import Glibc
#endif

/// One file being tailed: its open descriptor, identity (device, inode, fingerprint), how far its entries are
/// durable (`committed`) and emitted into the batch being built (`emitted`), and what it holds unfinished.
final class TailedFile {
    let source: SourceRuntime
    var path: String
    let fd: Int32
    let device: UInt64
    let inode: UInt64
    var fingerprint: Fingerprint
    /// Every entry before this offset is durable in the store.
    var committed: Int
    /// The timestamp of the last committed entry (given to a following line without its own).
    var committedCarry: Int64?
    /// Every entry before this offset is in the store, the batch being appended or the batch being built.
    var emitted: Int
    /// This file's part of the batch being appended while the next is read: its end offset, the carried
    /// timestamp there, and its entry count. nil when no batch of this file is in flight.
    var sealed: (end: Int, carry: Int64?, entries: Int)?
    /// Parses entries into streams; carries the timestamp a line without its own is given.
    let emitter: EntryEmitter
    var carry: Int64? {
        get { emitter.carry }
        set { emitter.carry = newValue }
    }
    var batchEntries: Int {
        get { emitter.batchEntries }
        set { emitter.batchEntries = newValue }
    }
    let assembler: LineAssembler
    /// Monotonic time of the last byte read; timeouts count from it.
    var lastDataNanos: Int64
    /// Whether a glob matched the file at the last discovery.
    var inGlob = true
    /// Set while the file is a copytruncate copy of another tracked file: it is not read until the original
    /// is truncated or released, and then continues from the original's committed offset.
    var copyOf: TailedFile?
    /// Whether the last read reached the end of the file.
    var atEOF = false

    init(source: SourceRuntime, path: String, fd: Int32, device: UInt64, inode: UInt64, fingerprint: Fingerprint,
         offset: Int, carry: Int64?, now: Int64) throws {
        self.source = source
        self.path = path
        self.fd = fd
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
        committed = offset
        committedCarry = carry
        emitted = offset
        emitter = EntryEmitter(source: source, filename: path)
        emitter.carry = carry
        assembler = LineAssembler(joiner: try source.makeJoiner(), maxLineBytes: source.maxLineBytes, offset: offset)
        lastDataNanos = now
    }

    deinit { close(fd) }

    /// Current size of the open file (follows it through renames and deletion).
    var size: Int {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Whether the file has been deleted (no names left).
    var isDeleted: Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && st.st_nlink == 0
    }

    /// Back to the last checkpoint: everything read since is read again (after a failed append).
    func rewind() {
        emitted = committed
        carry = committedCarry
        assembler.reset(to: committed)
        batchEntries = 0
        sealed = nil
    }

    /// Starts over at `offset` with a new identity base: after truncation, or when a copy takes over.
    func restart(at offset: Int, carry c: Int64?) {
        committed = offset
        committedCarry = c
        rewind()
    }

    /// Hands what was emitted so far to an append; entries read from now on belong to the next batch.
    func seal() {
        sealed = (emitted, carry, batchEntries)
        batchEntries = 0
    }

    /// Marks the sealed part as durable.
    func commitSealed() {
        guard let s = sealed else { return }
        committed = s.end
        committedCarry = s.carry
        sealed = nil
    }

    /// Reads up to `limit` bytes into `buffer` and feeds them to the assembler, emitting entries into
    /// `builder`. Returns the bytes read (0 at the end of the file).
    func read(into buffer: inout [UInt8], limit: Int, builder: BatchBuilder, batchTime: Int64,
              now: Int64, fingerprintBytes: Int) throws -> Int {
        let want = min(limit, buffer.count)
        let start = assembler.offset
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, start) }
        guard n >= 0 else { throw IngestError("read \(path): \(String(cString: strerror(errno)))") }
        atEOF = n < want
        guard n > 0 else { return 0 }
        if start == 0 && fingerprint.length < min(n, fingerprintBytes) {
            // A file read from its start is identified by the very bytes read.
            fingerprint = buffer.withUnsafeBytes { Fingerprint(of: UnsafeRawBufferPointer(rebasing: $0[0..<min(n, fingerprintBytes)])) }
        }
        lastDataNanos = now
        var failure: Error?
        buffer.withUnsafeBytes { b in
            assembler.feed(UnsafeRawBufferPointer(rebasing: b[0..<n])) { entry, end in
                if failure == nil {
                    do { try emit(entry, end: end, builder: builder, batchTime: batchTime) } catch { failure = error }
                }
            }
        }
        if let failure { throw failure }
        return n
    }

    /// Emits what the assembler holds (partial line, joined entry).
    func finish(builder: BatchBuilder, batchTime: Int64) throws {
        var failure: Error?
        assembler.finish { entry, end in
            if failure == nil {
                do { try emit(entry, end: end, builder: builder, batchTime: batchTime) } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Adds one entry to the batch and moves `emitted` past it.
    func emit(_ entry: UnsafeRawBufferPointer, end: Int, builder: BatchBuilder, batchTime: Int64) throws {
        try emitter.emit(entry, builder: builder, batchTime: batchTime)
        emitted = end
    }
}

/// A tailer failure with its cause (a file that cannot be read, a store that refuses a batch).
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
