import Storage

/// The payload of a span store WAL record (the framing, checksum and group commit are `Storage.WAL`'s).
///
/// ```
/// record := type u8 (1 = spans) | tenant str | traceCount uvarint | (traceID 16 bytes | chunk blob)*
/// ```
/// `chunk` is a `SpanCodec` encoding of the trace's batches from one request; see `TraceBlock+Format.md`.
enum TraceWALRecord {
    static let spansType: UInt8 = 1

    static func encode(tenant: String, _ chunks: [TraceChunk]) -> [UInt8] {
        var w = ByteWriter(capacity: chunks.reduce(64) { $0 + $1.encoded.count + 24 })
        w.u8(spansType)
        w.string(tenant)
        w.uvarint(UInt64(chunks.count))
        for c in chunks {
            w.u64(c.id.high)
            w.u64(c.id.low)
            w.blob(c.encoded)
        }
        return w.bytes
    }

    static func decode(_ payload: UnsafeRawBufferPointer) throws -> (String, [TraceChunk]) {
        var r = ByteReader(payload)
        let type = try r.u8()
        guard type == spansType else { throw DecodeError("unknown span WAL record type \(type)") }
        let tenant = try r.string()
        let n = try r.int()
        var chunks: [TraceChunk] = []
        for _ in 0..<n {
            let id = TraceID(high: try r.u64(), low: try r.u64())
            chunks.append(try TraceChunk(id: id, encoded: try r.blob()))
        }
        return (tenant, chunks)
    }
}
