/// What one detection pass did with one candidate: the incident it opened or updated (nil on a dry run), the
/// post-mortem draft it correlated, and whether the incident is new.
public struct DetectionOutcome: Sendable {
    public var incident: Incident?
    public var postMortem: PostMortem
    public var created: Bool
}

extension Correlator {
    /// Finds incidents with the rules over `[from, to]` and stores them: a candidate joins a stored incident of
    /// the same zone (not one opened by hand) whose window it overlaps within the margin, else opens a new one.
    /// Running it again over an overlapping range therefore extends incidents instead of duplicating them, which
    /// is what `mclog serve`'s periodic evaluation relies on. `dryRun` stores nothing.
    public func detectAndStore(into store: any IncidentStore, from: Int64, to: Int64, dryRun: Bool = false) throws
        -> [DetectionOutcome]
    {
        var evaluator = RuleEvaluator(engine: engine, tenant: tenant)
        evaluator.cancellation = cancellation
        let detector = IncidentDetector(evaluator: evaluator, rules: rules)
        let (allHits, candidates) = try detector.detect(from: from, to: to)
        var out: [DetectionOutcome] = []
        let existing = try store.list()
        for c in candidates {
            let zones = c.zone.map { [$0] } ?? []
            let match = existing.first { i in
                i.zones == zones && i.openedBy != "manual" && i.start <= c.to + margin && (i.end ?? .max) >= c.from - margin
            }
            // The hits already evaluated cover the candidate's searched window only when it lies inside `[from, to]`.
            let covered = c.from - margin >= from && c.to + margin <= to
            let subject = Subject(id: match?.id, title: match?.title, from: c.from, to: c.to, zones: zones,
                                  events: match?.events ?? [], notes: match?.notes ?? [], hits: covered ? allHits : nil)
            var pm = try postMortem(subject)
            if dryRun {
                out.append(DetectionOutcome(incident: nil, postMortem: pm, created: false))
                continue
            }
            if let m = match {
                let updated = try store.update(m.id) { i in
                    i.start = min(i.start, pm.start)
                    i.end = max(i.end ?? pm.end, pm.end)
                    i.severity = pm.severity
                    i.severityRule = pm.severityRule
                    i.services = pm.impactedServices
                }
                out.append(DetectionOutcome(incident: updated, postMortem: pm, created: false))
            } else {
                let draft = IncidentDraft(title: pm.title, start: pm.start, end: pm.end, zones: zones,
                                          services: pm.impactedServices, severity: pm.severity,
                                          severityRule: pm.severityRule, openedBy: "rule")
                let created = try store.create(draft)
                pm.id = created.id
                out.append(DetectionOutcome(incident: created, postMortem: pm, created: true))
            }
        }
        return out
    }
}
