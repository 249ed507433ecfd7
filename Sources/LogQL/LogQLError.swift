/// A query that cannot be parsed or run, with the byte offset in the query where the problem is.
public struct LogQLError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// Byte offset into the query, or nil when the error is not tied to a position.
    public let position: Int?

    public init(_ message: String, at position: Int? = nil) {
        self.message = message
        self.position = position
    }

    public var description: String {
        position.map { "parse error at position \($0 + 1): \(message)" } ?? message
    }

    /// The query, a caret under the failing position, and the message — for terminals.
    public func render(query: String) -> String {
        guard let p = position else { return description }
        let line = query.replacingTabsAndNewlines()
        let col = String(decoding: Array(line.utf8).prefix(p), as: UTF8.self).count
        return line + "\n" + String(repeating: " ", count: col) + "^\n" + description
    }
}

extension String {
    fileprivate func replacingTabsAndNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\t" ? " " : $0 })
    }
}
