import Foundation
import Hummingbird
import Storage
import TraceStore

/// mclog's Tempo-compatible trace API over a `TraceStore`: OTLP/HTTP and Zipkin ingest
/// (`OTLPRoutes.swift`), trace by id (here), search and tags (`TempoAPI+Search.swift`). Tenancy and
/// authentication are the Loki API's (`Tenancy`): `X-Scope-OrgID`, or the tenant of the credentials.
public final class TempoAPI: Sendable {
    public let store: TraceStore
    let tenancy: Tenancy
    let maxBodyBytes: Int

    public init(store: TraceStore, options: ServerOptions) {
        self.store = store
        self.tenancy = Tenancy(auth: options.auth)
        self.maxBodyBytes = options.maxBodyBytes
    }

    /// Adds every trace route (ingest and query) to the API port's router.
    public func addRoutes(_ router: Router<BasicRequestContext>) {
        addOTLPRoutes(router)
        addTraceRoutes(router)
        addSearchRoutes(router)
    }

    /// A router with only the OTLP ingest route, for the separate OTLP listener (`--otlp-listen`, 4318).
    public func otlpRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(metrics: ServerMetrics()))
        addOTLPRoutes(router)
        return router
    }

    func addTraceRoutes(_ router: Router<BasicRequestContext>) {
        // v1: `{"batches":[…]}` with base64 ids, as Tempo's protobuf-JSON marshalling writes them;
        // `Accept: application/protobuf` gets the `tempopb.Trace` bytes Grafana asks for.
        router.get("/api/traces/:id") { request, context -> Response in
            let (trace, protobuf) = try await self.lookup(request, context)
            if protobuf {
                return Self.protobuf(OTLPProtobuf.encode(trace.batches))
            }
            return .json("{\"batches\":" + OTLPJSON.encode(trace.batches, ids: .base64) + "}")
        }
        // v2: `{"trace":{"resourceSpans":[…]},"status":"complete"}` (Tempo's TraceByIDResponse).
        router.get("/api/v2/traces/:id") { request, context -> Response in
            let (trace, protobuf) = try await self.lookup(request, context)
            if protobuf {
                var w = [UInt8]()
                let inner = OTLPProtobuf.encode(trace.batches)
                w.append(0x0A)  // field 1 (trace), length-delimited
                var n = UInt64(inner.count)
                while n >= 0x80 {
                    w.append(UInt8(truncatingIfNeeded: n) | 0x80)
                    n >>= 7
                }
                w.append(UInt8(n))
                return Self.protobuf(w + inner)
            }
            return .json("{\"trace\":{\"resourceSpans\":" + OTLPJSON.encode(trace.batches, ids: .base64)
                         + "},\"status\":\"complete\"}")
        }
        router.get("/api/echo") { _, _ -> Response in .text("echo") }
    }

    static func protobuf(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/protobuf"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The trace named in the path, for the request's tenant; 404 `trace not found` like Tempo.
    func lookup(_ request: Request, _ context: BasicRequestContext) async throws -> (Trace, Bool) {
        let tenant = try tenancy.tenant(of: request)
        let text = context.parameters.get("id") ?? ""
        guard let id = TraceID(hex: text) else {
            throw APIError.badRequest("invalid trace id \"\(text)\": want up to 32 hex digits")
        }
        let store = self.store
        let trace = try await BlockingWork.run { try store.trace(tenant: tenant, id: id) }
        guard let trace else { throw APIError(.notFound, "trace not found") }
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return (trace, accept.contains("application/protobuf") || accept.contains("application/x-protobuf"))
    }
}
