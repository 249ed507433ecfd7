import Foundation
import Incidents
import PostgresTestSupport
import Testing

/// The incident commands with incidents in PostgreSQL (`--metastore`, or `metastore:` in `--config`), run as a
/// user would, against a real server.
@Suite struct IncidentCLIPostgresTests {
    @Test func incidentsLiveInPostgresWhenConfigured() throws {
        try TestPostgres.withDatabase { url in
            let dir = CLI.temporaryDirectory()
            let open = try CLI.run(["incident", "open", "--data", dir, "--metastore", url, "--title", "chat slow", "--zone", "kzone",
                                    "--from", "2025-11-21T14:00:00Z", "--to", "2025-11-21T14:30:00Z", "--severity", "P3"])
            #expect(open.status == 0, "\(open.stderr)")
            #expect(open.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "INC-2025-11-21-001")

            // The same database named by the configuration file's `metastore:` key; `data` comes from it too.
            let config = dir + "/mclog.yaml"
            try "data: ./data\nmetastore: \"\(url.replacingOccurrences(of: "\"", with: "\\\""))\"\n"
                .write(toFile: config, atomically: true, encoding: .utf8)
            let second = try CLI.run(["incident", "open", "--config", config, "--title", "again", "--from", "2025-11-21T15:00:00Z",
                                      "--severity", "p4"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.contains("INC-2025-11-21-002"))
            let note = try CLI.run(["incident", "note", "--config", config, "INC-2025-11-21-001", "restarted the vLLM unit", "--author", "ana"])
            #expect(note.status == 0, "\(note.stderr)")
            #expect(note.stdout.contains("INC-2025-11-21-001: 1 note(s)"))

            let list = try CLI.run(["incidents", "list", "--metastore", url, "--output", "json"])
            #expect(list.status == 0, "\(list.stderr)")
            let incidents = try JSONDecoder().decode([Incident].self, from: Data(list.stdout.utf8))
            #expect(incidents.map(\.id.description) == ["INC-2025-11-21-001", "INC-2025-11-21-002"])
            #expect(incidents[0].notes.map(\.author) == ["ana"])
            // Nothing went to the embedded store.
            #expect(!FileManager.default.fileExists(atPath: dir + "/incidents"))
            let embedded = try CLI.run(["incidents", "list", "--data", dir])
            #expect(embedded.status == 0 && embedded.stdout.isEmpty)

            // The post-mortem reads logs from the configuration's data directory (a store with no lines here).
            try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
            let pm = try CLI.run(["postmortem", "--config", config, "INC-2025-11-21-001"])
            #expect(pm.status == 0, "\(pm.stderr)")
            #expect(pm.stdout.contains("INC-2025-11-21-001") && pm.stdout.contains("ana: restarted the vLLM unit"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/data/incidents"))

            let missing = try CLI.run(["incident", "note", "--metastore", url, "INC-2025-11-21-009", "x"])
            #expect(missing.status != 0 && missing.stderr.contains("no incident INC-2025-11-21-009 in PostgreSQL"))
        }
    }

    @Test func badOrUnreachableMetastoresAreClearErrors() throws {
        let dir = CLI.temporaryDirectory()
        let bad = try CLI.run(["incidents", "list", "--data", dir, "--metastore", "mysql://db/mclog"])
        #expect(bad.status != 0 && bad.stderr.contains("--metastore: \"mysql://db/mclog\" is neither \"embedded\" nor a postgres:// URL"),
                "\(bad.stderr)")
        let down = try CLI.run(["incidents", "list", "--data", dir, "--metastore", TestPostgres.unreachableURL()])
        #expect(down.status != 0 && down.stderr.contains("PostgreSQL 127.0.0.1:") && down.stderr.contains("cannot connect"), "\(down.stderr)")
        try "data: d\nmetastore: postgres://db:5x/m\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let config = try CLI.run(["incidents", "list", "--config", dir + "/bad.yaml"])
        #expect(config.status != 0 && config.stderr.contains("bad.yaml:2:12: metastore:"), "\(config.stderr)")
    }
}
