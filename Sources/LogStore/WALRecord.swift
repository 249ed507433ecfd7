import Storage

/// The log store's WAL payload: one accepted push batch for one tenant. Format in `WALRecord+Format.md`.
enum WALRecord {
    /// Type 1: per-entry metadata as name/value strings (written before format 2; still replayed).
    static let entriesV1Type: UInt8 = 1
    /// Type 2: metadata in columns (`EntryMetadata+Coding.swift`).
    static let entriesType: UInt8 = 2

    static func encode(tenant: String, streams: [(LabelSet, EntryBatch)]) -> [UInt8] {
        Array(encodeParts(tenant: tenant, streams: streams).joined())
    }

    /// The record as consecutive parts: per stream its encoded columns, then its batch's line bytes as they are
    /// (shared, not copied: `WAL.append(parts:)` writes them in place).
    static func encodeParts(tenant: String, streams: [(LabelSet, EntryBatch)]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        parts.reserveCapacity(streams.count * 2 + 1)
        var w = ByteWriter(capacity: 64)
        w.u8(entriesType)
        w.string(tenant)
        w.uvarint(UInt64(streams.count))
        for (labels, batch) in streams {
            // Sized once, metadata included: regrowing a multi-MiB buffer copies it (seen in ingest profiles).
            // A timestamp takes up to 10 bytes as a varint, a line length 1-3.
            w.bytes.reserveCapacity(w.count + batch.count * 13 + (batch.metadata?.encodedSizeBound ?? 0) + 256)
            w.uvarint(UInt64(labels.labels.count))
            for l in labels.labels {
                w.string(l.name)
                w.string(l.value)
            }
            w.uvarint(UInt64(batch.count))
            w.u8(batch.metadata == nil ? 0 : 1)
            batch.timestamps.withUnsafeBufferPointer { ts in
                batch.lineEnds.withUnsafeBufferPointer { ends in
                    // Per entry: its timestamp (zig-zag), then its line's length.
                    w.uvarints(count: ts.count * 2) { k in
                        let i = k >> 1
                        return k & 1 == 0 ? ByteWriter.zigzag(ts[i]) : UInt64(ends[i] - (i == 0 ? 0 : ends[i - 1]))
                    }
                }
            }
            batch.metadata?.encode(into: &w)
            parts.append(w.bytes)
            parts.append(batch.text)
            w = ByteWriter()
        }
        if !w.bytes.isEmpty { parts.append(w.bytes) }
        return parts
    }

    static func decode(_ payload: UnsafeRawBufferPointer) throws -> (tenant: String, streams: [(LabelSet, EntryBatch)]) {
        var r = ByteReader(payload)
        let type = try r.u8()
        guard type == entriesType || type == entriesV1Type else { throw DecodeError("unknown WAL record type \(type)") }
        let tenant = try r.string()
        let n = try r.int()
        var streams: [(LabelSet, EntryBatch)] = []
        for _ in 0..<n {
            let nl = try r.int()
            var labels: [Label] = []
            for _ in 0..<nl { labels.append(Label(try r.string(), try r.string())) }
            let count = try r.int()
            guard count <= r.remaining else { throw DecodeError("WAL record entry count too large") }
            let hasMD = try r.u8() == 1
            var b = EntryBatch()
            b.timestamps.reserveCapacity(count)
            b.lineEnds.reserveCapacity(count)
            var v1: EntryMetadata? = hasMD && type == entriesV1Type ? EntryMetadata() : nil
            var end = 0
            for _ in 0..<count {
                b.timestamps.append(try r.svarint())
                end += try r.int()
                b.lineEnds.append(end)
                if v1 != nil {
                    var md: [Label] = []
                    for _ in 0..<(try r.int()) { md.append(Label(try r.string(), try r.string())) }
                    v1!.appendEntry(md)
                }
            }
            if hasMD { b.metadata = try v1 ?? EntryMetadata.decode(&r, entries: count) }
            b.text = Array(try r.slice(end))
            streams.append((LabelSet(trusted: labels), b))
        }
        return (tenant, streams)
    }
}
