import Foundation
import PostgresTestSupport
import Testing

/// `mclog serve` with `metastore: postgres://…`, end to end over HTTP: an Alertmanager webhook opens an incident,
/// a note is added, and a second server started on the same database (as after a restart, or on another node)
/// finds both and renders the post-mortem with the note.
@Suite struct ServeIncidentPostgresTests {
    static let highErrorRate = """
        {"version":"4","groupKey":"{}:{alertname=\\"HighErrorRate\\"}","truncatedAlerts":0,"status":"firing","receiver":"mclog",
         "groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate","severity":"critical","zone":"kzone"},
         "commonAnnotations":{},"externalURL":"http://alertmanager:9093",
         "alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","severity":"critical","zone":"kzone"},
                    "annotations":{"summary":"5xx above 5%"},"startsAt":"2025-11-21T14:05:00Z","endsAt":"0001-01-01T00:00:00Z",
                    "generatorURL":"http://prometheus:9090/graph","fingerprint":"a1"}]}
        """

    func json(_ text: String) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:]
    }

    @Test func serveKeepsIncidentsAndNotesInPostgresAcrossRestarts() throws {
        try TestPostgres.withDatabase { url in
            let dir = CLI.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // Rule evaluation off: only the webhook opens incidents here.
            try """
                data: ./data
                metastore: "\(url.replacingOccurrences(of: "\"", with: "\\\""))"
                incidents:
                  interval: 0
                """.write(toFile: dir + "/mclog.yaml", atomically: true, encoding: .utf8)
            try Self.highErrorRate.write(toFile: dir + "/alert.json", atomically: true, encoding: .utf8)
            try #"{"text":"restarted vLLM on gpu-kzone-01","author":"ana","time":"2025-11-21T14:18:00Z"}"#
                .write(toFile: dir + "/note.json", atomically: true, encoding: .utf8)
            let arguments = ["--config", dir + "/mclog.yaml", "--listen", "127.0.0.1:0", "--otlp-listen", "none"]

            let first = try ServeProcess(data: dir + "/data", arguments: arguments)
            defer { first.stop() }
            let base = try #require(first.address(), "mclog serve did not report its address")
            let alerted = json(try CLI.shell("curl -sS -H 'Content-Type: application/json' --data-binary @\(dir)/alert.json '\(base)/api/v1/alerts'"))
            let id = try #require((alerted["incidents"] as? [String])?.first, "webhook answer \(alerted)")
            #expect(id == "INC-2025-11-21-001")
            let listed = json(try CLI.shell("curl -sS '\(base)/api/v1/incidents'"))["incidents"] as? [[String: Any]]
            #expect(listed?.map { $0["id"] as? String } == [id])
            #expect(listed?.first?["zones"] as? [String] == ["kzone"])
            #expect(listed?.first?["openedBy"] as? String == "alert")
            let noted = try CLI.shell("curl -sS -o /dev/null -w '%{http_code}' --data-binary @\(dir)/note.json '\(base)/api/v1/incidents/\(id)/notes'")
            #expect(noted == "201")
            first.stop()
            // Nothing was written to the embedded store.
            #expect(!FileManager.default.fileExists(atPath: dir + "/data/incidents"))

            let second = try ServeProcess(data: dir + "/data", arguments: arguments)
            defer { second.stop() }
            let again = try #require(second.address(), "the second mclog serve did not report its address")
            let incident = json(try CLI.shell("curl -sS '\(again)/api/v1/incidents/\(id)'"))
            let notes = incident["notes"] as? [[String: Any]]
            #expect(notes?.map { $0["text"] as? String } == ["restarted vLLM on gpu-kzone-01"])
            #expect(notes?.first?["author"] as? String == "ana")
            let md = try CLI.shell("curl -sS '\(again)/api/v1/incidents/\(id)/postmortem?format=md'")
            #expect(md.contains("| Incident ID | \(id) |"), "\(md.prefix(400))")
            #expect(md.contains("ana: restarted vLLM on gpu-kzone-01"))
            // The list filters, answered from PostgreSQL.
            let open = json(try CLI.shell("curl -sS '\(again)/api/v1/incidents?status=open&zone=kzone&severity=P2'"))
            #expect((open["incidents"] as? [[String: Any]])?.count == 1, "\(open)")
            let other = json(try CLI.shell("curl -sS '\(again)/api/v1/incidents?zone=bzone'"))
            #expect((other["incidents"] as? [[String: Any]])?.isEmpty == true, "\(other)")
        }
    }
}
