import Foundation
import Hummingbird
import Ingest
import LogStore
import Storage

extension LokiAPI {
    /// `POST /loki/api/v1/push`: JSON or protobuf+snappy (the default of Promtail, Alloy and most clients), either
    /// optionally gzip-encoded. 204 only after the batch is in the WAL and fsync'd.
    func addPushRoutes(_ router: Router<BasicRequestContext>) {
        router.post("/loki/api/v1/push") { request, _ -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let body = try await request.collectBody(upTo: self.options.maxBodyBytes)
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            let encoding = request.headers[.contentEncoding]?.lowercased() ?? ""
            let limits = self.store.options.limits
            let maxBody = self.options.maxBodyBytes
            let push: PushRequest
            do {
                push = try body.withUnsafeReadableBytes { raw -> PushRequest in
                    var inflated: [UInt8]?
                    switch encoding {
                    case "", "identity": break
                    case "gzip", "x-gzip", "deflate": inflated = try Gzip.decompress(raw, maxOutput: maxBody)
                    default: throw APIError(.unsupportedMediaType, "unsupported Content-Encoding \(encoding)")
                    }
                    func decode(_ b: UnsafeRawBufferPointer) throws -> PushRequest {
                        if contentType.hasPrefix("application/json") {
                            return try PushJSONDecoder.decode(b, limits: limits)
                        }
                        // Loki treats any other content type (or none) as snappy-compressed protobuf.
                        let proto = try Snappy.decompress(b, maxOutput: maxBody)
                        return try proto.withUnsafeBytes { try PushProtobufDecoder.decode($0, limits: limits) }
                    }
                    if let inflated { return try inflated.withUnsafeBytes(decode) }
                    return try decode(raw)
                }
            } catch let e as APIError {
                throw e
            } catch let e as SizeLimitExceeded {
                self.metrics.recordPushRejected(reason: "too_large")
                throw APIError.bodyTooLarge(e)
            } catch {
                self.metrics.recordPushRejected(reason: "malformed")
                throw APIError.badRequest("\(error)")
            }
            if push.streams.isEmpty { return Response(status: .noContent) }
            let store = self.store
            let enforce = self.options.enforceIngestionRate
            do {
                try await BlockingWork.run { try store.append(tenant: tenant, push.streams, enforceRate: enforce) }
            } catch let e as RateLimitError {
                self.metrics.recordPushRejected(reason: "rate_limited")
                throw APIError(.tooManyRequests, e.description)
            } catch let e as ValidationError {
                self.metrics.recordPushRejected(reason: "invalid")
                throw APIError.badRequest(e.description)
            }
            return Response(status: .noContent)
        }
    }
}
