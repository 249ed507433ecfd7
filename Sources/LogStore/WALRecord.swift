import Storage

/// The log store's WAL payload: one accepted push batch for one tenant. Format in `WALRecord+Format.md`.
enum WALRecord {
    static let entriesType: UInt8 = 1

    static func encode(tenant: String, streams: [(LabelSet, EntryBatch)]) -> [UInt8] {
        // Size the buffer once, metadata included: regrowing a multi-MiB payload copies it (seen in ingest profiles).
        var w = ByteWriter(capacity: streams.reduce(64) { total, s in
            let md = s.1.metadata?.reduce(0) { $0 + $1.reduce(1) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 } } ?? 0
            return total + s.1.text.count + s.1.count * 8 + md
        })
        w.u8(entriesType)
        w.string(tenant)
        w.uvarint(UInt64(streams.count))
        for (labels, batch) in streams {
            w.uvarint(UInt64(labels.labels.count))
            for l in labels.labels {
                w.string(l.name)
                w.string(l.value)
            }
            w.uvarint(UInt64(batch.count))
            w.u8(batch.metadata == nil ? 0 : 1)
            var prevEnd = 0
            for i in 0..<batch.count {
                w.svarint(batch.timestamps[i])
                w.uvarint(UInt64(batch.lineEnds[i] - prevEnd))
                prevEnd = batch.lineEnds[i]
                if let md = batch.metadata?[i] {
                    w.uvarint(UInt64(md.count))
                    for l in md {
                        w.string(l.name)
                        w.string(l.value)
                    }
                }
            }
            w.raw(batch.text)
        }
        return w.bytes
    }

    static func decode(_ payload: UnsafeRawBufferPointer) throws -> (tenant: String, streams: [(LabelSet, EntryBatch)]) {
        var r = ByteReader(payload)
        guard try r.u8() == entriesType else { throw DecodeError("unknown WAL record type") }
        let tenant = try r.string()
        let n = try r.int()
        var streams: [(LabelSet, EntryBatch)] = []
        for _ in 0..<n {
            let nl = try r.int()
            var labels: [Label] = []
            for _ in 0..<nl { labels.append(Label(try r.string(), try r.string())) }
            let count = try r.int()
            let hasMD = try r.u8() == 1
            var b = EntryBatch()
            b.timestamps.reserveCapacity(count)
            b.lineEnds.reserveCapacity(count)
            if hasMD { b.metadata = [] }
            var end = 0
            for _ in 0..<count {
                b.timestamps.append(try r.svarint())
                end += try r.int()
                b.lineEnds.append(end)
                if hasMD {
                    let m = try r.int()
                    var md: [Label] = []
                    for _ in 0..<m { md.append(Label(try r.string(), try r.string())) }
                    b.metadata!.append(md)
                }
            }
            b.text = Array(try r.slice(end))
            streams.append((LabelSet(trusted: labels), b))
        }
        return (tenant, streams)
    }
}
