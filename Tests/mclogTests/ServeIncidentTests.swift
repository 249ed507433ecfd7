import Foundation
import Testing

/// `mclog serve` with `incidents:` evaluates the detection rules on its interval over pushed lines, and serves
/// the incidents it opens, the Alertmanager webhook and the post-mortem over HTTP.
@Suite struct ServeIncidentTests {
    @Test func serveOpensAnIncidentFromPushedLinesAndServesItsPostMortem() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            data: ./data
            incidents:
              rules: \(CLI.packageRoot.appendingPathComponent("queries").path)
              interval: 1s
            """.write(toFile: dir + "/mclog.yaml", atomically: true, encoding: .utf8)
        let serve = try ServeProcess(data: dir + "/data", arguments: ["--config", dir + "/mclog.yaml", "--listen", "127.0.0.1:0",
                                                                      "--otlp-listen", "none"])
        defer { serve.stop() }
        let base = try #require(serve.address(), "mclog serve did not report its address")

        // A CUDA OOM in kzone's vLLM 90 s ago: inside the window of the rule's latest evaluation step.
        let t = (Int64(Date().timeIntervalSince1970) - 90) * 1_000_000_000
        let push = """
            {"streams":[{"stream":{"job":"ai-engine","zone":"kzone","engine":"vllm","level":"error"},
              "values":[["\(t)","(EngineCore_DP0 pid=2817) ERROR [core.py:710] torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB."]]}]}
            """
        try push.write(toFile: dir + "/push.json", atomically: true, encoding: .utf8)
        let pushed = try CLI.shell("curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "
                                   + "--data-binary @\(dir)/push.json '\(base)/loki/api/v1/push'")
        #expect(pushed == "204")

        var incident: [String: Any]?
        for _ in 0..<300 {
            let body = try CLI.shell("curl -sS '\(base)/api/v1/incidents'")
            let list = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
            incident = (list?["incidents"] as? [[String: Any]])?.first { $0["openedBy"] as? String == "rule" }
            if incident != nil { break }
            usleep(100_000)
        }
        let found = try #require(incident, "no incident opened by the rules within 30 s")
        #expect(found["zones"] as? [String] == ["kzone"])
        #expect(found["severity"] as? String == "P2")
        let id = try #require(found["id"] as? String)

        let md = try CLI.shell("curl -sS '\(base)/api/v1/incidents/\(id)/postmortem?format=md'")
        #expect(md.contains("| Incident ID | \(id) |"), "\(md.prefix(400))")
        #expect(md.contains("cuda-oom"))
        // Later passes extend the incident rather than opening another.
        usleep(2_500_000)
        let again = try CLI.shell("curl -sS '\(base)/api/v1/incidents'")
        let all = ((try? JSONSerialization.jsonObject(with: Data(again.utf8))) as? [String: Any])?["incidents"] as? [[String: Any]]
        #expect(all?.count == 1)
        serve.stop()
        #expect(FileManager.default.fileExists(atPath: dir + "/data/incidents/fake/\(id).json"))
    }
}
