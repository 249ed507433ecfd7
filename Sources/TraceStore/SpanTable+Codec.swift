import Storage

/// The byte form of a `SpanTable` (a block's search section, before compression); see `TraceBlock+Format.md`.
/// Columns are written one after another, each as a count and its values (ints as varints, ids as u64 pairs).
extension SpanTable {
    func encode() -> [UInt8] {
        var w = ByteWriter(capacity: spanCount * 24 + attrKey.count * 8 + 1024)
        w.uvarint(UInt64(strings.count))
        for s in strings { w.string(s) }
        w.uvarint(UInt64(traceIDs.count))
        for id in traceIDs {
            w.u64(id.high)
            w.u64(id.low)
        }
        Self.put(traceSpans, &w)
        Self.put(traceStart, &w)
        Self.put(traceEnd, &w)
        Self.put(traceRoot, &w)
        Self.put(groupService, &w)
        Self.put(groupResStart, &w)
        Self.put(groupResEnd, &w)
        Self.put(groupScopeEnd, &w)
        w.uvarint(UInt64(spanID.count))
        for x in spanID { w.u64(x) }
        Self.put(spanParent, &w)
        Self.put(spanGroup, &w)
        Self.put(spanName, &w)
        Self.put(spanKind, &w)
        Self.put(spanStatus, &w)
        Self.put(spanStatusMessage, &w)
        Self.put(spanStart, &w)
        Self.put(spanDuration, &w)
        Self.put(spanAttrStart, &w)
        Self.put(spanAttrEnd, &w)
        Self.put(attrScope, &w)
        Self.put(attrKey, &w)
        Self.put(attrType, &w)
        Self.put(attrValue, &w)
        return w.bytes
    }

    static func decode(_ raw: UnsafeRawBufferPointer) throws -> SpanTable {
        var r = ByteReader(raw)
        let t = SpanTable()
        let ns = try r.int()
        t.strings = []
        t.strings.reserveCapacity(ns)
        for _ in 0..<ns { t.strings.append(try r.string()) }
        let nt = try r.int()
        t.traceIDs.reserveCapacity(nt)
        for _ in 0..<nt { t.traceIDs.append(TraceID(high: try r.u64(), low: try r.u64())) }
        t.traceSpans = try get(&r)
        t.traceStart = try get(&r)
        t.traceEnd = try get(&r)
        t.traceRoot = try get(&r)
        t.groupService = try get(&r)
        t.groupResStart = try get(&r)
        t.groupResEnd = try get(&r)
        t.groupScopeEnd = try get(&r)
        let nsp = try r.int()
        t.spanID.reserveCapacity(nsp)
        for _ in 0..<nsp { t.spanID.append(try r.u64()) }
        t.spanParent = try get(&r)
        t.spanGroup = try get(&r)
        t.spanName = try get(&r)
        t.spanKind = try get(&r)
        t.spanStatus = try get(&r)
        t.spanStatusMessage = try get(&r)
        t.spanStart = try get(&r)
        t.spanDuration = try get(&r)
        t.spanAttrStart = try get(&r)
        t.spanAttrEnd = try get(&r)
        t.attrScope = try get(&r)
        t.attrKey = try get(&r)
        t.attrType = try get(&r)
        t.attrValue = try get(&r)
        try t.validate()
        return t
    }

    /// Rejects a table whose indexes point outside its columns, so a damaged block fails loudly at load instead
    /// of trapping in a search.
    private func validate() throws {
        let spans = spanID.count, groups = groupService.count, attrs = attrKey.count, strs = Int32(strings.count)
        guard traceSpans.count == traceIDs.count + 1, traceStart.count == traceIDs.count,
            traceEnd.count == traceIDs.count, traceRoot.count == traceIDs.count, traceSpans.last.map(Int.init) == spans,
            [groupResStart.count, groupResEnd.count, groupScopeEnd.count].allSatisfy({ $0 == groups }),
            [spanParent.count, spanGroup.count, spanName.count, spanKind.count, spanStatus.count,
             spanStatusMessage.count, spanStart.count, spanDuration.count, spanAttrStart.count, spanAttrEnd.count]
                .allSatisfy({ $0 == spans }),
            [attrScope.count, attrType.count, attrValue.count].allSatisfy({ $0 == attrs }),
            spanGroup.allSatisfy({ $0 >= 0 && Int($0) < groups }), spanParent.allSatisfy({ $0 >= -1 && Int($0) < spans }),
            traceRoot.allSatisfy({ $0 >= -1 && Int($0) < spans }),
            groupService.allSatisfy({ $0 >= 0 && $0 < strs }), spanName.allSatisfy({ $0 >= 0 && $0 < strs }),
            spanStatusMessage.allSatisfy({ $0 >= 0 && $0 < strs }), attrKey.allSatisfy({ $0 >= 0 && $0 < strs }),
            zip(spanAttrStart, spanAttrEnd).allSatisfy({ $0.0 >= 0 && $0.0 <= $0.1 && Int($0.1) <= attrs }),
            zip(groupResStart, groupScopeEnd).allSatisfy({ $0.0 >= 0 && $0.0 <= $0.1 && Int($0.1) <= attrs }),
            zip(groupResStart, groupResEnd).allSatisfy({ $0.0 <= $0.1 }),
            zip(attrType, attrValue).allSatisfy({ $0.0 != ValueType.string.rawValue || ($0.1 >= 0 && $0.1 < Int64(strs)) })
        else { throw DecodeError("search index columns are inconsistent") }
    }

    private static func put(_ a: [Int32], _ w: inout ByteWriter) {
        w.uvarint(UInt64(a.count))
        for x in a { w.svarint(Int64(x)) }
    }

    private static func put(_ a: [Int64], _ w: inout ByteWriter) {
        w.uvarint(UInt64(a.count))
        var prev: Int64 = 0
        for x in a {
            w.svarint(x &- prev)  // start times are close together: deltas keep them short
            prev = x
        }
    }

    private static func put(_ a: [UInt8], _ w: inout ByteWriter) {
        w.uvarint(UInt64(a.count))
        w.raw(a)
    }

    private static func get(_ r: inout ByteReader) throws -> [Int32] {
        let n = try r.int()
        guard n <= r.remaining else { throw DecodeError("column of \(n) values past the end of the search index") }
        var a = [Int32]()
        a.reserveCapacity(n)
        for _ in 0..<n {
            let v = try r.svarint()
            guard let x = Int32(exactly: v) else { throw DecodeError("search index value \(v) out of range") }
            a.append(x)
        }
        return a
    }

    private static func get(_ r: inout ByteReader) throws -> [Int64] {
        let n = try r.int()
        guard n <= r.remaining else { throw DecodeError("column of \(n) values past the end of the search index") }
        var a = [Int64]()
        a.reserveCapacity(n)
        var prev: Int64 = 0
        for _ in 0..<n {
            prev = prev &+ (try r.svarint())
            a.append(prev)
        }
        return a
    }

    private static func get(_ r: inout ByteReader) throws -> [UInt8] {
        let n = try r.int()
        return Array(try r.slice(n))
    }
}
