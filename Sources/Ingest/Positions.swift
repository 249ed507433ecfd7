import Storage

/// The tailer's checkpoint: per file, how far its lines are durable in the store.
///
/// Text, one record a line, written whole to a temp file, fsync'd and renamed over the old one (then the folder
/// is fsync'd), so a crash leaves either the old or the new file:
///
/// ```
/// mclog-positions 1
/// file <dev> <inode> <offset> <fp-length> <fp-hash-hex> <carry-timestamp|-> <path>
/// batch <unix-ns>
/// intent <dev> <inode> <from> <to> <fp-length> <fp-hash-hex> <carry-timestamp|-> <path>
/// ```
///
/// `file` records say that the file with this device, inode and fingerprint has every entry before `offset`
/// in the store; `carry-timestamp` is the timestamp of the last of them (the time a following line without its
/// own is given). `batch`/`intent` records are written just before an append: the batch's read time and, per
/// file, the byte range it covers. If the process dies between the append and the next checkpoint, the restart
/// re-reads each range, looks the entries up in the store, and moves the offsets past them only if they are
/// there — so a batch is neither lost nor stored twice.
public struct Positions: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var offset: Int
        public var fingerprint: Fingerprint
        public var carryTimestamp: Int64?
        public var path: String
    }

    /// A file's part of an append that may or may not have completed.
    public struct Intent: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var from: Int
        public var to: Int
        public var fingerprint: Fingerprint
        public var carryTimestamp: Int64?
        public var path: String
    }

    public var files: [Entry] = []
    /// The read time of the batch in flight, with its intents; nil when no append is in doubt.
    public var batchTime: Int64?
    public var intents: [Intent] = []

    public init() {}

    static let header = "mclog-positions 1"

    /// The file's text.
    public func encoded() -> String {
        var s = Positions.header + "\n"
        func ts(_ t: Int64?) -> String { t.map(String.init) ?? "-" }
        for f in files {
            s += "file \(f.device) \(f.inode) \(f.offset) \(f.fingerprint.length) \(String(f.fingerprint.hash, radix: 16)) \(ts(f.carryTimestamp)) \(f.path)\n"
        }
        if let batchTime {
            s += "batch \(batchTime)\n"
            for i in intents {
                s += "intent \(i.device) \(i.inode) \(i.from) \(i.to) \(i.fingerprint.length) \(String(i.fingerprint.hash, radix: 16)) \(ts(i.carryTimestamp)) \(i.path)\n"
            }
        }
        return s
    }

    /// Parses the file's text; an error names the line and what is wrong with it.
    public static func decode(_ text: String, file: String) throws -> Positions {
        var p = Positions()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard lines.first.map(String.init) == header else {
            throw PositionsError("\(file):1: not a positions file (expected \"\(header)\")")
        }
        for (n, line) in lines.enumerated().dropFirst() {
            func bad(_ what: String) -> PositionsError { PositionsError("\(file):\(n + 1): \(what): \(line)") }
            // The path is the last field and may contain spaces.
            let fields = line.hasPrefix("intent ") ? 8 : 7
            let parts = line.split(separator: " ", maxSplits: fields, omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "file":
                guard parts.count == 8, let dev = UInt64(parts[1]), let ino = UInt64(parts[2]),
                      let off = Int(parts[3]), off >= 0, let fl = Int(parts[4]), let fh = UInt64(parts[5], radix: 16)
                else { throw bad("malformed file record") }
                let carry = parts[6] == "-" ? nil : Int64(parts[6])
                if parts[6] != "-" && carry == nil { throw bad("malformed carry timestamp") }
                p.files.append(Entry(device: dev, inode: ino, offset: off, fingerprint: Fingerprint(length: fl, hash: fh),
                                     carryTimestamp: carry, path: parts[7]))
            case "batch":
                guard parts.count == 2, let t = Int64(parts[1]) else { throw bad("malformed batch record") }
                p.batchTime = t
            case "intent":
                guard p.batchTime != nil else { throw bad("intent before its batch record") }
                guard parts.count == 9, let dev = UInt64(parts[1]), let ino = UInt64(parts[2]),
                      let from = Int(parts[3]), let to = Int(parts[4]), from >= 0, to >= from,
                      let fl = Int(parts[5]), let fh = UInt64(parts[6], radix: 16)
                else { throw bad("malformed intent record") }
                let carry = parts[7] == "-" ? nil : Int64(parts[7])
                if parts[7] != "-" && carry == nil { throw bad("malformed carry timestamp") }
                p.intents.append(Intent(device: dev, inode: ino, from: from, to: to,
                                        fingerprint: Fingerprint(length: fl, hash: fh), carryTimestamp: carry,
                                        path: parts[8]))
            default:
                throw bad("unknown record")
            }
        }
        return p
    }

    /// Reads `path`; a missing file is an empty checkpoint.
    public static func read(path: String) throws -> Positions {
        guard FS.exists(path) else { return Positions() }
        let bytes = try FS.readFile(path)
        return try decode(String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Writes atomically (temp file, fsync, rename, fsync of the folder).
    public func write(path: String) throws {
        try FS.publishAtomically(Array(encoded().utf8), to: path)
    }
}

/// A positions file that cannot be read.
public struct PositionsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
