import Foundation

/// A segmented write-ahead log with checksummed records and group commit.
///
/// Byte layout is documented in `WAL+Format.md`. Writers call `append` then `sync(through:)`; concurrent
/// writers share one `fdatasync` (group commit). `rotate()` starts a new segment so that a flushed head can
/// drop every segment before the cut.
public final class WAL: @unchecked Sendable {
    /// A record's place in the log: its segment and the count of records appended so far (for sync).
    public struct Ticket: Sendable {
        public let segment: UInt64
        let sequence: UInt64
    }

    /// What replay found: records read, and every damaged region it truncated.
    public struct ReplayReport: Sendable {
        public var records = 0
        public var bytes = 0
        public var segments = 0
        public var damage: [String] = []
    }

    public static let maxRecordSize = 512 << 20
    static let headerSize = 8

    public let directory: String
    private let cond = NSCondition()
    private var file: FileHandle
    public private(set) var segment: UInt64
    private var written: UInt64 = 0
    private var synced: UInt64 = 0
    private var syncing = false
    private var segmentBytes = 0
    /// Observes fsync latency in seconds (for metrics).
    public var onSync: (@Sendable (Double) -> Void)?

    /// Opens the log for appending in a fresh segment after the newest existing one.
    /// Call `replay` first to read what is there.
    public init(directory: String) throws {
        self.directory = directory
        try FS.makeDirectories(directory)
        let last = try WAL.segments(in: directory).last ?? 0
        segment = last + 1
        file = try FileHandle(path: WAL.path(directory, segment), flags: O_WRONLY | O_CREAT | O_APPEND)
        try FS.syncDirectory(directory)
    }

    static func path(_ dir: String, _ seg: UInt64) -> String {
        let s = String(seg)
        return dir + "/" + String(repeating: "0", count: max(0, 16 - s.count)) + s + ".wal"
    }

    /// Segment numbers present in `directory`, ascending.
    public static func segments(in directory: String) throws -> [UInt64] {
        try FS.list(directory).compactMap { name in
            name.hasSuffix(".wal") ? UInt64(name.dropLast(4)) : nil
        }.sorted()
    }

    /// Appends one record (not yet durable). Returns a ticket to pass to `sync(through:)`.
    public func append(_ payload: [UInt8]) throws -> Ticket { try append(parts: [payload]) }

    /// Appends one record whose payload is the concatenation of `parts`, written as they are: a caller's
    /// multi-MiB buffers (the lines of a batch) need not be copied into one payload first.
    public func append(parts: [[UInt8]]) throws -> Ticket {
        let size = parts.reduce(0) { $0 + $1.count }
        precondition(size <= WAL.maxRecordSize, "WAL record too large")
        var crc: UInt32 = 0
        for p in parts { crc = p.withUnsafeBytes { CRC32C.checksum($0, continuing: crc) } }
        var header = ByteWriter(capacity: 8)
        header.u32(UInt32(size))
        header.u32(crc)
        cond.lock()
        defer { cond.unlock() }
        try file.write(header.bytes)
        for p in parts where !p.isEmpty { try file.write(p) }
        written += 1
        segmentBytes += size + WAL.headerSize
        return Ticket(segment: segment, sequence: written)
    }

    /// Blocks until every record up to `ticket` is on disk. One caller fsyncs for all waiting callers.
    public func sync(through ticket: Ticket) throws {
        cond.lock()
        defer { cond.unlock() }
        while synced < ticket.sequence {
            if syncing {
                cond.wait()
                continue
            }
            syncing = true
            let target = written
            let fh = file
            cond.unlock()
            let start = DispatchTime.now().uptimeNanoseconds
            let result = Result { try fh.sync() }
            onSync?(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            cond.lock()
            syncing = false
            cond.broadcast()
            try result.get()
            synced = max(synced, target)
        }
    }

    /// Appends and waits until durable.
    @discardableResult
    public func appendDurably(_ payload: [UInt8]) throws -> Ticket {
        let t = try append(payload)
        try sync(through: t)
        return t
    }

    /// Bytes written to the current segment.
    public var currentSegmentBytes: Int {
        cond.lock()
        defer { cond.unlock() }
        return segmentBytes
    }

    /// Makes the current segment durable and starts a new one. Returns the new segment's number:
    /// every record appended before the call lives in an older segment.
    @discardableResult
    public func rotate() throws -> UInt64 {
        cond.lock()
        defer { cond.unlock() }
        while syncing { cond.wait() }
        try file.sync()
        synced = written
        segment += 1
        file = try FileHandle(path: WAL.path(directory, segment), flags: O_WRONLY | O_CREAT | O_APPEND)
        try FS.syncDirectory(directory)
        segmentBytes = 0
        return segment
    }

    /// Deletes every segment numbered below `segment` (their records are in durable blocks).
    public func removeSegments(before segment: UInt64) throws {
        for s in try WAL.segments(in: directory) where s < segment {
            try FS.remove(WAL.path(directory, s))
        }
    }

    /// Reads every intact record of the segments numbered `from` or later, in order.
    ///
    /// A record whose length runs past the end of its segment, or whose checksum does not match, ends that
    /// segment: the segment is truncated there and the damage is reported (with segment, offset and bytes
    /// dropped). Later segments are still read, so one damaged segment never hides the rest.
    public static func replay(
        directory: String, from first: UInt64 = 0, repair: Bool = true,
        _ body: (_ segment: UInt64, _ payload: UnsafeRawBufferPointer) throws -> Void
    ) throws -> ReplayReport {
        var report = ReplayReport()
        for seg in try segments(in: directory) where seg >= first {
            let path = WAL.path(directory, seg)
            let bytes = try FS.readFile(path)
            report.segments += 1
            var goodEnd = 0
            var problem: String?
            try bytes.withUnsafeBytes { buf in
                var r = ByteReader(buf)
                while !r.atEnd {
                                        guard r.remaining >= headerSize else {
                        problem = "torn record header"
                        break
                    }
                    let len = Int(try r.u32())
                    let crc = try r.u32()
                    guard len <= maxRecordSize, r.remaining >= len else {
                        problem = "torn record (length \(len) past end of segment)"
                        break
                    }
                    let payload = try r.slice(len)
                    guard CRC32C.checksum(payload) == crc else {
                        problem = "checksum mismatch"
                        break
                    }
                    try body(seg, payload)
                    report.records += 1
                    report.bytes += len
                    goodEnd = r.offset
                                    }
            }
            if let problem {
                report.damage.append(
                    "WAL segment \(path): \(problem) at offset \(goodEnd); truncated \(bytes.count - goodEnd) bytes")
                if repair {
                    let fh = try FileHandle(path: path, flags: O_WRONLY)
                    try fh.truncate(to: goodEnd)
                    try fh.sync()
                }
            }
        }
        return report
    }
}
