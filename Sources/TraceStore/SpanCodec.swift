import Storage

/// The binary encoding of spans used inside WAL records and block pages (see `TraceBlock+Format.md`).
///
/// ```
/// batches   := count uvarint, batch*
/// batch     := attributes(resource), scopeCount uvarint, scope*
/// scope     := name str, version str, attributes, spanCount uvarint, span*
/// span      := traceID 16 bytes, spanID u64, parent u64, traceState str, name str, kind u8, status u8,
///              statusMessage str, flags uvarint, start svarint, duration uvarint, attributes,
///              events (count, (time delta svarint, name str, attributes)*),
///              links (count, (traceID 16, spanID u64, traceState str, attributes)*)
/// attributes:= count uvarint, (key str, value)*
/// value     := tag u8 (0 string str | 1 int svarint | 2 double u64 | 3 bool u8 | 4 bytes blob
///                      | 5 array count value* | 6 map attributes)
/// ```
enum SpanCodec {
    static func encode(_ batches: [ResourceSpans], into w: inout ByteWriter) {
        w.uvarint(UInt64(batches.count))
        for b in batches {
            attributes(b.resource, &w)
            w.uvarint(UInt64(b.scopes.count))
            for s in b.scopes {
                w.string(s.scope.name)
                w.string(s.scope.version)
                attributes(s.scope.attributes, &w)
                w.uvarint(UInt64(s.spans.count))
                for span in s.spans { encode(span, &w) }
            }
        }
    }

    static func encode(_ s: Span, _ w: inout ByteWriter) {
        w.u64(s.traceID.high)
        w.u64(s.traceID.low)
        w.u64(s.spanID.value)
        w.u64(s.parentSpanID.value)
        w.string(s.traceState)
        w.string(s.name)
        w.u8(s.kind.rawValue)
        w.u8(s.status.rawValue)
        w.string(s.statusMessage)
        w.uvarint(UInt64(s.flags))
        w.svarint(s.start)
        w.svarint(s.end &- s.start)
        attributes(s.attributes, &w)
        w.uvarint(UInt64(s.events.count))
        for e in s.events {
            w.svarint(e.time &- s.start)
            w.string(e.name)
            attributes(e.attributes, &w)
        }
        w.uvarint(UInt64(s.links.count))
        for l in s.links {
            w.u64(l.traceID.high)
            w.u64(l.traceID.low)
            w.u64(l.spanID.value)
            w.string(l.traceState)
            attributes(l.attributes, &w)
        }
    }

    static func attributes(_ a: [Attribute], _ w: inout ByteWriter) {
        w.uvarint(UInt64(a.count))
        for kv in a {
            w.string(kv.key)
            value(kv.value, &w)
        }
    }

    static func value(_ v: AttributeValue, _ w: inout ByteWriter) {
        switch v {
        case .string(let s):
            w.u8(0)
            w.string(s)
        case .int(let i):
            w.u8(1)
            w.svarint(i)
        case .double(let d):
            w.u8(2)
            w.u64(d.bitPattern)
        case .bool(let b):
            w.u8(3)
            w.u8(b ? 1 : 0)
        case .bytes(let b):
            w.u8(4)
            w.blob(b)
        case .array(let a):
            w.u8(5)
            w.uvarint(UInt64(a.count))
            for x in a { value(x, &w) }
        case .map(let m):
            w.u8(6)
            attributes(m, &w)
        }
    }

    // MARK: Decoding

    static func decodeBatches(_ r: inout ByteReader) throws -> [ResourceSpans] {
        let n = try r.int()
        var out: [ResourceSpans] = []
        out.reserveCapacity(min(n, 1 << 16))
        for _ in 0..<n {
            let resource = try attributes(&r)
            let sc = try r.int()
            var scopes: [ScopeSpans] = []
            for _ in 0..<sc {
                let scope = InstrumentationScope(name: try r.string(), version: try r.string(), attributes: try attributes(&r))
                let count = try r.int()
                var spans: [Span] = []
                spans.reserveCapacity(min(count, 1 << 16))
                for _ in 0..<count { spans.append(try span(&r)) }
                scopes.append(ScopeSpans(scope: scope, spans: spans))
            }
            out.append(ResourceSpans(resource: resource, scopes: scopes))
        }
        return out
    }

    static func span(_ r: inout ByteReader) throws -> Span {
        let tid = TraceID(high: try r.u64(), low: try r.u64())
        let sid = SpanID(try r.u64())
        let parent = SpanID(try r.u64())
        let traceState = try r.string()
        let name = try r.string()
        var s = Span(traceID: tid, spanID: sid, parentSpanID: parent, name: name, start: 0, end: 0)
        s.traceState = traceState
        guard let kind = SpanKind(rawValue: try r.u8()), let status = StatusCode(rawValue: try r.u8()) else {
            throw DecodeError("span kind or status out of range")
        }
        s.kind = kind
        s.status = status
        s.statusMessage = try r.string()
        s.flags = UInt32(truncatingIfNeeded: try r.uvarint())
        s.start = try r.svarint()
        s.end = s.start &+ (try r.svarint())
        s.attributes = try attributes(&r)
        let ne = try r.int()
        for _ in 0..<ne {
            let t = s.start &+ (try r.svarint())
            s.events.append(SpanEvent(time: t, name: try r.string(), attributes: try attributes(&r)))
        }
        let nl = try r.int()
        for _ in 0..<nl {
            let t = TraceID(high: try r.u64(), low: try r.u64())
            let id = SpanID(try r.u64())
            s.links.append(SpanLink(traceID: t, spanID: id, traceState: try r.string(), attributes: try attributes(&r)))
        }
        return s
    }

    static func attributes(_ r: inout ByteReader) throws -> [Attribute] {
        let n = try r.int()
        var out: [Attribute] = []
        out.reserveCapacity(min(n, 256))
        for _ in 0..<n { out.append(Attribute(try r.string(), try value(&r, depth: 0))) }
        return out
    }

    static func value(_ r: inout ByteReader, depth: Int) throws -> AttributeValue {
        guard depth < 32 else { throw DecodeError("attribute value nested too deep") }
        switch try r.u8() {
        case 0: return .string(try r.string())
        case 1: return .int(try r.svarint())
        case 2: return .double(Double(bitPattern: try r.u64()))
        case 3: return .bool(try r.u8() != 0)
        case 4: return .bytes(try r.blob())
        case 5:
            let n = try r.int()
            var a: [AttributeValue] = []
            for _ in 0..<n { a.append(try value(&r, depth: depth + 1)) }
            return .array(a)
        case 6:
            let n = try r.int()
            var m: [Attribute] = []
            for _ in 0..<n { m.append(Attribute(try r.string(), try value(&r, depth: depth + 1))) }
            return .map(m)
        case let t: throw DecodeError("attribute value tag \(t)")
        }
    }
}
