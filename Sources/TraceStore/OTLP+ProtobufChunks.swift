import Storage

/// A request's spans split by trace and encoded as the chunks the store keeps (`SpanCodec` bytes), with the
/// spans that broke a per-span limit already counted in `result`. `TraceStore.append(tenant:_:)` takes it.
public struct SplitTraces: Sendable {
    var chunks: [TraceChunk]
    var result: TraceAppendResult

    /// Splits decoded batches (`TraceSplitter`) and encodes each trace (the JSON and Zipkin decoders' path).
    public init(_ batches: [ResourceSpans], limits: TraceLimits) {
        var result = TraceAppendResult()
        let split = TraceSplitter.split(batches, limits: limits, result: &result)
        self.init(chunks: split.map { TraceChunk(id: $0.0, batches: $0.1) }, result: result)
    }

    init(chunks: [TraceChunk], result: TraceAppendResult) {
        self.chunks = chunks
        self.result = result
    }

    public var spanCount: Int { chunks.reduce(0) { $0 + $1.spanCount } }
}

extension OTLPProtobuf {
    /// Decodes an `ExportTraceServiceRequest` straight into per-trace chunks, without building `Span`s: the same
    /// bytes, rejections and errors as `SplitTraces(decode(body), limits:)` (the golden test compares them), at a
    /// fraction of the allocations (one arena per request and one array per trace).
    public static func decodeTraces(_ body: UnsafeRawBufferPointer, limits: TraceLimits) throws -> SplitTraces {
        var t = OTLPTranscoder(limits: limits)
        do {
            var r = ProtoReader(body)
            while let (field, wire) = try r.nextKey() {
                if field == 1 && wire == 2 { try t.resourceSpans(r.lengthDelimited()) } else { try r.skip(wire) }
            }
        } catch let e as ProtoWireError {
            throw TraceDecodeError(e.description)
        }
        return t.finish()
    }

    public static func decodeTraces(_ body: [UInt8], limits: TraceLimits) throws -> SplitTraces {
        try body.withUnsafeBytes { try decodeTraces($0, limits: limits) }
    }
}

/// Protobuf → `SpanCodec` transcoder behind `OTLPProtobuf.decodeTraces`. Spans are written once, in chunk
/// layout, into one arena; each trace is a linked list of its spans' arena ranges, cut into its own chunk at the
/// end. Protobuf allows fields in any order and repeats, so each message is read twice where the chunk layout
/// needs something first (counts, the resource before the spans): once to collect, once to write.
struct OTLPTranscoder {
    let limits: TraceLimits
    var result = TraceAppendResult()
    /// Span encodings and scope headers, back to back.
    var arena = ByteWriter(capacity: 1 << 16)
    /// A kept span: its bytes in `arena`, its scope header, and the next span of the same trace (-1: none).
    struct SpanRef {
        var start: Int
        var end: Int
        var scope: Int
        var next: Int
    }
    struct TraceRef {
        var id: TraceID
        var first: Int
        var last: Int
        var count: Int
        var minStart: Int64
        var maxEnd: Int64
    }
    var spans: [SpanRef] = []
    var traces: [TraceRef] = []
    var index: [TraceID: Int] = [:]
    /// Per scope: arena range of `resource attributes, 1, scope name, version, attributes` (a chunk's group
    /// header up to its span count).
    var scopeHeaders: [Range<Int>] = []

    init(limits: TraceLimits) { self.limits = limits }

    // MARK: Messages

