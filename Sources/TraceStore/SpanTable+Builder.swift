#if canImport(Glibc)
import Glibc
#endif
import Storage

extension SpanTable {
    /// Builds the index of `traces`, each given as the `SpanCodec` chunks it was stored as (head entries, block
    /// pages). Reads the bytes directly: no `Span` or `String` is made per span, strings are interned by their
    /// bytes and become `String`s once per distinct value.
    static func build(chunks traces: [(TraceID, [[UInt8]])]) throws -> SpanTable {
        var b = Builder()
        for (id, chunks) in traces { try b.add(id, chunks) }
        return b.finish()
    }

    /// Builds the index of decoded traces (encodes them first; for tests and tools).
    static func build(_ traces: [(TraceID, [ResourceSpans])]) -> SpanTable {
        var b = Builder()
        for (id, batches) in traces {
            var w = ByteWriter(capacity: 1024)
            SpanCodec.encode(batches, into: &w)
            try! b.add(id, [w.bytes])  // our own encoding always decodes
        }
        return b.finish()
    }

    struct Builder {
        let table = SpanTable()
        private var strings = ByteInterner()
        // Per-trace scratch, reused: span ids to their first row, parents in span order.
        private var byID: [UInt64: Int32] = [:]
        private var parents: [UInt64] = []
        private let serviceKey: Int32
        private let unknownService: Int32

        init() {
            serviceKey = strings.intern("service.name")
            unknownService = strings.intern("unknown_service")
        }

        mutating func finish() -> SpanTable {
            table.strings = strings.strings()
            return table
        }

        /// Reads `count, (key str, value)*` into attribute rows of `scope` (or past them when `record` is false).
        /// Returns the first row's string value id when its key is `service.name` (resources only).
        @discardableResult
        private mutating func attributes(_ r: inout ByteReader, _ scope: AttrScope, record: Bool = true,
                                         wantService: Bool = false) throws -> Int32? {
            let t = table
            var service: Int32? = nil
            var sawService = false
            for _ in 0..<(try r.int()) {
                let key = strings.intern(try r.slice(try r.int()))
                let tagAt = r.offset
                var type = ValueType.string
                var value: Int64
                switch try r.u8() {
                case 0: value = Int64(strings.intern(try r.slice(try r.int())))
                case 1:
                    type = .int
                    value = try r.svarint()
                case 2:
                    type = .double
                    value = Int64(bitPattern: try r.u64())
                case 3:
                    type = .bool
                    value = try r.u8() != 0 ? 1 : 0
                default:
                    // Bytes, arrays and maps are indexed as their text (rare: decoded the slow way).
                    r.offset = tagAt
                    value = Int64(strings.intern(try SpanCodec.value(&r, depth: 0).text))
                }
                if wantService && key == serviceKey && !sawService {
                    sawService = true
                    if type == .string { service = Int32(value) }
                }
                guard record else { continue }
                t.attrScope.append(scope.rawValue)
                t.attrKey.append(key)
                t.attrType.append(type.rawValue)
                t.attrValue.append(value)
            }
            return service
        }

        /// Adds one trace from its chunks. A span whose id and kind came before in the trace is left out (see
        /// `Trace.deduplicated`).
        mutating func add(_ id: TraceID, _ chunks: [[UInt8]]) throws {
            let t = table
            let first = t.spanID.count
            var lo = Int64.max, hi = Int64.min
            parents.removeAll(keepingCapacity: true)
            byID.removeAll(keepingCapacity: true)
            for chunk in chunks {
                try chunk.withUnsafeBytes { raw in
                    var r = ByteReader(raw)
                    for _ in 0..<(try r.int()) {
                        // A batch: its resource, then its scopes; each scope is a group with the resource's rows.
                        let resStart = t.attrKey.count
                        let service = try attributes(&r, .resource, wantService: true) ?? unknownService
                        let resEnd = t.attrKey.count
                        for sc in 0..<(try r.int()) {
                            let g = Int32(t.groupService.count)
                            t.groupService.append(service)
                            if sc == 0 {
                                t.groupResStart.append(Int32(resStart))
                                t.groupResEnd.append(Int32(resEnd))
                            } else {
                                let start = t.attrKey.count
                                t.attrScope.append(contentsOf: t.attrScope[resStart..<resEnd])
                                t.attrKey.append(contentsOf: t.attrKey[resStart..<resEnd])
                                t.attrType.append(contentsOf: t.attrType[resStart..<resEnd])
                                t.attrValue.append(contentsOf: t.attrValue[resStart..<resEnd])
                                t.groupResStart.append(Int32(start))
                                t.groupResEnd.append(Int32(t.attrKey.count))
                            }
                            _ = try r.slice(try r.int())  // scope name
                            _ = try r.slice(try r.int())  // scope version
                            try attributes(&r, .instrumentation)
                            t.groupScopeEnd.append(Int32(t.attrKey.count))
                            for _ in 0..<(try r.int()) { try span(&r, group: g, first: first, lo: &lo, hi: &hi) }
                        }
                    }
                }
            }
            let last = t.spanID.count
            // The root: the earliest span without a parent id; failing that, the earliest whose parent is missing.
            var root: Int32 = -1
            var rootHasNoParent = false
            for i in first..<last {
                let p = parents[i - first]
                if p != 0, let pi = byID[p], pi != Int32(i) {
                    t.spanParent[i] = pi
                    continue
                }
                let better = root < 0 || (p == 0 && !rootHasNoParent)
                    || ((p == 0) == rootHasNoParent && t.spanStart[i] < t.spanStart[Int(root)])
                if better {
                    root = Int32(i)
                    rootHasNoParent = p == 0
                }
            }
            t.traceIDs.append(id)
            t.traceSpans.append(Int32(last))
            t.traceStart.append(lo == .max ? 0 : lo)
            t.traceEnd.append(hi == .min ? 0 : hi)
            t.traceRoot.append(root)
        }

