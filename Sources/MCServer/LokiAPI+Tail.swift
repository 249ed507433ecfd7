import Foundation
import Hummingbird
import HummingbirdWebSocket
import LogQL
import LogStore

extension LokiAPI {
    /// Longest `delay_for` Loki accepts, in seconds.
    static let maxTailDelaySeconds = 5

    /// `GET /loki/api/v1/tail` (WebSocket): `query`, `delay_for` (s, ≤ 5), `limit` (history sent first, default
    /// 100), `start` (default one hour ago). Messages are Loki's `{"streams":[…],"dropped_entries":…}`.
    func webSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: ErrorMiddleware(metrics: metrics))
        router.ws("/loki/api/v1/tail") { request, _ in
            _ = try self.tailRequest(request)  // reject bad requests before upgrading
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let (session, delay) = try self.tailRequest(context.request)
            let wakeups = session.wakeups()
            // Subscribe before reading the history, so nothing appended in between is missed.
            let token = self.store.addAppendObserver { tenant, streams in session.offer(tenant: tenant, streams) }
            defer { self.store.removeAppendObserver(token) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The client's close ends the tail.
                group.addTask { for try await _ in inbound {} }
                group.addTask {
                    if let m = try await BlockingWork.run({ try session.history(now: LokiTime.now()) }) {
                        try await outbound.write(.text(m))
                    }
                    for await _ in wakeups {
                        // delay_for lets slow loggers' late entries join the same, time-ordered message.
                        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
                        if let m = session.drain() { try await outbound.write(.text(m)) }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        return router
    }

    func tailRequest(_ request: Request) throws -> (TailSession, Int) {
        let tenant = try tenancy.tenant(of: request)
        let p = FormParameters(query: request.uri.query)
        guard case .log(let query) = try parse(try requiredQuery(p)) else {
            throw APIError.badRequest("tail needs a log query, not a metric query")
        }
        let delay = try p["delay_for"].map { s -> Int in
            guard let n = Int(s), (0...Self.maxTailDelaySeconds).contains(n) else {
                throw APIError.badRequest("delay_for must be between 0 and \(Self.maxTailDelaySeconds) seconds, got \(s)")
            }
            return n
        } ?? 0
        let start = try p["start"].map { try LokiTime.parse($0, name: "start") } ?? LokiTime.now() - 3600 * 1_000_000_000
        do {
            return (try TailSession(engine: engine, tenant: tenant, query: query, start: start, limit: try limit(p)), delay)
        } catch let e as LogQLError {
            throw APIError.badRequest(e.description)
        }
    }
}
