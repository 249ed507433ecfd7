import Hummingbird
import HummingbirdWebSocket
import Logging
import LogStore

/// `mclog serve`: the Loki-compatible API on a Hummingbird application bound to `options.host:port`.
public struct LokiServer: Sendable {
    public let api: LokiAPI
    /// The Tempo-compatible trace routes, served on the same port when set.
    public let tempo: TempoAPI?
    /// The Alertmanager webhook and incident routes, served on the same port when set.
    public let incidents: IncidentAPI?

    public init(api: LokiAPI, tempo: TempoAPI? = nil, incidents: IncidentAPI? = nil) {
        self.api = api
        self.tempo = tempo
        self.incidents = incidents
    }

    /// The Hummingbird application; `onRunning` receives the bound port (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "mclog.serve")
        logger.logLevel = .warning
        let router = api.router()
        tempo?.addRoutes(router)
        incidents?.addRoutes(router, gate: api.gate)
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: api.webSocketRouter(),
                                           additionalChannelHandlers: [ExpectContinueHandler()]),
            configuration: .init(address: .hostname(api.options.host, port: api.options.port), serverName: "mclog"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
