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
        let levelIndex = fields.level.map { Level.allCases.firstIndex(of: $0)! + 1 } ?? 0
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
        builder.add(slot: slot, timestamp: ts, line: entry, metadata: metadata(entry))
    }

    /// The structured metadata of the parsed entry, restricted to the source's fields.
    private func metadata(_ p: UnsafeRawBufferPointer) -> [Label] {
        let mask = source.metadataMask
        var md: [Label] = []
        if mask.contains(.clientIP), let r = fields.clientIP { md.append(Label("client_ip", p.string(r))) }
        if mask.contains(.method), let r = fields.method { md.append(Label("method", p.string(r))) }
        if mask.contains(.path), let r = fields.path { md.append(Label("path", p.string(r))) }
        if mask.contains(.requestTime) {
            if let r = fields.requestTime {
                md.append(Label("request_time", p.string(r)))
            } else if let r = fields.durationMillis, let ms = Double(p.string(r)) {
                md.append(Label("request_time", String(ms / 1000)))
            }
        }
        if mask.contains(.status), let r = fields.status { md.append(Label("status", p.string(r))) }
        if mask.contains(.traceID), let r = fields.traceID ?? source.traceID(in: p) {
            md.append(Label("trace_id", p.string(r)))
        }
        return md
    }
}
