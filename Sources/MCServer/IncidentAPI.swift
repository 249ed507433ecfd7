import Foundation
import Hummingbird
import Incidents
import LogQL
import LogStore

/// mclog's incident API: the Alertmanager webhook (`IncidentAPI+Alerts.swift`) and the incidents, their
/// correlated timeline, post-mortem and notes (here). Tenancy and authentication are the Loki API's (`Tenancy`):
/// each tenant has its own incidents, and nothing crosses tenants. The store is any `IncidentStore` (embedded
/// files or PostgreSQL), opened per tenant by `stores`.
public final class IncidentAPI: Sendable {
    let stores: @Sendable (String) throws -> any IncidentStore
    let engine: Engine
    let rules: [DetectionRule]
    let traces: TraceEvidenceSource?
    let tenancy: Tenancy
    let maxBodyBytes: Int
    /// Correlating a post-mortem is query work: it runs under the query timeout and holds a query slot of the tenant.
    let queryTimeoutSeconds: Double
    let maxConcurrentQueries: Int
    let maxQueuedQueries: Int
    /// Searched before and after an incident's window when correlating it.
    let margin: Int64

    /// - Parameters:
    ///   - stores: the incident store of a tenant.
    ///   - logs: the log store the correlator reads (through the LogQL engine, as the query API does).
    ///   - rules: the detection rules whose hits and hints the post-mortems include.
    ///   - traces: trace evidence (the span store), if any.
    public init(stores: @escaping @Sendable (String) throws -> any IncidentStore, logs: LogStore, rules: [DetectionRule],
                traces: TraceEvidenceSource?, options: ServerOptions, margin: Int64 = 15 * 60_000_000_000) {
        self.stores = stores
        self.engine = Engine(store: logs)
        self.rules = rules
        self.traces = traces
        self.tenancy = Tenancy(auth: options.auth)
        self.maxBodyBytes = options.maxBodyBytes
        self.queryTimeoutSeconds = options.queryTimeoutSeconds
        self.maxConcurrentQueries = options.maxConcurrentQueriesPerTenant
        self.maxQueuedQueries = options.maxQueuedQueriesPerTenant
        self.margin = margin
    }

    /// Adds the webhook and incident routes to the API port's router, with query slots of their own.
    public func addRoutes(_ router: Router<BasicRequestContext>) {
        addRoutes(router, gate: QueryGate(maxRunning: maxConcurrentQueries, maxQueued: maxQueuedQueries))
    }

    /// Adds the routes; post-mortems and timelines take their query slots from `gate` (`LokiServer` passes the
    /// Loki API's, so a tenant's limit counts both kinds of query).
    func addRoutes(_ router: Router<BasicRequestContext>, gate: QueryGate) {
        addAlertRoutes(router)
        router.get("/api/v1/incidents") { request, _ -> Response in
            let store = try self.store(for: request)
            let filter = try Self.filter(FormParameters(query: request.uri.query))
            let list = try await BlockingWork.run { try store.list(filter) }
            return .json("{\"incidents\":" + (try Self.encode(list)) + "}")
        }
        router.get("/api/v1/incidents/:id") { request, context -> Response in
            let incident = try await self.incident(request, context)
            return .json(try Self.encode(incident))
        }
        router.get("/api/v1/incidents/:id/timeline") { request, context -> Response in
            let incident = try await self.incident(request, context)
            let pm = try await self.postMortem(incident, tenant: try self.tenancy.tenant(of: request), gate: gate)
            return .json("{\"id\":" + JSONText.quote(incident.id.description) + ",\"timeline\":" + (try Self.encode(pm.timeline)) + "}")
        }
        router.get("/api/v1/incidents/:id/postmortem") { request, context -> Response in
            let format = FormParameters(query: request.uri.query, form: nil)["format"] ?? "md"
            guard ["md", "markdown", "html", "json"].contains(format) else {
                throw APIError.badRequest("invalid format \"\(format)\": want md, html or json")
            }
            let incident = try await self.incident(request, context)
            let pm = try await self.postMortem(incident, tenant: try self.tenancy.tenant(of: request), gate: gate)
            switch format {
            case "html": return .text(pm.html(), contentType: "text/html; charset=utf-8")
            case "json": return .json(try pm.json())
            default: return .text(pm.markdown(), contentType: "text/markdown; charset=utf-8")
            }
        }
        router.post("/api/v1/incidents/:id/notes") { request, context -> Response in
            let store = try self.store(for: request)
            let id = try Self.id(context)
            let note = try await self.note(request)
            do {
                let updated = try await BlockingWork.run { try store.addNote(id, note) }
                return .json(status: .created, try Self.encode(updated))
            } catch IncidentStoreError.notFound(let missing) {
                throw APIError(.notFound, "no incident \(missing)")
            }
        }
    }

    /// The tenant's incident store.
    func store(for request: Request) throws -> any IncidentStore {
        try stores(try tenancy.tenant(of: request))
    }

    /// The incident named in the path: 400 for a malformed ID, 404 for an unknown one.
    func incident(_ request: Request, _ context: BasicRequestContext) async throws -> Incident {
        let store = try self.store(for: request)
        let id = try Self.id(context)
        guard let incident = try await BlockingWork.run({ try store.get(id) }) else {
            throw APIError(.notFound, "no incident \(id)")
        }
        return incident
    }

    static func id(_ context: BasicRequestContext) throws -> IncidentID {
        let text = context.parameters.get("id") ?? ""
        guard let id = IncidentID(text) else {
            throw APIError.badRequest("invalid incident id \"\(text)\": want INC-YYYY-MM-DD-NNN")
        }
        return id
    }

    /// The incident correlated with the stores: timeline, root cause, impact, severity (as `mclog postmortem`).
    /// Like a Loki query it holds one of the tenant's slots of `gate` and is abandoned with 504 after the query
    /// timeout (its log reads stop at the next page).
    func postMortem(_ incident: Incident, tenant: String, gate: QueryGate) async throws -> PostMortem {
        let correlator = Correlator(engine: engine, rules: rules, traces: traces, tenant: tenant)
        correlator.margin = margin
        let cancel = QueryCancellation()
        correlator.cancellation = cancel
        let subject = incident.subject(now: Int64(Date().timeIntervalSince1970 * 1e9))
        let timeout = queryTimeoutSeconds
        return try await gate.withSlot(tenant: tenant) {
            try await BlockingWork.run(timeout: timeout, cancel: cancel) { try correlator.postMortem(subject) }
        }
    }

    /// A note from the body: JSON `{"text": "…", "author": "…", "time": "RFC3339 or Unix ns"}` (author and time
    /// optional: `api` and now).
    func note(_ request: Request) async throws -> IncidentNote {
        let body = try await request.collectBody(upTo: maxBodyBytes)
        struct Body: Decodable {
            var text: String?
            var author: String?
            var time: String?
        }
        let parsed: Body
        do {
            parsed = try JSONDecoder().decode(Body.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError.badRequest("invalid note: want a JSON object {\"text\": \"…\", \"author\": \"…\", \"time\": \"RFC3339\"}")
        }
        guard let text = parsed.text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("invalid note: \"text\" is missing or empty")
        }
        let time = try parsed.time.map { try LokiTime.parse($0, name: "time") } ?? Int64(Date().timeIntervalSince1970 * 1e9)
        let author = parsed.author.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return IncidentNote(time: time, author: author.isEmpty ? "api" : author, text: text)
    }

    /// Sorted-key JSON of a Codable value (the shape `mclog incidents list --output json` prints).
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}
