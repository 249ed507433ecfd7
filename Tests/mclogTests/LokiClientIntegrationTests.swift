import Foundation
import Testing

/// Real Loki clients from PyPI against a real `mclog serve` on a free loopback port: JSON and protobuf+snappy
/// pushes, a strict query client that reads the whole `stats` object, and a WebSocket tail
/// (`Tests/Integration/loki_clients.py`; its packages: `pip install -r Tests/Integration/requirements.txt`).
@Suite struct LokiClientIntegrationTests {
    @Test func lokiClientsWorkAgainstMclogServe() throws {
        let missing = try CLI.shell(
            "python3 -c 'import logging_loki, grafana_loki_client, websocket, snappy, google.protobuf' 2>&1 || echo MISSING")
        try #require(!missing.contains("MISSING"),
                     "the Loki client packages are not installed: pip install -r Tests/Integration/requirements.txt (\(missing))")
        let data = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServeProcess(data: data)
        defer { server.stop() }
        let base = try #require(server.address(), "mclog serve did not report its address")
        let script = CLI.packageRoot.appendingPathComponent("Tests/Integration/loki_clients.py").path
        let result = try CLI.shell("python3 \(script) \(base) 2>&1; echo \"exit=$?\"")
        #expect(result.hasSuffix("exit=0"), "\(result)")
        #expect(result.contains("OK: 15 checks"), "\(result)")
    }
}
