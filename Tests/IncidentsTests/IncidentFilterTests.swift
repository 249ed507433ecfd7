import Foundation
import Testing
@testable import Incidents

/// `IncidentStore.list(_:)` with filters, on the embedded store (in memory) and on PostgreSQL (in SQL): both
/// must answer every filter alike.
@Suite struct IncidentFilterTests {
    static let hour: Int64 = 3_600_000_000_000
    let day = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14)

    /// Five incidents of one afternoon and the next day (titles name them).
    func populate(_ store: any IncidentStore) throws {
        func add(_ title: String, _ start: Int64, _ end: Int64?, _ zones: [String], _ severity: Severity) throws {
            _ = try store.create(IncidentDraft(title: title, start: start, end: end, zones: zones, severity: severity,
                                               severityRule: "", openedBy: "manual"))
        }
        try add("kzone-p2", day, day + Self.hour, ["kzone"], .p2)                      // 14:00–15:00, resolved
        try add("bzone-p3-open", day + 2 * Self.hour, nil, ["bzone"], .p3)             // 16:00–, open
        try add("k+b-p1", day + 3 * Self.hour, day + 4 * Self.hour, ["kzone", "bzone"], .p1)  // 17:00–18:00
        try add("no-zone-p4-open", day + 5 * Self.hour, nil, [], .p4)                   // 19:00–, open
        try add("kzone-next-day", day + 24 * Self.hour, day + 25 * Self.hour, ["kzone"], .p3)
    }

    static let cases: [(String, IncidentFilter, [String])] = {
        let day = CivilDate.unixNanos(year: 2025, month: 11, day: 21, hour: 14)
        let all = ["kzone-p2", "bzone-p3-open", "k+b-p1", "no-zone-p4-open", "kzone-next-day"]
        return [
            ("nothing", IncidentFilter(), all),
            ("open", IncidentFilter(status: .open), ["bzone-p3-open", "no-zone-p4-open"]),
            ("resolved", IncidentFilter(status: .resolved), ["kzone-p2", "k+b-p1", "kzone-next-day"]),
            ("zone", IncidentFilter(zones: ["kzone"]), ["kzone-p2", "k+b-p1", "kzone-next-day"]),
            ("zones, any of", IncidentFilter(zones: ["bzone", "nozone"]), ["bzone-p3-open", "k+b-p1"]),
            ("severity", IncidentFilter(severities: [.p1, .p2]), ["kzone-p2", "k+b-p1"]),
            // Overlap: ends at or after `from`, starts at or before `to`; an open incident has not ended.
            ("window", IncidentFilter(from: day + 3 * hour / 2, to: day + 3 * hour), ["bzone-p3-open", "k+b-p1"]),
            ("window edge", IncidentFilter(from: day + hour, to: day + hour), ["kzone-p2"]),
            ("from only", IncidentFilter(from: day + 20 * hour), ["bzone-p3-open", "no-zone-p4-open", "kzone-next-day"]),
            ("to only", IncidentFilter(to: day - 1), []),
            ("limit keeps the newest", IncidentFilter(limit: 2), ["no-zone-p4-open", "kzone-next-day"]),
            ("everything together", IncidentFilter(status: .resolved, zones: ["kzone"], severities: [.p1, .p2, .p3],
                                                   from: day, to: day + 24 * hour, limit: 2), ["k+b-p1", "kzone-next-day"]),
        ]
    }()

    @Test(arguments: Backend.allCases)
    func listFiltersAlikeInBothStores(backend: Backend) throws {
        try backend.withMetastore { m in
            let store = try m.store()
            try populate(store)
            for (name, filter, titles) in Self.cases {
                #expect(try store.list(filter).map(\.title) == titles, "\(name)")
                // The embedded filter (`apply`) is the reference the PostgreSQL query must match.
                #expect(try store.list(filter).map(\.title) == filter.apply(try store.list()).map(\.title), "\(name)")
            }
            // Another tenant's incidents never pass.
            #expect(try m.store(tenant: "other").list(IncidentFilter(zones: ["kzone"])).isEmpty)
        }
    }

    @Test(arguments: [
        ("status", "closed", "\"closed\": want open or resolved"),
        ("severity", "P5", "\"P5\": want P1, P2, P3 or P4"),
        ("limit", "0", "\"0\": want a positive integer"),
        ("limit", "ten", "\"ten\": want a positive integer"),
    ])
    func badValuesNameWhatIsWanted(_ what: String, _ value: String, _ message: String) {
        #expect {
            switch what {
            case "status": _ = try IncidentFilter.status(value)
            case "severity": _ = try IncidentFilter.severities(["P1", value])
            default: _ = try IncidentFilter.limit(value)
            }
        } throws: { "\($0)" == message }
    }

    @Test func valuesAreCommaSeparatedAndCaseInsensitive() throws {
        #expect(try IncidentFilter.severities(["p1,P2", " p3 "]) == [.p1, .p2, .p3])
        #expect(IncidentFilter.zones(["kzone,bzone", "", "gzone"]) == ["kzone", "bzone", "gzone"])
        #expect(try IncidentFilter.status("Open") == .open)
    }
}
