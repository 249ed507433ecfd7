import Storage

/// The search index of a block (or of the head): every span's searchable fields in dictionary-encoded
/// columns — service, name, kind, status, start, duration, parent, and attributes of the span, its resource,
/// instrumentation scope, events and links. A search compiles its strings to dictionary ids once and then
/// compares integers, without decompressing a single page of spans.
///
/// Attribute rows carry their scope; a span's own rows (span, event, link) are `spanAttrStart[s]..<spanAttrEnd[s]`,
/// its resource's rows `groupResStart[g]..<groupResEnd[g]` and its instrumentation scope's
/// `groupResEnd[g]..<groupScopeEnd[g]` for `g = spanGroup[s]` (a group is one batch's one scope).
final class SpanTable: @unchecked Sendable {
    enum AttrScope: UInt8 { case span = 0, resource = 1, event = 2, link = 3, instrumentation = 4 }
    enum ValueType: UInt8 { case string = 0, int = 1, double = 2, bool = 3 }

    var strings: [String] = [""]

    var traceIDs: [TraceID] = []
    /// `traceSpans[t]..<traceSpans[t+1]` are trace `t`'s spans.
    var traceSpans: [Int32] = [0]
    var traceStart: [Int64] = []
    var traceEnd: [Int64] = []
    /// Index of the root span (no parent, or a parent not in the trace), or -1.
    var traceRoot: [Int32] = []

    var groupService: [Int32] = []
    var groupResStart: [Int32] = []
    var groupResEnd: [Int32] = []
    var groupScopeEnd: [Int32] = []

    var spanID: [UInt64] = []
    var spanParent: [Int32] = []
    var spanGroup: [Int32] = []
    var spanName: [Int32] = []
    var spanKind: [UInt8] = []
    var spanStatus: [UInt8] = []
    var spanStatusMessage: [Int32] = []
    var spanStart: [Int64] = []
    var spanDuration: [Int64] = []
    var spanAttrStart: [Int32] = []
    var spanAttrEnd: [Int32] = []

    var attrScope: [UInt8] = []
    var attrKey: [Int32] = []
    var attrType: [UInt8] = []
    /// String: dictionary id; int: the value; double: its bit pattern; bool: 0 or 1.
    var attrValue: [Int64] = []

    private var lookup: [String: Int32]?
    private let lookupLock = NSLockLike()

    var traceCount: Int { traceIDs.count }
    var spanCount: Int { spanID.count }

    /// Bytes of memory the columns take (for the cache budget).
    var memoryBytes: Int {
        strings.reduce(0) { $0 + $1.utf8.count + 16 } + traceIDs.count * 44 + groupService.count * 16
            + spanID.count * 54 + attrKey.count * 14
    }

    /// The dictionary id of `s`, or nil when no span in the table has that string anywhere.
    func id(of s: String) -> Int32? {
        lookupLock.lock()
        defer { lookupLock.unlock() }
        if lookup == nil {
            var m: [String: Int32] = [:]
            m.reserveCapacity(strings.count)
            for (i, x) in strings.enumerated() { m[x] = Int32(i) }
            lookup = m
        }
        return lookup![s]
    }

    func service(ofSpan s: Int) -> Int32 { groupService[Int(spanGroup[s])] }

    // MARK: Building

    /// Builds the index of `traces` (each trace's spans, in any number of batches).
    static func build(_ traces: [(TraceID, [ResourceSpans])]) -> SpanTable {
        var b = Builder()
        for (id, batches) in traces { b.add(id, batches) }
        return b.table
    }

    struct Builder {
        let table = SpanTable()
        var dict: [String: Int32] = ["": 0]
        // Per-trace scratch, reused: span ids to their first row, parents in span order.
        private var byID: [UInt64: Int32] = [:]
        private var parents: [UInt64] = []

        mutating func str(_ s: String) -> Int32 {
            if let i = dict[s] { return i }
            let i = Int32(table.strings.count)
            table.strings.append(s)
            dict[s] = i
            return i
        }

        mutating func attrs(_ a: [Attribute], _ scope: AttrScope) {
            let t = table
            for kv in a {
                t.attrScope.append(scope.rawValue)
                t.attrKey.append(str(kv.key))
                switch kv.value {
                case .string(let s):
                    t.attrType.append(ValueType.string.rawValue)
                    t.attrValue.append(Int64(str(s)))
                case .int(let i):
                    t.attrType.append(ValueType.int.rawValue)
                    t.attrValue.append(i)
                case .double(let d):
                    t.attrType.append(ValueType.double.rawValue)
                    t.attrValue.append(Int64(bitPattern: d.bitPattern))
                case .bool(let b):
                    t.attrType.append(ValueType.bool.rawValue)
                    t.attrValue.append(b ? 1 : 0)
                case .bytes, .array, .map:
                    t.attrType.append(ValueType.string.rawValue)
                    t.attrValue.append(Int64(str(kv.value.text)))
                }
            }
        }

        /// Adds one trace; a span whose id and kind came before in the trace is left out (see
        /// `Trace.deduplicated`).
        mutating func add(_ id: TraceID, _ batches: [ResourceSpans]) {
            let t = table
            let first = t.spanID.count
            var lo = Int64.max, hi = Int64.min
            parents.removeAll(keepingCapacity: true)
            byID.removeAll(keepingCapacity: true)
            for b in batches {
                for sc in b.scopes {
                    t.groupService.append(str(b.serviceName))
                    t.groupResStart.append(Int32(t.attrKey.count))
                    attrs(b.resource, .resource)
                    t.groupResEnd.append(Int32(t.attrKey.count))
                    attrs(sc.scope.attributes, .instrumentation)
                    t.groupScopeEnd.append(Int32(t.attrKey.count))
                    let g = Int32(t.groupService.count - 1)
                    for s in sc.spans {
                        if byID[s.spanID.value] == nil {
                            byID[s.spanID.value] = Int32(t.spanID.count)
                        } else if (first..<t.spanID.count).contains(where: {
                            t.spanID[$0] == s.spanID.value && t.spanKind[$0] == s.kind.rawValue
                        }) {
                            continue  // rare: only ids seen before in the trace are scanned for
                        }
                        t.spanID.append(s.spanID.value)
                        t.spanParent.append(-1)
                        t.spanGroup.append(g)
                        t.spanName.append(str(s.name))
                        t.spanKind.append(s.kind.rawValue)
                        t.spanStatus.append(s.status.rawValue)
                        t.spanStatusMessage.append(str(s.statusMessage))
                        t.spanStart.append(s.start)
                        t.spanDuration.append(s.duration)
                        t.spanAttrStart.append(Int32(t.attrKey.count))
                        attrs(s.attributes, .span)
                        for e in s.events { attrs(e.attributes, .event) }
                        for l in s.links { attrs(l.attributes, .link) }
                        t.spanAttrEnd.append(Int32(t.attrKey.count))
                        parents.append(s.parentSpanID.value)
                        lo = min(lo, s.start)
                        hi = max(hi, s.end)
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
    }

    func resourceRange(group g: Int) -> Range<Int> { Int(groupResStart[g])..<Int(groupResEnd[g]) }
    func scopeRange(group g: Int) -> Range<Int> { Int(groupResEnd[g])..<Int(groupScopeEnd[g]) }
    func spanRange(span s: Int) -> Range<Int> { Int(spanAttrStart[s])..<Int(spanAttrEnd[s]) }
}

/// A tiny lock without Foundation in the signature.
final class NSLockLike: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func lock() { pthread_mutex_lock(&m) }
    func unlock() { pthread_mutex_unlock(&m) }
}

#if canImport(Glibc)
import Glibc
#endif
