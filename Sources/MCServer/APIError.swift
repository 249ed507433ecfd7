import Hummingbird

/// An error answered with an HTTP status and Loki's `{"message": "..."}` body.
public struct APIError: Error, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    static func badRequest(_ m: String) -> APIError { APIError(.badRequest, m) }

    var response: Response { Response.json(status: status, "{\"message\":" + JSONText.quote(message) + "}") }
}

extension Response {
    /// A JSON response from already-encoded text.
    static func json(status: HTTPResponse.Status = .ok, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"status":"success","data":<data>}` around already-encoded bytes, copied once into the response buffer.
    static func jsonSuccess(_ data: [UInt8]) -> Response {
        let head: StaticString = "{\"status\":\"success\",\"data\":"
        var buffer = ByteBufferAllocator().buffer(capacity: data.count + head.utf8CodeUnitCount + 1)
        buffer.writeStaticString(head)
        buffer.writeBytes(data)
        buffer.writeInteger(UInt8(ascii: "}"))
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: buffer))
    }

    static func text(status: HTTPResponse.Status = .ok, _ text: String, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Turns every error a route throws into `{"message": ...}` with the right status, so that clients never see an
/// empty body or Hummingbird's own error shape.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            metrics.recordError(status: Int(e.status.code))
            return e.response
        } catch let e as HTTPError {
            metrics.recordError(status: Int(e.status.code))
            let message = e.body ?? (e.status == .notFound ? "404 page not found" : e.status.reasonPhrase)
            return APIError(e.status, message).response
        } catch {
            metrics.recordError(status: 500)
            return APIError(.internalServerError, "\(error)").response
        }
    }
}
