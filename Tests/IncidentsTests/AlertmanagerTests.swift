import Foundation
import Testing
@testable import Incidents

@Suite struct AlertmanagerTests {
    static func payload(_ status: String, alertname: String = "HighErrorRate", zone: String = "kzone", severity: String = "critical",
                        starts: String = "2025-11-21T14:05:00.123Z", ends: String = "0001-01-01T00:00:00Z", fp: String = "5f1c3a7b9e2d4c60") -> Data {
        Data("""
        {"version":"4","groupKey":"{}:{}","truncatedAlerts":0,"status":"\(status)","receiver":"mclog","groupLabels":{},
         "commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager:9093",
         "alerts":[{"status":"\(status)","labels":{"alertname":"\(alertname)","severity":"\(severity)","zone":"\(zone)"},
                    "annotations":{"summary":"5xx rate above 5%"},"startsAt":"\(starts)","endsAt":"\(ends)",
                    "generatorURL":"http://prometheus:9090/graph","fingerprint":"\(fp)"}]}
        """.utf8)
    }

    @Test func decodesVersion4() throws {
        let w = try AlertmanagerWebhook.decode(Self.payload("firing"))
        #expect(w.firing)
        let a = try #require(w.alerts.first)
        #expect(a.name == "HighErrorRate" && a.labels["zone"] == "kzone" && a.fingerprint == "5f1c3a7b9e2d4c60")
        #expect(a.startsAt == CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14, minute: 5) + 123_000_000)
        #expect(a.endsAt == nil)
        let r = try AlertmanagerWebhook.decode(Self.payload("resolved", ends: "2025-11-21T14:21:30Z"))
        #expect(r.alerts[0].endsAt == CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14, minute: 21, second: 30))
    }

    @Test(arguments: [
        (#"{"version":"3","status":"firing","alerts":[]}"#, "version"),
        (#"{"version":"4","status":"burning","alerts":[]}"#, "status"),
        (#"{"version":"4","status":"firing"}"#, "alerts"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{},"startsAt":"yesterday"}]}"#, "alerts[0].startsAt"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"resolved","labels":{},"startsAt":"2025-11-21T14:05:00Z","endsAt":"0001-01-01T00:00:00Z"}]}"#, "alerts[0].endsAt"),
        (#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":1},"startsAt":"2025-11-21T14:05:00Z"}]}"#, "alerts[0].labels.a"),
        (#"{"version":"4","#, "body"),
    ])
    func rejectsBadPayloads(_ json: String, _ field: String) {
        #expect { try AlertmanagerWebhook.decode(Data(json.utf8)) } throws: { e in
            (e as? WebhookError)?.field == field
        }
    }

    @Test func firingOpensOrJoinsAndResolvedCloses() throws {
        let store = try EmbeddedIncidentStore(dataDirectory: temporaryDirectory())
        let joiner = AlertJoiner(store: store)
        let opened = try joiner.apply(try AlertmanagerWebhook.decode(Self.payload("firing")))
        #expect(opened.count == 1)
        var i = try #require(try store.get(opened[0]))
        #expect(i.openedBy == "alert" && i.zones == ["kzone"] && i.severity == .p2 && i.end == nil)
        // Alertmanager repeats the notification: nothing new is recorded.
        try joiner.apply(try AlertmanagerWebhook.decode(Self.payload("firing")))
        // A second alert of the same zone a few minutes later joins the incident.
        let second = try joiner.apply(try AlertmanagerWebhook.decode(Self.payload("firing", alertname: "HighAPILatency", severity: "warning",
                                                                              starts: "2025-11-21T14:09:00Z", fp: "aa")))
        #expect(second == opened)
        // Another zone is another incident.
        let other = try joiner.apply(try AlertmanagerWebhook.decode(Self.payload("firing", zone: "bzone", starts: "2025-11-21T14:09:00Z", fp: "bb")))
        #expect(other != opened)
        // One of two alerts resolved: still open; both: the window ends at the last resolution.
        try joiner.apply(try AlertmanagerWebhook.decode(Self.payload("resolved", ends: "2025-11-21T14:21:30Z")))
        #expect(try store.get(opened[0])?.end == nil)
        try joiner.apply(try AlertmanagerWebhook.decode(Self.payload("resolved", alertname: "HighAPILatency", severity: "warning",
                                                                      starts: "2025-11-21T14:09:00Z", ends: "2025-11-21T14:25:00Z", fp: "aa")))
        i = try #require(try store.get(opened[0]))
        #expect(i.end == CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14, minute: 25))
        #expect(i.events.filter { $0.source == .alert }.count == 4)
        #expect(i.events.map(\.text).contains { $0.contains("HighErrorRate") && $0.hasSuffix("firing") })
    }

    @Test(arguments: [("critical", Severity.p2), ("warning", .p3), ("info", .p4), ("P1", .p1)])
    func severityFromLabels(_ label: String, _ expected: Severity) throws {
        let a = try AlertmanagerWebhook.decode(Self.payload("firing", severity: label)).alerts[0]
        #expect(AlertJoiner.severity(a) == expected)
    }
}
