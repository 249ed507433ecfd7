import Storage

/// OTLP/HTTP protobuf (`application/x-protobuf`), the default of the OpenTelemetry SDKs.
///
/// Decodes `ExportTraceServiceRequest` and encodes `ResourceSpans` (for Tempo's protobuf trace body) and the
/// export response. Field numbers are those of `opentelemetry/proto/trace/v1/trace.proto` and
/// `common/v1/common.proto`; unknown fields are skipped as protobuf requires.
public enum OTLPProtobuf {
    /// Decodes an `ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }`.
    public static func decode(_ body: UnsafeRawBufferPointer) throws -> [ResourceSpans] {
        var out: [ResourceSpans] = []
        var r = ProtoReader(body)
        do {
            while let (field, wire) = try r.nextKey() {
                if field == 1 && wire == 2 {
                    out.append(try resourceSpans(r.lengthDelimited()))
                } else {
                    try r.skip(wire)
                }
            }
        } catch let e as ProtoWireError {
            throw TraceDecodeError(e.description)
        }
        return out
    }

    public static func decode(_ body: [UInt8]) throws -> [ResourceSpans] { try body.withUnsafeBytes { try decode($0) } }

    static func resourceSpans(_ b: UnsafeRawBufferPointer) throws -> ResourceSpans {
        var rs = ResourceSpans(resource: [], scopes: [])
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2):
                var res = ProtoReader(try r.lengthDelimited())
                while let (f, w) = try res.nextKey() {
                    if f == 1 && w == 2 { rs.resource.append(try keyValue(res.lengthDelimited())) } else { try res.skip(w) }
                }
            // 2: scope_spans; 1000: the deprecated instrumentation_library_spans, same shape.
            case (2, 2), (1000, 2): rs.scopes.append(try scopeSpans(r.lengthDelimited()))
            default: try r.skip(wire)
            }
        }
        return rs
    }

    static func scopeSpans(_ b: UnsafeRawBufferPointer) throws -> ScopeSpans {
        var ss = ScopeSpans(spans: [])
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2):
                var s = ProtoReader(try r.lengthDelimited())
                while let (f, w) = try s.nextKey() {
                    switch (f, w) {
                    case (1, 2): ss.scope.name = try s.string()
                    case (2, 2): ss.scope.version = try s.string()
                    case (3, 2): ss.scope.attributes.append(try keyValue(s.lengthDelimited()))
                    default: try s.skip(w)
                    }
                }
            case (2, 2): ss.spans.append(try span(r.lengthDelimited()))
            default: try r.skip(wire)
            }
        }
        return ss
    }

    /// A span's `trace_id`: exactly 16 bytes.
    static func spanTraceID(_ raw: UnsafeRawBufferPointer) throws -> TraceID {
        guard raw.count == 16, let id = TraceID(bytes: raw) else {
            throw TraceDecodeError("span trace_id has \(raw.count) bytes, want 16")
        }
        return id
    }

    /// A span's `span_id`: exactly 8 bytes.
    static func spanSpanID(_ raw: UnsafeRawBufferPointer) throws -> SpanID {
        guard let id = SpanID(bytes: raw), raw.count == 8 else {
            throw TraceDecodeError("span span_id has \(raw.count) bytes, want 8")
        }
        return id
    }

    /// A span's `parent_span_id`: 8 bytes, or empty for a root span.
    static func parentSpanID(_ raw: UnsafeRawBufferPointer) throws -> SpanID {
        guard let id = SpanID(bytes: raw) else {
            throw TraceDecodeError("span parent_span_id has \(raw.count) bytes, want 8 or 0")
        }
        return id
    }

    static func span(_ b: UnsafeRawBufferPointer) throws -> Span {
        var s = Span(traceID: TraceID(high: 0, low: 0), spanID: SpanID(0), name: "", start: 0, end: 0)
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): s.traceID = try spanTraceID(r.lengthDelimited())
            case (2, 2): s.spanID = try spanSpanID(r.lengthDelimited())
            case (3, 2): s.traceState = try r.string()
            case (4, 2): s.parentSpanID = try parentSpanID(r.lengthDelimited())
            case (5, 2): s.name = try r.string()
            case (6, 0): s.kind = SpanKind(rawValue: UInt8(truncatingIfNeeded: try r.varint())) ?? .unspecified
            case (7, 1): s.start = Int64(bitPattern: try r.fixed64())
            case (8, 1): s.end = Int64(bitPattern: try r.fixed64())
            case (9, 2): s.attributes.append(try keyValue(r.lengthDelimited()))
            case (11, 2): s.events.append(try event(r.lengthDelimited()))
            case (13, 2): s.links.append(try link(r.lengthDelimited()))
            case (15, 2):
                var st = ProtoReader(try r.lengthDelimited())
                while let (f, w) = try st.nextKey() {
                    switch (f, w) {
                    case (2, 2): s.statusMessage = try st.string()
                    case (3, 0): s.status = StatusCode(rawValue: UInt8(truncatingIfNeeded: try st.varint())) ?? .unset
                    default: try st.skip(w)
                    }
                }
            case (16, 5): s.flags = try r.fixed32()
            default: try r.skip(wire)
            }
        }
        guard !s.traceID.isZero else { throw TraceDecodeError("span \"\(s.name)\" has no trace_id") }
        guard !s.spanID.isZero else { throw TraceDecodeError("span \"\(s.name)\" has no span_id") }
        return s
    }

    static func event(_ b: UnsafeRawBufferPointer) throws -> SpanEvent {
        var e = SpanEvent(time: 0, name: "")
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 1): e.time = Int64(bitPattern: try r.fixed64())
            case (2, 2): e.name = try r.string()
            case (3, 2): e.attributes.append(try keyValue(r.lengthDelimited()))
            default: try r.skip(wire)
            }
        }
        return e
    }

    static func link(_ b: UnsafeRawBufferPointer) throws -> SpanLink {
        var l = SpanLink(traceID: TraceID(high: 0, low: 0), spanID: SpanID(0))
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): l.traceID = TraceID(bytes: try r.lengthDelimited()) ?? l.traceID
            case (2, 2): l.spanID = SpanID(bytes: try r.lengthDelimited()) ?? l.spanID
            case (3, 2): l.traceState = try r.string()
            case (4, 2): l.attributes.append(try keyValue(r.lengthDelimited()))
            default: try r.skip(wire)
            }
        }
        return l
    }

    static func keyValue(_ b: UnsafeRawBufferPointer) throws -> Attribute {
        var kv = Attribute("", .string(""))
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): kv.key = try r.string()
            case (2, 2): kv.value = try anyValue(r.lengthDelimited())
            default: try r.skip(wire)
            }
        }
        return kv
    }

    static func anyValue(_ b: UnsafeRawBufferPointer) throws -> AttributeValue {
        var v = AttributeValue.string("")
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): v = .string(try r.string())
            case (2, 0): v = .bool(try r.varint() != 0)
            case (3, 0): v = .int(Int64(bitPattern: try r.varint()))
            case (4, 1): v = .double(Double(bitPattern: try r.fixed64()))
            case (5, 2):
                var a = ProtoReader(try r.lengthDelimited())
                var items: [AttributeValue] = []
                while let (f, w) = try a.nextKey() {
                    if f == 1 && w == 2 { items.append(try anyValue(a.lengthDelimited())) } else { try a.skip(w) }
                }
                v = .array(items)
            case (6, 2):
                var m = ProtoReader(try r.lengthDelimited())
                var items: [Attribute] = []
                while let (f, w) = try m.nextKey() {
                    if f == 1 && w == 2 { items.append(try keyValue(m.lengthDelimited())) } else { try m.skip(w) }
                }
                v = .map(items)
            case (7, 2): v = .bytes(Array(try r.lengthDelimited()))
            default: try r.skip(wire)
            }
        }
        return v
    }

    // MARK: Encoding

    /// `ExportTraceServiceRequest` (or Tempo's `Trace { repeated ResourceSpans batches = 1; }`: same bytes).
    public static func encode(_ batches: [ResourceSpans]) -> [UInt8] {
        var w = ProtoWriter()
        for b in batches { w.message(1) { encode(b, &$0) } }
        return w.bytes
    }

    /// `ExportTraceServiceResponse`, with `partial_success` when spans were rejected.
    public static func exportResponse(rejectedSpans: Int, message: String) -> [UInt8] {
        guard rejectedSpans > 0 || !message.isEmpty else { return [] }
        var w = ProtoWriter()
        w.message(1) {
            $0.varintField(1, UInt64(rejectedSpans))
            $0.stringField(2, message)
        }
        return w.bytes
    }

    static func encode(_ rs: ResourceSpans, _ w: inout ProtoWriter) {
        w.message(1) { r in for a in rs.resource { r.message(1) { encode(a, &$0) } } }
        for ss in rs.scopes {
            w.message(2) { s in
                if ss.scope != InstrumentationScope() {
                    s.message(1) { sc in
                        sc.stringField(1, ss.scope.name)
                        sc.stringField(2, ss.scope.version)
                        for a in ss.scope.attributes { sc.message(3) { encode(a, &$0) } }
                    }
                }
                for span in ss.spans { s.message(2) { encode(span, &$0) } }
            }
        }
    }

    static func encode(_ s: Span, _ w: inout ProtoWriter) {
        w.bytesField(1, s.traceID.bytes)
        w.bytesField(2, s.spanID.bytes)
        w.stringField(3, s.traceState)
        if !s.parentSpanID.isZero { w.bytesField(4, s.parentSpanID.bytes) }
        w.stringField(5, s.name, always: true)
        w.varintField(6, UInt64(s.kind.rawValue))
        w.fixed64Field(7, UInt64(bitPattern: s.start))
        w.fixed64Field(8, UInt64(bitPattern: s.end))
        for a in s.attributes { w.message(9) { encode(a, &$0) } }
        for e in s.events {
            w.message(11) { ew in
                ew.fixed64Field(1, UInt64(bitPattern: e.time))
                ew.stringField(2, e.name)
                for a in e.attributes { ew.message(3) { encode(a, &$0) } }
            }
        }
        for l in s.links {
            w.message(13) { lw in
                lw.bytesField(1, l.traceID.bytes)
                lw.bytesField(2, l.spanID.bytes)
                lw.stringField(3, l.traceState)
                for a in l.attributes { lw.message(4) { encode(a, &$0) } }
            }
        }
        if s.status != .unset || !s.statusMessage.isEmpty {
            w.message(15) {
                $0.stringField(2, s.statusMessage)
                $0.varintField(3, UInt64(s.status.rawValue))
            }
        }
        w.fixed32Field(16, s.flags)
    }

    static func encode(_ a: Attribute, _ w: inout ProtoWriter) {
        w.stringField(1, a.key)
        w.message(2) { encode(a.value, &$0) }
    }

    static func encode(_ v: AttributeValue, _ w: inout ProtoWriter) {
        switch v {
        case .string(let s): w.stringField(1, s, always: true)
        case .bool(let b):
            w.key(2, 0)
            w.varint(b ? 1 : 0)
        case .int(let i):
            w.key(3, 0)
            w.varint(UInt64(bitPattern: i))
        case .double(let d):
            w.key(4, 1)
            withUnsafeBytes(of: d.bitPattern.littleEndian) { w.bytes.append(contentsOf: $0) }
        case .array(let items): w.message(5) { a in for i in items { a.message(1) { encode(i, &$0) } } }
        case .map(let items): w.message(6) { m in for i in items { m.message(1) { encode(i, &$0) } } }
        case .bytes(let b): w.bytesField(7, b, always: true)
        }
    }
}
