import LogStore

/// A decoded Loki push body: streams of entries, ready for `LogStore.append`.
///
/// Entries of the same label set are merged into one batch, whatever order the client sent them in.
public struct PushRequest: Sendable {
    public private(set) var streams: [(LabelSet, EntryBatch)] = []
    private var index: [LabelSet: Int] = [:]

    public init() {}

    public var entryCount: Int { streams.reduce(0) { $0 + $1.1.count } }
    public var rawBytes: Int { streams.reduce(0) { $0 + $1.1.rawBytes } }

    mutating func batchIndex(for labels: LabelSet) -> Int {
        if let i = index[labels] { return i }
        streams.append((labels, EntryBatch()))
        index[labels] = streams.count - 1
        return streams.count - 1
    }

    mutating func append(to i: Int, timestamp: Int64, line: UnsafeRawBufferPointer, metadata: [Label]) {
        streams[i].1.append(timestamp: timestamp, line: line, metadata: metadata)
    }
}

/// Why a push body was rejected; the server answers 400 with this text.
public struct PushDecodeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
