/// A request body that is not valid OTLP, Zipkin or TraceStore data; says what and where.
public struct TraceDecodeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
