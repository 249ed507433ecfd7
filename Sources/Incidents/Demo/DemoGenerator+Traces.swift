import TraceStore

/// The demo's OTLP traces: one trace per chat request that the backend logged (its `trace_id=` is the trace's id)
/// between `DemoGenerator.tracedHours`, so a post-mortem can link a backend error line to the spans behind it.
/// Each trace holds the backend's server span and, as its child, the AI engine's `POST /v1/chat/completions`
/// span; during the incident both end in error (the engine's with EngineDeadError, or after 10 s for a timeout).
/// Span ids derive from the trace id, so adding traces draws nothing from the generator's random sequence.
extension DemoGenerator {
    /// Traced window (hours of the day): the incident and an hour of normal traffic around it, in every zone.
    static let tracedHours = 13..<16

    struct TracedRequest {
        var zone: String
        var zoneIndex: Int
        var traceID: String
        var path: String
        /// When the edge answered, and how long the request took there (s).
        var end: Int64
        var seconds: Double
        var failure: Failure?

        enum Failure { case engineDead, timeout }
    }

    func traced(_ t: Int64) -> Bool { Self.tracedHours.contains(Int((t - day.dayStart) / (3600 * Self.second))) }

    /// The requests as OTLP resource spans, one batch per zone and service.
    func traceBatches() -> [ResourceSpans] {
        var byResource: [String: ResourceSpans] = [:]
        var order: [String] = []
        func add(_ service: String, _ zone: String, _ host: String, _ span: Span) {
            let key = service + "/" + zone
            if byResource[key] == nil {
                order.append(key)
                byResource[key] = ResourceSpans(
                    resource: [Attribute("service.name", .string(service)), Attribute("zone", .string(zone)),
                               Attribute("host.name", .string(host))],
                    scopes: [ScopeSpans(scope: InstrumentationScope(name: "mclog-demo"), spans: [])])
            }
            byResource[key]!.scopes[0].spans.append(span)
        }
        for r in tracedRequests {
            guard let id = TraceID(hex: r.traceID) else { continue }
            let start = r.end - Int64(r.seconds * 1e9)
            var server = Span(traceID: id, spanID: SpanID(id.low | 1), name: "POST /api/v1/chat", start: start + 1_000_000,
                              end: r.end - 1_000_000)
            server.kind = .server
            server.attributes = [Attribute("http.request.method", .string("POST")), Attribute("url.path", .string(r.path)),
                                 Attribute("http.response.status_code", .int(r.failure == nil ? 200 : 503))]
            var engine = Span(traceID: id, spanID: SpanID(id.high | 1), parentSpanID: server.spanID,
                              name: "POST /v1/chat/completions", start: start + 3_000_000, end: r.end - 3_000_000)
            engine.kind = .server
            switch r.failure {
            case nil:
                engine.status = .ok
            case .engineDead?:
                server.status = .error
                server.statusMessage = "vLLM request failed: 503 Service Unavailable"
                engine.status = .error
                engine.statusMessage = "EngineDeadError: EngineCore encountered an issue"
                engine.end = max(engine.start + 1_000_000, engine.end)
            case .timeout?:
                server.status = .error
                server.statusMessage = "vLLM request timed out after 10.0s"
                engine.status = .error
                engine.statusMessage = "engine not responding"
                engine.end = engine.start + 10 * Self.second
            }
            add("backend", r.zone, "api-\(r.zone)-01", server)
            add("ai-engine", r.zone, "gpu-\(r.zone)-01", engine)
        }
        return order.map { byResource[$0]! }
    }
}
