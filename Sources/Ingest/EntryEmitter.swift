import LogStore

/// Turns entries into store entries: parses each (timestamp, level, metadata), picks its stream (static labels,
/// `level`, the derived label, `filename`) and appends it to a batch. One per file, because a line without a
/// timestamp takes the previous entry's of the same file.
///
/// Timestamps: the parsed one; else the previous entry's (`carry`); else the batch's read time plus the entry's
/// index in the batch in nanoseconds (distinct, ordered and reproducible when a batch is read again). With
/// `timestamp.from: ingest` always the latter.
final class EntryEmitter {
    let source: SourceRuntime
    let filename: String
    var carry: Int64?
    /// Entries emitted into the batch being built.
    var batchEntries = 0
    /// Stream slots by level (0 none, 1… `Level.allCases`) and derived-label value.
    private var slots: [Int: Int] = [:]
    /// The same for keys below 64 (no derived label, or one of its first values), looked up without hashing.
    private var smallSlots = [Int](repeating: -1, count: 64)
    private var fields = ParsedFields()

    init(source: SourceRuntime, filename: String) {
        self.source = source
        self.filename = filename
    }

    /// Parses one entry and adds it to its stream's batch.
    func emit(_ entry: UnsafeRawBufferPointer, builder: BatchBuilder, batchTime: Int64) throws {
        let src = source
        src.parser.parse(entry, into: &fields)
        let fallback = batchTime + Int64(batchEntries)
        batchEntries += 1
        let ts = src.config.timestamp.fromLine ? (fields.timestamp ?? carry ?? fallback) : fallback
        carry = ts
        let levelIndex = fields.level?.slotIndex ?? 0
        let derived = src.derivedIndex(entry)
        let key = derived << 3 | levelIndex
        let slot: Int
        if UInt(bitPattern: key) < 64 && smallSlots[key] >= 0 {
            slot = smallSlots[key]
        } else if let s = slots[key] {
            slot = s
        } else {
            let labels = try src.labels(level: fields.level, derived: derived, filename: filename)
            slot = builder.slot(tenant: src.config.tenant, labels: labels)
            slots[key] = slot
            if UInt(bitPattern: key) < 64 { smallSlots[key] = slot }
        }
        let mask = src.metadataMask
        let f = fields
        let traceID = mask & MetadataField.traceIDBit != 0 ? (f.traceID ?? src.traceID(in: entry)) : nil
        var seconds: String?  // PostgreSQL's `duration: … ms`, reported in seconds
        if mask & MetadataField.requestTimeBit != 0, f.requestTime == nil, let r = f.durationMillis,
           let ms = Double(entry.string(r)) {
            seconds = String(ms / 1000)
        }
        // One access to the stream's batch per entry; metadata goes in as byte ranges of the entry (no `String`).
        builder.add(slot: slot, timestamp: ts, line: entry) { batch, ids in
            @inline(__always) func add(_ bit: UInt8, _ name: String, _ r: Range<Int>?) {
                if mask & bit != 0, let r {
                    EntryEmitter.appendPair(&batch, &ids, bit, name, UnsafeRawBufferPointer(rebasing: entry[r]))
                }
            }
            add(MetadataField.clientIPBit, MetadataField.clientIPName, f.clientIP)
            add(MetadataField.methodBit, MetadataField.methodName, f.method)
            add(MetadataField.pathBit, MetadataField.pathName, f.path)
            add(MetadataField.requestTimeBit, MetadataField.requestTimeName, f.requestTime)
            if var s = seconds {
                s.withUTF8 {
                    EntryEmitter.appendPair(&batch, &ids, MetadataField.requestTimeBit, MetadataField.requestTimeName,
                                            UnsafeRawBufferPointer($0))
                }
            }
            add(MetadataField.statusBit, MetadataField.statusName, f.status)
            add(MetadataField.traceIDBit, MetadataField.traceIDName, traceID)
        }
    }
}

extension EntryEmitter {
    /// Adds a pair to the last entry of `batch`, interning the field's name in the batch on its first pair
    /// (`ids`: the batch's name ids by field bit index).
    @inline(__always)
    static func appendPair(_ batch: inout EntryBatch, _ ids: inout [UInt32], _ bit: UInt8, _ name: String,
                           _ value: UnsafeRawBufferPointer) {
        let k = bit.trailingZeroBitCount
        var id = ids[k]
        if id == .max {
            id = batch.metadataNameID(name)
            ids[k] = id
        }
        batch.appendMetadata(nameID: id, value: value)
    }
}

extension MetadataField {
    // The bits and names as literal constants: `bit` searches allCases, which is too slow per line, and a
    // `static let` computed from a case is initialized lazily (a `swift_once` check on every use). A test pins
    // them to `bit` and `rawValue`.
    static let traceIDBit: UInt8 = 1 << 0
    static let statusBit: UInt8 = 1 << 1
    static let methodBit: UInt8 = 1 << 2
    static let pathBit: UInt8 = 1 << 3
    static let clientIPBit: UInt8 = 1 << 4
    static let requestTimeBit: UInt8 = 1 << 5
    static let traceIDName = "trace_id"
    static let statusName = "status"
    static let methodName = "method"
    static let pathName = "path"
    static let clientIPName = "client_ip"
    static let requestTimeName = "request_time"
}

extension Level {
    /// 1… by case, 0 being "no level": the level part of a stream slot key.
    var slotIndex: Int {
        switch self {
        case .critical: 1
        case .error: 2
        case .warn: 3
        case .info: 4
        case .debug: 5
        case .trace: 6
        }
    }
}