        /// One span (`SpanCodec.span`'s layout).
        private mutating func span(_ r: inout ByteReader, group g: Int32, first: Int, lo: inout Int64,
                                   hi: inout Int64) throws {
            let t = table
            _ = try r.slice(16)  // trace id
            let sid = try r.u64()
            let parent = try r.u64()
            _ = try r.slice(try r.int())  // trace state
            let name = try r.slice(try r.int())
            let kindRaw = try r.u8(), statusRaw = try r.u8()
            guard SpanKind(rawValue: kindRaw) != nil, StatusCode(rawValue: statusRaw) != nil else {
                throw DecodeError("span kind or status out of range")
            }
            let statusMessage = try r.slice(try r.int())
            _ = try r.uvarint()  // flags
            let start = try r.svarint()
            let duration = try r.svarint()
            var keep = true
            if byID[sid] == nil {
                byID[sid] = Int32(t.spanID.count)
            } else if (first..<t.spanID.count).contains(where: { t.spanID[$0] == sid && t.spanKind[$0] == kindRaw }) {
                keep = false  // rare: only ids seen before in the trace are scanned for
            }
            if keep {
                t.spanID.append(sid)
                t.spanParent.append(-1)
                t.spanGroup.append(g)
                t.spanName.append(strings.intern(name))
                t.spanKind.append(kindRaw)
                t.spanStatus.append(statusRaw)
                t.spanStatusMessage.append(statusMessage.isEmpty ? 0 : strings.intern(statusMessage))
                t.spanStart.append(start)
                t.spanDuration.append(duration)
                t.spanAttrStart.append(Int32(t.attrKey.count))
                parents.append(parent)
                lo = min(lo, start)
                hi = max(hi, start &+ duration)
            }
            try attributes(&r, .span, record: keep)
            for _ in 0..<(try r.int()) {
                _ = try r.svarint()  // time
                _ = try r.slice(try r.int())  // name
                try attributes(&r, .event, record: keep)
            }
            for _ in 0..<(try r.int()) {
                _ = try r.slice(24)  // trace id, span id
                _ = try r.slice(try r.int())  // trace state
                try attributes(&r, .link, record: keep)
            }
            if keep { t.spanAttrEnd.append(Int32(t.attrKey.count)) }
        }
    }
}

/// Distinct byte strings, numbered in order of first appearance (0 is ""): an open-addressing hash table over an
/// arena, so that interning a span's name or attribute costs a hash of its bytes and a `memcmp`, never a `String`.
struct ByteInterner {
    private var arena: [UInt8] = []
    private var ends: [Int] = [0]  // string i ≥ 1 is arena[ends[i-1]..<ends[i]]; string 0 is ""
    private var hashes: [UInt64] = [0]
    private var slots = [Int32](repeating: -1, count: 1024)

    mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    mutating func intern(_ b: UnsafeRawBufferPointer) -> Int32 {
        if b.isEmpty { return 0 }
        let h = Self.hash(b)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s < 0 { break }
            if hashes[Int(s)] == h && equal(Int(s), b) { return s }
            i = (i + 1) & mask
        }
        let id = Int32(hashes.count)
        arena.append(contentsOf: b)
        ends.append(arena.count)
        hashes.append(h)
        slots[i] = id
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    private func equal(_ s: Int, _ b: UnsafeRawBufferPointer) -> Bool {
        let start = ends[s - 1], end = ends[s]
        guard end - start == b.count else { return false }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + start, b.baseAddress!, b.count) == 0 }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for id in 1..<hashes.count {
            var i = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
    }

    /// The strings, in id order.
    func strings() -> [String] {
        var out: [String] = [""]
        out.reserveCapacity(hashes.count)
        arena.withUnsafeBytes { a in
            for id in 1..<hashes.count {
                out.append(String(decoding: UnsafeRawBufferPointer(rebasing: a[ends[id - 1]..<ends[id]]), as: UTF8.self))
            }
        }
        return out
    }

    /// 8 bytes at a time, multiply-xorshift mixing; well spread for the short ASCII strings of spans.
    @inline(__always) static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(b.count)
        var i = 0
        while i + 8 <= b.count {
            h = (h ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < b.count {
            tail |= UInt64(b[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h
    }
}
