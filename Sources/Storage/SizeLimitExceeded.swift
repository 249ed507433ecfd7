/// Decompressing a body would pass its size limit. Kept apart from corrupt-input errors so that servers answer
/// it as "too large" (HTTP 413) rather than as malformed input.
public struct SizeLimitExceeded: Error, CustomStringConvertible, Sendable, Equatable {
    /// What grew too large, e.g. "gzip body".
    public let what: String
    /// The limit in bytes.
    public let limit: Int

    public init(_ what: String, limit: Int) {
        self.what = what
        self.limit = limit
    }

    public var description: String { "\(what) is larger than the limit of \(limit) bytes" }
}
