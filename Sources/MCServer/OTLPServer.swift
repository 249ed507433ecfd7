import Hummingbird
import Logging

/// The second listener of `mclog serve` for OTLP/HTTP (`--otlp-listen`, default `127.0.0.1:4318`, the OTLP
/// convention), serving only `POST /v1/traces`, so that SDKs send to their default endpoint unchanged.
public struct OTLPServer: Sendable {
    public let tempo: TempoAPI
    public let host: String
    public let port: Int

    public init(tempo: TempoAPI, host: String, port: Int) {
        self.tempo = tempo
        self.host = host
        self.port = port
    }

    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "mclog.otlp")
        logger.logLevel = .warning
        return Application(
            router: tempo.otlpRouter(),
            server: .http1(additionalChannelHandlers: [ExpectContinueHandler()]),
            configuration: .init(address: .hostname(host, port: port), serverName: "mclog"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
