/// An import input that does not have the expected shape; the message names the field that is missing or wrong.
public struct ImportFormatError: Error, CustomStringConvertible {
    /// What is missing or wrong, e.g. `missing "line"` or `"timestamp" "yesterday" is neither RFC 3339 nor Unix ns`.
    public var message: String

    /// An error with the given message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
