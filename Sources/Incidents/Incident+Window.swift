extension Incident {
    /// How far past its last recorded event an open incident is correlated.
    public static let openTail: Int64 = 3_600_000_000_000

    /// The end of the window to correlate: the recorded end, else (still open) now — but at most an hour past
    /// the latest event, so that an incident left open on old data is not correlated over months of unrelated
    /// logs. Notes do not count: one written today about last week's incident must not stretch its window.
    public func correlationEnd(now: Int64) -> Int64 {
        if let end { return end }
        let latest = max(start, events.map(\.time).max() ?? start)
        return max(start, min(now, latest + Self.openTail))
    }

    /// What the correlator needs to know about this incident.
    public func subject(now: Int64) -> Correlator.Subject {
        Correlator.Subject(id: id, title: title, from: start, to: correlationEnd(now: now), zones: zones, events: events,
                           notes: notes)
    }
}
