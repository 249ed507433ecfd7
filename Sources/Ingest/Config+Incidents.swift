/// `incidents:` of `mclog.yaml`: how `mclog serve` evaluates the detection rules. Without the section the server
/// evaluates the rules it finds (the `queries/` folder) every minute over the last hour.
public struct IncidentSettings: Sendable, Equatable {
    /// The folder of detection rules (`*.yaml`, one rule each); nil: `$MCLOG_RULES`, else `./queries`, else the
    /// `queries/` folder of the checkout that holds the binary.
    public var rulesDirectory: String?
    /// How often the rules are evaluated; 0 turns periodic evaluation off (the incident API still serves).
    public var intervalNanos: Int64 = 60_000_000_000
    /// How far back each evaluation looks: long enough to cover the rules' `for` and range windows, so that a
    /// condition that began before the last tick is still seen whole.
    public var windowNanos: Int64 = 3_600_000_000_000
    /// Searched before and after an incident's window when correlating it.
    public var marginNanos: Int64 = 15 * 60_000_000_000

    public init() {}
}

extension YAMLCursor {
    /// `{rules: DIR, interval: 1m, window: 1h, margin: 15m}`; `rules` resolves against the file's folder.
    func incidents(resolve: (String) -> String) throws -> IncidentSettings {
        var s = IncidentSettings()
        let k = try mapping(allowed: ["rules", "interval", "window", "margin"])
        if let v = k["rules"] { s.rulesDirectory = resolve(try v.nonEmptyString()) }
        if let v = k["interval"] {
            s.intervalNanos = try v.duration()
            if s.intervalNanos != 0 && s.intervalNanos < 1_000_000_000 { throw v.error("must be at least 1s (or 0 to turn evaluation off)") }
        }
        if let v = k["window"] {
            s.windowNanos = try v.duration()
            if s.windowNanos < 60_000_000_000 { throw v.error("must be at least 1m") }
        }
        if let v = k["margin"] { s.marginNanos = try v.duration() }
        return s
    }
}
