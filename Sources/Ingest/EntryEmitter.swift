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
        if let s = slots[key] {
            slot = s
        } else {
            let labels = try src.labels(level: fields.level, derived: derived, filename: filename)
            slot = builder.slot(tenant: src.config.tenant, labels: labels)
            slots[key] = slot
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
        builder.add(slot: slot, timestamp: ts, line: entry) { batch in
            @inline(__always) func add(_ bit: UInt8, _ name: String, _ r: Range<Int>?) {
                if mask & bit != 0, let r { batch.appendMetadata(name: name, value: UnsafeRawBufferPointer(rebasing: entry[r])) }
            }
            add(MetadataField.clientIPBit, MetadataField.clientIPName, f.clientIP)
            add(MetadataField.methodBit, MetadataField.methodName, f.method)
            add(MetadataField.pathBit, MetadataField.pathName, f.path)
            add(MetadataField.requestTimeBit, MetadataField.requestTimeName, f.requestTime)
            if var s = seconds {
                s.withUTF8 { batch.appendMetadata(name: MetadataField.requestTimeName, value: UnsafeRawBufferPointer($0)) }
            }
            add(MetadataField.statusBit, MetadataField.statusName, f.status)
            add(MetadataField.traceIDBit, MetadataField.traceIDName, traceID)
        }
    }
}

extension MetadataField {
    // The bits as constants: `bit` searches allCases, which is too slow per line.
    static let traceIDBit = MetadataField.traceID.bit
    static let statusBit = MetadataField.status.bit
    static let methodBit = MetadataField.method.bit
    static let pathBit = MetadataField.path.bit
    static let clientIPBit = MetadataField.clientIP.bit
    static let requestTimeBit = MetadataField.requestTime.bit
    static let traceIDName = MetadataField.traceID.rawValue
    static let statusName = MetadataField.status.rawValue
    static let methodName = MetadataField.method.rawValue
    static let pathName = MetadataField.path.rawValue
    static let clientIPName = MetadataField.clientIP.rawValue
    static let requestTimeName = MetadataField.requestTime.rawValue
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
