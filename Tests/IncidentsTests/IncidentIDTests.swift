import Storage
import Testing
@testable import Incidents

@Suite struct IncidentIDTests {
    @Test(arguments: [
        ("INC-2025-11-21-001", true), ("INC-2025-11-21-123", true), ("INC-2025-11-21-1234", true),
        ("INC-2025-13-21-001", false), ("INC-2025-11-21-000", false), ("INC-2025-11-21-01", false),
        ("inc-2025-11-21-001", false), ("INC-25-11-21-001", false), ("INC-2025-11-21", false), ("", false),
        ("INC-2025-11-21-00a", false), ("INC-2025-11-21-001-x", false),
    ])
    func parses(_ text: String, _ valid: Bool) {
        let id = IncidentID(text)
        #expect((id != nil) == valid)
        if let id { #expect(id.description == text) }
    }

    @Test func idFromTimeIsTheUTCDay() {
        // 2025-11-21T23:59:59Z and the next second.
        let t = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 23, minute: 59, second: 59)
        #expect(IncidentID(time: t, sequence: 7).description == "INC-2025-11-21-007")
        #expect(IncidentID(time: t + 1_000_000_000, sequence: 1).description == "INC-2025-11-22-001")
        #expect(IncidentID(time: 0, sequence: 1).description == "INC-1970-01-01-001")
    }

    @Test func civilDatesRoundTrip() {
        for days in stride(from: -800, to: 30000, by: 37) {
            let (y, m, d) = CivilTime.civilFromDays(days)
            #expect(CivilTime.daysFromCivil(year: y, month: m, day: d) == days)
        }
        #expect(CivilDate.rfc3339(CivilDate.unixNanos(year: 2024, month: 2, day: 29, hour: 1, minute: 2, second: 3)) == "2024-02-29T01:02:03Z")
        #expect(CivilDate.rfc3339(1_500_000_000, roundUp: true) == "1970-01-01T00:00:02Z")
        #expect(CivilDate.duration(17 * 60_000_000_000) == "17 min")
        #expect(CivilDate.duration(65 * 60_000_000_000) == "1 h 05 min")
    }

    @Test func severitiesOrderByUrgency() {
        #expect(Severity.p1 < Severity.p2)
        #expect([Severity.p3, .p1, .p4, .p2].min() == .p1)
    }
}
