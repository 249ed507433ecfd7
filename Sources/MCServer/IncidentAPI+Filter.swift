import Incidents

extension IncidentAPI {
    /// The filter of `GET /api/v1/incidents`: `status` (open, resolved), `zone` and `severity` (repeatable or
    /// comma-separated, any of; empty values are ignored), `from`/`to` (the incident window overlaps them; Unix s/ns or RFC 3339, as the
    /// Loki routes read times) and `limit` (the newest N). A bad value is a 400 naming the parameter.
    static func filter(_ p: FormParameters) throws -> IncidentFilter {
        func named<T>(_ name: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as IncidentFilterError {
                throw APIError.badRequest("invalid \(name) parameter \(e)")
            }
        }
        var f = IncidentFilter()
        if let s = p["status"] { f.status = try named("status") { try IncidentFilter.status(s) } }
        f.zones = IncidentFilter.zones(p.all("zone"))
        f.severities = try named("severity") { try IncidentFilter.severities(p.all("severity")) }
        f.from = try p["from"].map { try LokiTime.parse($0, name: "from") }
        f.to = try p["to"].map { try LokiTime.parse($0, name: "to") }
        if let from = f.from, let to = f.to, from > to {
            throw APIError.badRequest("invalid from parameter \"\(p["from"]!)\": after to \"\(p["to"]!)\"")
        }
        if let l = p["limit"] { f.limit = try named("limit") { try IncidentFilter.limit(l) } }
        return f
    }
}
