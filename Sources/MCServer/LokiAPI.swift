import Foundation
import Hummingbird
import Ingest
import LogQL
import LogStore

/// The state behind mclog's Loki-compatible HTTP API: the store, the LogQL engine, limits and counters.
/// Routes live in `LokiAPI+<Area>.swift`; `LokiServer` puts them on a Hummingbird router.
public final class LokiAPI: Sendable {
    public let store: LogStore
    let engine: Engine
    let options: ServerOptions
    let tenancy: Tenancy
    let metrics = ServerMetrics()
    let gate: QueryGate
    /// Shown by `/config`; set by the caller that loaded the configuration.
    let configText: String
    /// The file tailers running in this process (`mclog serve --config` with sources), for `/metrics`.
    let tailers: IngestRunner?

    public init(store: LogStore, options: ServerOptions, configText: String = "", tailers: IngestRunner? = nil) {
        self.store = store
        self.engine = Engine(store: store)
        self.options = options
        self.tenancy = Tenancy(auth: options.auth)
        self.gate = QueryGate(maxRunning: options.maxConcurrentQueriesPerTenant,
                              maxQueued: options.maxQueuedQueriesPerTenant)
        self.configText = configText
        self.tailers = tailers
    }

    /// A router with every route of the API, wrapped in the error and metrics middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware(metrics: metrics))
        addPushRoutes(router)
        addQueryRoutes(router)
        addLabelRoutes(router)
        addIndexRoutes(router)
        addPatternRoutes(router)
        addAdminRoutes(router)
        return router
    }

    /// The request's parameters from its URL and, for a form POST, its body.
    func parameters(_ request: Request) async throws -> FormParameters {
        var form: String?
        if request.method == .post,
            request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        {
            let body = try await request.collectBody(upTo: options.maxBodyBytes)
            form = String(buffer: body)
        }
        return FormParameters(query: request.uri.query, form: form)
    }
}

/// Counts requests by route and status and times them, for `/metrics`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, status: Int(response.status.code),
                              seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        return response
    }
}
