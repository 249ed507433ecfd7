import Testing
@testable import Ingest

/// `incidents:` of `mclog.yaml`: the rule folder and the evaluation interval of `mclog serve`.
@Suite struct ConfigIncidentsTests {
    @Test func incidentsSectionSetsRulesIntervalWindowAndMargin() throws {
        let yaml = """
            data: d
            incidents:
              rules: ./rules
              interval: 30s
              window: 2h
              margin: 5m
            """
        let i = try IngestConfig.parse(yaml: yaml, baseDirectory: "/etc/mclog").incidents
        #expect(i.rulesDirectory == "/etc/mclog/rules")
        #expect(i.intervalNanos == 30_000_000_000)
        #expect(i.windowNanos == 7_200_000_000_000)
        #expect(i.marginNanos == 300_000_000_000)
        // Without the section: the default folder, every minute over the last hour; 0 turns evaluation off.
        let d = try IngestConfig.parse(yaml: "data: d\n", baseDirectory: "/x").incidents
        #expect(d == IncidentSettings())
        #expect(d.rulesDirectory == nil && d.intervalNanos == 60_000_000_000 && d.windowNanos == 3_600_000_000_000)
        #expect(try IngestConfig.parse(yaml: "data: d\nincidents: {interval: 0}\n", baseDirectory: "/x").incidents.intervalNanos == 0)
    }
    // Errors (with line, column and key path) are in ConfigTests.errorsNameLineAndKeyPath.
}
