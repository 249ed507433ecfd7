import LogStore

/// Runs one log query over entries as they are appended, outside the store's read path: used by live tail.
/// Not thread-safe; one caller at a time.
public final class LiveFilter {
    public let query: LogQuery
    private let pipeline: Pipeline

    public init(_ query: LogQuery) throws {
        self.query = query
        self.pipeline = try Pipeline(query)
    }

    /// Whether a stream's labels satisfy the selector.
    public func matches(stream: LabelSet) -> Bool { query.matchers.allSatisfy { $0.matches(stream) } }

    /// The entry's labels and line after the pipeline, or nil when a stage drops it. The stream must match.
    public func process(stream: LabelSet, metadata: [Label], timestamp: Int64, line: UnsafeRawBufferPointer)
        -> (labels: [Label], line: String)?
    {
        guard pipeline.run(stream: stream, metadata: metadata, timestamp: timestamp, line: line) else { return nil }
        let text = pipeline.rewritten.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: line, as: UTF8.self)
        return (pipeline.labels.labels(), text)
    }
}
