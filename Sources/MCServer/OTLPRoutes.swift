import Foundation
import Hummingbird
import Storage
import TraceStore

extension TempoAPI {
    /// `POST /v1/traces` (OTLP/HTTP, protobuf or JSON, optionally gzip) and `POST /api/v2/spans` (Zipkin v2 JSON).
    /// The answer comes after the spans are in the WAL and fsync'd. Spans that break a limit are rejected and
    /// reported in OTLP's `partialSuccess` (the rest is stored); for Zipkin, which has no partial answer, as a
    /// 400 saying how many were stored.
    func addOTLPRoutes(_ router: Router<BasicRequestContext>) {
        router.post("/v1/traces") { request, _ -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            let json = contentType.hasPrefix("application/json")
            guard json || contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf")
            else {
                throw APIError(.unsupportedMediaType,
                               "unsupported Content-Type \"\(contentType)\": OTLP/HTTP takes application/x-protobuf or application/json")
            }
            let store = self.store
            let limits = store.options.limits
            // Protobuf goes straight to the stored chunks (no `Span` values); JSON is decoded, then split.
            let traces = try await self.decodeBody(request) {
                json ? SplitTraces(try OTLPJSON.decode($0), limits: limits) : try OTLPProtobuf.decodeTraces($0, limits: limits)
            }
            let result = try await self.append(tenant: tenant, traces, store: store)
            if json {
                guard result.rejectedSpans > 0 else { return .json("{}") }
                return .json("{\"partialSuccess\":{\"rejectedSpans\":\"\(result.rejectedSpans)\",\"errorMessage\":"
                             + jsonQuote(result.message) + "}}")
            }
            return Self.protobufOTLP(OTLPProtobuf.exportResponse(rejectedSpans: result.rejectedSpans, message: result.message))
        }
        router.post("/api/v2/spans") { request, _ -> Response in
            let tenant = try self.tenancy.tenant(of: request)
            let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
            guard contentType.hasPrefix("application/json") else {
                throw APIError(.unsupportedMediaType, "unsupported Content-Type \"\(contentType)\": Zipkin v2 takes application/json")
            }
            let limits = self.store.options.limits
            let traces = try await self.decodeBody(request) { SplitTraces(try ZipkinJSON.decode($0), limits: limits) }
            let result = try await self.append(tenant: tenant, traces, store: self.store)
            if result.rejectedSpans > 0 {
                throw APIError.badRequest(
                    "\(result.rejectedSpans) spans rejected (\(result.acceptedSpans) stored): \(result.message)")
            }
            return Response(status: .accepted)
        }
    }

    static func protobufOTLP(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/x-protobuf"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Collects the body (at most `maxBodyBytes`, after gzip), and decodes it; malformed input is a 400 naming
    /// the problem.
    func decodeBody(_ request: Request, _ decode: @escaping (UnsafeRawBufferPointer) throws -> SplitTraces)
        async throws -> SplitTraces
    {
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? ""
        let maxBody = maxBodyBytes
        do {
            return try body.withUnsafeReadableBytes { raw -> SplitTraces in
                switch encoding {
                case "", "identity": return try decode(raw)
                case "gzip", "x-gzip", "deflate":
                    return try Gzip.decompress(raw, maxOutput: maxBody).withUnsafeBytes { try decode($0) }
                default: throw APIError(.unsupportedMediaType, "unsupported Content-Encoding \(encoding)")
                }
            }
        } catch let e as APIError {
            throw e
        } catch let e as SizeLimitExceeded {
            throw APIError.bodyTooLarge(e)
        } catch {
            throw APIError.badRequest("\(error)")
        }
    }

    func append(tenant: String, _ traces: SplitTraces, store: TraceStore) async throws -> TraceAppendResult {
        do {
            return try await BlockingWork.run { try store.append(tenant: tenant, traces) }
        } catch let e as TraceStoreError {
            throw APIError.badRequest(e.description)
        }
    }
}
