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
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--otlp-listen", "none"]
        let err = Pipe()
        server.standardError = err
        let output = DataBox()
        let lock = NSLock()
        err.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            lock.lock()
            output.data.append(d)
            lock.unlock()
        }
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
            err.fileHandleForReading.readabilityHandler = nil
        }
        var url: String?
        for _ in 0..<400 where url == nil {
            lock.lock()
            let text = String(decoding: output.data, as: UTF8.self)
            lock.unlock()
            if let r = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) { url = String(text[r]) }
            if url == nil { usleep(50_000) }
        }
        let base = try #require(url, "mclog serve did not report its address")
        let script = CLI.packageRoot.appendingPathComponent("Tests/Integration/loki_clients.py").path
        let result = try CLI.shell("python3 \(script) \(base) 2>&1; echo \"exit=$?\"")
        #expect(result.hasSuffix("exit=0"), "\(result)")
        #expect(result.contains("OK: 15 checks"), "\(result)")
    }
}
