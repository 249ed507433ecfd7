import Foundation

extension PostMortem {
    /// The post-mortem as JSON (times as Unix ns integers, keys sorted), for tools and the HTTP API.
    public func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
    }
}
