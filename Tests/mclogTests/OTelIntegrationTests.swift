import Foundation
import Testing

/// The OpenTelemetry Python SDK with its OTLP/HTTP exporter (PyPI) against a real `mclog serve`: spans sent to
/// the OTLP listener are found by id and by search (`Tests/Integration/otel_traces.py`); then, with the server
/// stopped, `mclog trace` shows the waterfall next to the log line that carries the trace id, and
/// `mclog traces search` lists the trace.
@Suite struct OTelIntegrationTests {
    @Test func openTelemetrySDKTracesAreStoredSearchedAndCorrelatedWithLogs() throws {
        let missing = try CLI.shell(
            "python3 -c 'import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http, requests' 2>&1 || echo MISSING")
        try #require(!missing.contains("MISSING"),
                     "the OpenTelemetry packages are not installed: pip install -r Tests/Integration/requirements.txt (\(missing))")
        let data = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServeProcess(data: data, arguments: ["--listen", "127.0.0.1:0", "--otlp-listen", "127.0.0.1:0"])
        defer { server.stop() }
        let base = try #require(server.address(), "mclog serve did not report its address")
        let otlpBase = try #require(server.address(after: "OTLP/HTTP on "), "mclog serve did not report its OTLP address")
        let script = CLI.packageRoot.appendingPathComponent("Tests/Integration/otel_traces.py").path
        let result = try CLI.shell("python3 \(script) \(base) \(otlpBase) 2>&1; echo \"exit=$?\"")
        #expect(result.hasSuffix("exit=0"), "\(result)")
        #expect(result.contains("OK: "), "\(result)")
        let traceLine = try #require(result.split(separator: "\n").first { $0.hasPrefix("TRACE ") }, "\(result)")
        let traceID = String(traceLine.dropFirst(6))
        server.stop()

        // Unflushed spans and log lines come back from the WALs.
        let shown = try CLI.run(["trace", traceID, "--data", data])
        #expect(shown.status == 0, "\(shown.stderr)")
        let lines = shown.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Trace \(traceID)  3 spans, 1 service, ") == true, "\(shown.stdout)")
        let root = try #require(lines.firstIndex { $0.contains("checkout  GET /checkout") }, "\(shown.stdout)")
        let charge = try #require(lines.firstIndex { $0.contains("  checkout  charge card") }, "\(shown.stdout)")
        #expect(charge > root)
        #expect(lines[charge].contains("error"))
        #expect(lines[charge + 1].contains("! gateway unavailable"), "\(shown.stdout)")
        #expect(shown.stdout.contains("! ConnectionError: payment gateway refused the connection"), "\(shown.stdout)")
        #expect(shown.stdout.contains("Log lines with trace_id=\(traceID): 1"), "\(shown.stdout)")
        #expect(shown.stdout.contains("{job=\"checkout\", trace_id=\"\(traceID)\"}  payment failed: gateway unavailable"),
                "\(shown.stdout)")

        let listed = try CLI.run(["traces", "search", "{ status = error }", "--since", "1h", "--data", data])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(traceID), "\(listed.stdout)")
        #expect(listed.stdout.contains("checkout  GET /checkout"), "\(listed.stdout)")
        let bad = try CLI.run(["traces", "search", "{ status = error } | count() > 1", "--data", data])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unsupported TraceQL construct: pipeline operator"), "\(bad.stderr)")
        let missingTrace = try CLI.run(["trace", "0123456789abcdef0123456789abcdef", "--data", data])
        #expect(missingTrace.status == 1)
        #expect(missingTrace.stderr.contains("not found"))
    }
}
