import LogStore

/// Gathers the entries of one append, per tenant and stream. Streams get small integer slots that stay valid
/// across batches, so a file looks its stream up by index instead of hashing a label set per line.
final class BatchBuilder {
    struct Slot {
        let tenant: String
        let labels: LabelSet
        var batch = EntryBatch()
        /// The batch's structured-metadata name ids by field (`MetadataField` bit index), `UInt32.max` until the
        /// field's first pair: a name is interned once per batch instead of looked up by string per pair.
        var nameIDs = [UInt32](repeating: .max, count: 8)
    }

    private(set) var slots: [Slot] = []
    private var slotByStream: [String: [LabelSet: Int]] = [:]
    private(set) var bytes = 0
    private(set) var entries = 0

    /// The slot of a stream, created on first use.
    func slot(tenant: String, labels: LabelSet) -> Int {
        if let s = slotByStream[tenant]?[labels] { return s }
        slots.append(Slot(tenant: tenant, labels: labels))
        slotByStream[tenant, default: [:]][labels] = slots.count - 1
        return slots.count - 1
    }

    /// Adds an entry to a stream's batch; `metadata` then adds its structured-metadata pairs to the same batch
    /// (one access to the slot per entry).
    @inline(__always)
    func add(slot: Int, timestamp: Int64, line: UnsafeRawBufferPointer,
             metadata: (inout EntryBatch, inout [UInt32]) -> Void) {
        BatchBuilder.append(&slots[slot], timestamp, line, metadata)
        bytes += line.count
        entries += 1
    }

    @inline(__always)
    private static func append(_ s: inout Slot, _ timestamp: Int64, _ line: UnsafeRawBufferPointer,
                               _ metadata: (inout EntryBatch, inout [UInt32]) -> Void) {
        s.batch.append(timestamp: timestamp, line: line)
        metadata(&s.batch, &s.nameIDs)
    }

    var isEmpty: Bool { entries == 0 }

    /// The batch per tenant, in the shape `LogStore.append` takes.
    func byTenant() -> [String: [(LabelSet, EntryBatch)]] {
        var out: [String: [(LabelSet, EntryBatch)]] = [:]
        for s in slots where !s.batch.isEmpty { out[s.tenant, default: []].append((s.labels, s.batch)) }
        return out
    }

    /// Empties every stream's batch for the next append, keeping the slots. The appended batch's buffers now
    /// belong to the store's head, so the next batch gets new ones, sized like the last batch's (an eighth more)
    /// so that they are not regrown, and copied, step by step while the batch fills.
    func reset() {
        for i in slots.indices where !slots[i].batch.isEmpty {
            let last = slots[i].batch
            var next = EntryBatch()
            next.reserve(entries: last.count + last.count / 8, bytes: last.text.capacity)
            if let md = last.metadata {
                next.reserveMetadata(entries: md.count + md.count / 8, pairs: md.pairCount + md.pairCount / 8,
                                     valueBytes: md.values.count + md.values.count / 8)
            }
            slots[i].batch = next
            for k in slots[i].nameIDs.indices { slots[i].nameIDs[k] = .max }
        }
        bytes = 0
        entries = 0
    }
}