    mutating func resourceSpans(_ b: UnsafeRawBufferPointer) throws {
        // Resource attributes, wherever they are on the wire.
        var nAttr = 0
        try ProtoReader.forEach(1, in: b) { nAttr += try ProtoReader.count(1, in: $0) }
        var resource = ByteWriter(capacity: 128)
        resource.uvarint(UInt64(nAttr))
        var problem: String?
        try ProtoReader.forEach(1, in: b) { res in
            try ProtoReader.forEach(1, in: res) { attribute in
                let kv = try Self.keyValue(attribute, &resource)
                if problem == nil { problem = attributeProblem(kv, "resource") }
            }
        }
        var batchSpans = 0
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            // 2: scope_spans; 1000: the deprecated instrumentation_library_spans, same shape.
            case (2, 2), (1000, 2): batchSpans += try scopeSpans(r.lengthDelimited(), resource: resource.bytes, rejected: problem != nil)
            default: try r.skip(wire)
            }
        }
        if let problem { result.reject(batchSpans, problem) }
    }

    /// Transcodes one `ScopeSpans`; returns how many spans it holds (kept or not).
    mutating func scopeSpans(_ b: UnsafeRawBufferPointer, resource: [UInt8], rejected: Bool) throws -> Int {
        var name = UnsafeRawBufferPointer(start: nil, count: 0), version = name
        var nAttr = 0
        try ProtoReader.forEach(1, in: b) { scope in
            var s = ProtoReader(scope)
            while let (f, w) = try s.nextKey() {
                switch (f, w) {
                case (1, 2): name = try s.lengthDelimited()
                case (2, 2): version = try s.lengthDelimited()
                case (3, 2):
                    _ = try s.lengthDelimited()
                    nAttr += 1
                default: try s.skip(w)
                }
            }
        }
        let headerStart = arena.count
        arena.raw(resource)
        arena.uvarint(1)
        _ = Self.string(name, &arena)
        _ = Self.string(version, &arena)
        arena.uvarint(UInt64(nAttr))
        var problem: String?
        try ProtoReader.forEach(1, in: b) { scope in
            try ProtoReader.forEach(3, in: scope) { attribute in
                let kv = try Self.keyValue(attribute, &arena)
                if problem == nil { problem = attributeProblem(kv, "instrumentation scope") }
            }
        }
        let scope = scopeHeaders.count
        scopeHeaders.append(headerStart..<arena.count)
        let skip = rejected || problem != nil
        var n = 0
        try ProtoReader.forEach(2, in: b) {
            try span($0, scope: scope, rejected: skip)
            n += 1
        }
        if let problem, !rejected { result.reject(n, problem) }
        return n
    }

    mutating func span(_ b: UnsafeRawBufferPointer, scope: Int, rejected: Bool) throws {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        var traceID = TraceID(high: 0, low: 0), spanID = SpanID(0), parent = SpanID(0)
        var traceState = empty, name = empty, statusMessage = empty
        var kind = SpanKind.unspecified, status = StatusCode.unset
        var start: Int64 = 0, end: Int64 = 0
        var flags: UInt32 = 0
        var nAttr = 0, nEvent = 0, nLink = 0
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): traceID = try OTLPProtobuf.spanTraceID(r.lengthDelimited())
            case (2, 2): spanID = try OTLPProtobuf.spanSpanID(r.lengthDelimited())
            case (3, 2): traceState = try r.lengthDelimited()
            case (4, 2): parent = try OTLPProtobuf.parentSpanID(r.lengthDelimited())
            case (5, 2): name = try r.lengthDelimited()
            case (6, 0): kind = SpanKind(rawValue: UInt8(truncatingIfNeeded: try r.varint())) ?? .unspecified
            case (7, 1): start = Int64(bitPattern: try r.fixed64())
            case (8, 1): end = Int64(bitPattern: try r.fixed64())
            case (9, 2):
                _ = try r.lengthDelimited()
                nAttr += 1
            case (11, 2):
                _ = try r.lengthDelimited()
                nEvent += 1
            case (13, 2):
                _ = try r.lengthDelimited()
                nLink += 1
            case (15, 2):
                var st = ProtoReader(try r.lengthDelimited())
                while let (f, w) = try st.nextKey() {
                    switch (f, w) {
                    case (2, 2): statusMessage = try st.lengthDelimited()
                    case (3, 0): status = StatusCode(rawValue: UInt8(truncatingIfNeeded: try st.varint())) ?? .unset
                    default: try st.skip(w)
                    }
                }
            case (16, 5): flags = try r.fixed32()
            default: try r.skip(wire)
            }
        }
        guard !traceID.isZero else { throw TraceDecodeError("span \"\(Self.text(name))\" has no trace_id") }
        guard !spanID.isZero else { throw TraceDecodeError("span \"\(Self.text(name))\" has no span_id") }

        // The span in `SpanCodec.encode(_ s: Span, ...)` layout.
        let spanStart = arena.count
        arena.u64(traceID.high)
        arena.u64(traceID.low)
        arena.u64(spanID.value)
        arena.u64(parent.value)
        _ = Self.string(traceState, &arena)
        let nameBytes = Self.string(name, &arena)
        arena.u8(kind.rawValue)
        arena.u8(status.rawValue)
        _ = Self.string(statusMessage, &arena)
        arena.uvarint(UInt64(flags))
        arena.svarint(start)
        arena.svarint(end &- start)
        // The first limit broken, checked in `TraceSplitter.spanProblem`'s order: name, attributes, events, links.
        var problem: String?
        if nameBytes > limits.maxSpanNameBytes {
            problem = "span \(spanID) of trace \(traceID) has a name of \(nameBytes) bytes, more than the limit max_span_name_bytes=\(limits.maxSpanNameBytes)"
        }
        arena.uvarint(UInt64(nAttr))
        try ProtoReader.forEach(9, in: b) { attribute in
            let kv = try Self.keyValue(attribute, &arena)
            if problem == nil { problem = attributeProblem(kv, "span \(spanID) of trace \(traceID)") }
        }
        arena.uvarint(UInt64(nEvent))
        if nEvent > 0 {
            try ProtoReader.forEach(11, in: b) { try event($0, spanStart: start, spanID: spanID, traceID: traceID, &problem) }
        }
        arena.uvarint(UInt64(nLink))
        if nLink > 0 {
            try ProtoReader.forEach(13, in: b) { try link($0, spanID: spanID, traceID: traceID, &problem) }
        }
        if rejected || problem != nil {
            arena.bytes.removeLast(arena.count - spanStart)
            if let problem, !rejected { result.reject(1, problem) }
            return
        }
        let s = spans.count
        spans.append(SpanRef(start: spanStart, end: arena.count, scope: scope, next: -1))
        if let t = index[traceID] {
            spans[traces[t].last].next = s
            traces[t].last = s
            traces[t].count += 1
            traces[t].minStart = min(traces[t].minStart, start)
            traces[t].maxEnd = max(traces[t].maxEnd, end)
        } else {
            index[traceID] = traces.count
            traces.append(TraceRef(id: traceID, first: s, last: s, count: 1, minStart: start, maxEnd: end))
        }
    }

    mutating func event(_ b: UnsafeRawBufferPointer, spanStart: Int64, spanID: SpanID, traceID: TraceID,
                        _ problem: inout String?) throws
    {
        var time: Int64 = 0
        var name = UnsafeRawBufferPointer(start: nil, count: 0)
        var nAttr = 0
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 1): time = Int64(bitPattern: try r.fixed64())
            case (2, 2): name = try r.lengthDelimited()
            case (3, 2):
                _ = try r.lengthDelimited()
                nAttr += 1
            default: try r.skip(wire)
            }
        }
        arena.svarint(time &- spanStart)
        _ = Self.string(name, &arena)
        arena.uvarint(UInt64(nAttr))
        try ProtoReader.forEach(3, in: b) { attribute in
            let kv = try Self.keyValue(attribute, &arena)
            if problem == nil { problem = attributeProblem(kv, "an event of span \(spanID) of trace \(traceID)") }
        }
    }

    mutating func link(_ b: UnsafeRawBufferPointer, spanID: SpanID, traceID: TraceID, _ problem: inout String?) throws {
        var linkTrace = TraceID(high: 0, low: 0), linkSpan = SpanID(0)
        var traceState = UnsafeRawBufferPointer(start: nil, count: 0)
        var nAttr = 0
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            // A malformed id keeps the one before it, as `OTLPProtobuf.link` does.
            case (1, 2): linkTrace = TraceID(bytes: try r.lengthDelimited()) ?? linkTrace
            case (2, 2): linkSpan = SpanID(bytes: try r.lengthDelimited()) ?? linkSpan
            case (3, 2): traceState = try r.lengthDelimited()
            case (4, 2):
                _ = try r.lengthDelimited()
                nAttr += 1
            default: try r.skip(wire)
            }
        }
        arena.u64(linkTrace.high)
        arena.u64(linkTrace.low)
        arena.u64(linkSpan.value)
        _ = Self.string(traceState, &arena)
        arena.uvarint(UInt64(nAttr))
        try ProtoReader.forEach(4, in: b) { attribute in
            let kv = try Self.keyValue(attribute, &arena)
            if problem == nil { problem = attributeProblem(kv, "a link of span \(spanID) of trace \(traceID)") }
        }
    }

    /// `TraceSplitter.attributeProblem` for one attribute.
    func attributeProblem(_ kv: KeyValueSize, _ owner: @autoclosure () -> String) -> String? {
        let n = max(kv.keyBytes, kv.valueBytes)
        guard n > limits.maxAttributeBytes else { return nil }
        return "attribute \(Self.text(kv.key).prefix(64)) of \(owner()) is \(n) bytes long, more than the limit max_attribute_bytes=\(limits.maxAttributeBytes)"
    }

    // MARK: Values

    struct KeyValueSize {
        var key: UnsafeRawBufferPointer
        /// UTF-8 bytes of the key and `AttributeValue.byteSize` of the value, as stored.
        var keyBytes: Int
        var valueBytes: Int
    }

    /// Writes a `KeyValue` as `SpanCodec.attributes` writes one attribute. Like `OTLPProtobuf.keyValue`, the
    /// last key and last value win and a missing value is the empty string; earlier values are still decoded
    /// (and dropped) so that they fail the same way.
    static func keyValue(_ b: UnsafeRawBufferPointer, _ w: inout ByteWriter) throws
        -> KeyValueSize
    {
        var key = UnsafeRawBufferPointer(start: nil, count: 0)
        var value: UnsafeRawBufferPointer?
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): key = try r.lengthDelimited()
            case (2, 2):
                if let earlier = value {
                    var discarded = ByteWriter()
                    _ = try anyValue(earlier, &discarded)
                }
                value = try r.lengthDelimited()
            default: try r.skip(wire)
            }
        }
        let keyBytes = string(key, &w)
        var valueBytes = 0
        if let value {
            valueBytes = try anyValue(value, &w)
        } else {
            w.u8(0)
            w.uvarint(0)
        }
        return KeyValueSize(key: key, keyBytes: keyBytes, valueBytes: valueBytes)
    }

    /// Writes an `AnyValue` as `SpanCodec.value`; returns its `AttributeValue.byteSize`. The last field wins
    /// (each is written over the one before).
    static func anyValue(_ b: UnsafeRawBufferPointer, _ w: inout ByteWriter) throws -> Int {
        let mark = w.count
        w.u8(0)
        w.uvarint(0)
        var size = 0
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2):
                let raw = try r.lengthDelimited()
                w.bytes.removeLast(w.count - mark)
                w.u8(0)
                size = string(raw, &w)
            case (2, 0):
                let v = try r.varint()
                w.bytes.removeLast(w.count - mark)
                w.u8(3)
                w.u8(v != 0 ? 1 : 0)
                size = 1
            case (3, 0):
                let v = try r.varint()
                w.bytes.removeLast(w.count - mark)
                w.u8(1)
                w.svarint(Int64(bitPattern: v))
                size = 8
            case (4, 1):
                let v = try r.fixed64()
                w.bytes.removeLast(w.count - mark)
                w.u8(2)
                w.u64(v)
                size = 8
            case (5, 2):
                let a = try r.lengthDelimited()
                w.bytes.removeLast(w.count - mark)
                w.u8(5)
                w.uvarint(UInt64(try ProtoReader.count(1, in: a)))
                size = 0
                try ProtoReader.forEach(1, in: a) { size += try anyValue($0, &w) }
            case (6, 2):
                let m = try r.lengthDelimited()
                w.bytes.removeLast(w.count - mark)
                w.u8(6)
                w.uvarint(UInt64(try ProtoReader.count(1, in: m)))
                size = 0
                try ProtoReader.forEach(1, in: m) {
                    let kv = try keyValue($0, &w)
                    size += kv.keyBytes + kv.valueBytes
                }
            case (7, 2):
                let raw = try r.lengthDelimited()
                w.bytes.removeLast(w.count - mark)
                w.u8(4)
                w.uvarint(UInt64(raw.count))
                w.raw(raw)
                size = raw.count
            default: try r.skip(wire)
            }
        }
        return size
    }

    /// Writes `raw` as `ByteWriter.string(String(decoding: raw, as: UTF8.self))` would (invalid UTF-8 becomes
    /// U+FFFD, as in the decoded path), copying ASCII as it is; returns the UTF-8 length written.
    static func string(_ raw: UnsafeRawBufferPointer, _ w: inout ByteWriter) -> Int {
        if isASCII(raw) {
            w.uvarint(UInt64(raw.count))
            w.raw(raw)
            return raw.count
        }
        let s = String(decoding: raw, as: UTF8.self)
        w.string(s)
        return s.utf8.count
    }

    static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = raw.count
        var acc: UInt64 = 0
        while i + 8 <= n {
            acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < n {
            acc |= UInt64(raw[i])
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    static func text(_ raw: UnsafeRawBufferPointer) -> String { String(decoding: raw, as: UTF8.self) }

    // MARK: Chunks

    /// Cuts each trace's spans into its chunk: `SpanCodec.encode` of the batches `TraceSplitter` makes (one group
    /// per run of spans from the same scope, each with its resource and scope).
    func finish() -> SplitTraces {
        var chunks: [TraceChunk] = []
        chunks.reserveCapacity(traces.count)
        arena.bytes.withUnsafeBytes { a in
            for t in traces {
                var groups = 0, size = 10, prevScope = -1
                var i = t.first
                while i >= 0 {
                    let s = spans[i]
                    if s.scope != prevScope {
                        groups += 1
                        size += scopeHeaders[s.scope].count + 10
                        prevScope = s.scope
                    }
                    size += s.end - s.start
                    i = s.next
                }
                var w = ByteWriter(capacity: size)
                w.uvarint(UInt64(groups))
                i = t.first
                while i >= 0 {
                    let scope = spans[i].scope
                    var run = 0
                    var j = i
                    while j >= 0 && spans[j].scope == scope {
                        run += 1
                        j = spans[j].next
                    }
                    w.raw(UnsafeRawBufferPointer(rebasing: a[scopeHeaders[scope]]))
                    w.uvarint(UInt64(run))
                    while i != j {
                        w.raw(UnsafeRawBufferPointer(rebasing: a[spans[i].start..<spans[i].end]))
                        i = spans[i].next
                    }
                }
                chunks.append(TraceChunk(id: t.id, encoded: w.bytes, spanCount: t.count, minStart: t.minStart, maxEnd: t.maxEnd))
            }
        }
        return SplitTraces(chunks: chunks, result: result)
    }
}
