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

    // MARK: Building (SpanTable+Builder.swift)

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
