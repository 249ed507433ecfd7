/// Applies Alertmanager alerts to the incident store: a firing alert joins the open incident of its zone that
/// started within `joinWindow` before it (or opens one); a resolved alert records its end, and when every alert of
/// an incident is resolved the incident's window ends there. Alertmanager re-sends alerts every
/// `repeat_interval`: an alert already recorded is not recorded again.
public struct AlertJoiner: Sendable {
    public let store: IncidentStore
    public var joinWindow: Int64 = 30 * 60_000_000_000

    public init(store: IncidentStore) { self.store = store }

    /// The runbook's severity for an alert: a `P1`…`P4` label, else `severity` critical → P2, warning → P3, else P4.
    public static func severity(_ a: AlertmanagerWebhook.Alert) -> Severity {
        if let p = a.labels["priority"].flatMap({ Severity(rawValue: $0.uppercased()) }) { return p }
        if let p = a.labels["severity"].flatMap({ Severity(rawValue: $0.uppercased()) }) { return p }
        switch a.labels["severity"]?.lowercased() {
        case "critical", "page": return .p2
        case "warning", "warn": return .p3
        default: return .p4
        }
    }

    /// Applies every alert of the payload; returns the incidents touched, in order.
    @discardableResult
    public func apply(_ webhook: AlertmanagerWebhook) throws -> [IncidentID] {
        var touched: [IncidentID] = []
        for a in webhook.alerts {
            let id = try a.firing ? fire(a) : resolve(a)
            if let id, !touched.contains(id) { touched.append(id) }
        }
        return touched
    }

    func describe(_ a: AlertmanagerWebhook.Alert) -> String {
        let labels = a.labels.filter { $0.key != "alertname" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let summary = a.annotations["summary"] ?? a.annotations["description"] ?? ""
        return "\(a.name) (\(labels.joined(separator: ", ")))" + (summary.isEmpty ? "" : ": \(summary)")
    }

    func zones(_ a: AlertmanagerWebhook.Alert) -> [String] { a.labels["zone"].map { [$0] } ?? [] }

    func fire(_ a: AlertmanagerWebhook.Alert) throws -> IncidentID? {
        let all = try store.list()
        if let known = all.first(where: { $0.events.contains { $0.alertFingerprint == a.fingerprint && $0.alertResolved == false && $0.time == a.startsAt } }) {
            return known.id  // a repeat of an alert already recorded
        }
        let event = IncidentEvent(time: a.startsAt, source: .alert, text: "\(describe(a)) firing",
                                  alertFingerprint: a.fingerprint, alertResolved: false)
        let open = all.filter { i in
            i.zones == zones(a) && i.start <= a.startsAt + joinWindow && i.start >= a.startsAt - joinWindow
                && (i.end == nil || i.end! >= a.startsAt - joinWindow)
        }
        if let target = open.last {
            let sev = Self.severity(a)
            try store.update(target.id) { i in
                i.events.append(event)
                i.start = min(i.start, a.startsAt)
                if sev < i.severity {
                    i.severity = sev
                    i.severityRule = "\(sev.rawValue) by alert \(a.name)"
                }
            }
            return target.id
        }
        let sev = Self.severity(a)
        let created = try store.create(IncidentDraft(
            title: describe(a), start: a.startsAt, zones: zones(a), services: a.labels["service"].map { [$0] } ?? [],
            severity: sev, severityRule: "\(sev.rawValue) by alert \(a.name) (severity=\(a.labels["severity"] ?? "none"))",
            openedBy: "alert", events: [event]))
        return created.id
    }

    func resolve(_ a: AlertmanagerWebhook.Alert) throws -> IncidentID? {
        guard let ends = a.endsAt,
              let target = try store.list().last(where: { $0.events.contains { $0.alertFingerprint == a.fingerprint } })
        else { return nil }
        if target.events.contains(where: { $0.alertFingerprint == a.fingerprint && $0.alertResolved == true }) { return target.id }
        try store.update(target.id) { i in
            i.events.append(IncidentEvent(time: ends, source: .alert, text: "\(describe(a)) resolved",
                                          alertFingerprint: a.fingerprint, alertResolved: true))
            let fingerprints = Set(i.events.compactMap(\.alertFingerprint))
            let resolved = Set(i.events.filter { $0.alertResolved == true }.compactMap(\.alertFingerprint))
            // Resolutions may arrive in any order: the window ends at the latest one.
            let lastResolution = i.events.filter { $0.alertResolved == true }.map(\.time).max() ?? ends
            if fingerprints == resolved { i.end = max(i.end ?? lastResolution, lastResolution) }
        }
        return target.id
    }
}
