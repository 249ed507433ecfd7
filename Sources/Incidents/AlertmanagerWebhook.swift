import Foundation

/// Alertmanager's webhook payload (`POST /api/v1/alerts`, version 4): `status`, `alerts[]` with `status`,
/// `labels`, `annotations`, `startsAt`, `endsAt` and `fingerprint`. Other fields are accepted and ignored.
public struct AlertmanagerWebhook: Sendable {
    public struct Alert: Sendable, Equatable {
        public var firing: Bool
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: Int64
        /// nil while firing (Alertmanager sends `0001-01-01T00:00:00Z`).
        public var endsAt: Int64?
        public var fingerprint: String

        public var name: String { labels["alertname"] ?? "alert" }
    }

    public var firing: Bool
    public var alerts: [Alert]

    struct Body: Decodable {
        var version: String
        var status: String
        var alerts: [RawAlert]
    }

    struct RawAlert: Decodable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]?
        var startsAt: String
        var endsAt: String?
        var fingerprint: String?
    }

    /// Decodes a payload; errors name the field (e.g. `alerts[0].startsAt`) and what is wrong with it.
    public static func decode(_ data: Data) throws -> AlertmanagerWebhook {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw WebhookError(path(ctx.codingPath + [key]), "is missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw WebhookError(path(ctx.codingPath), "has the wrong type: \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw WebhookError(path(ctx.codingPath), "is null")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw WebhookError(path(ctx.codingPath), "is not valid JSON: \(ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription)")
        }
        guard body.version == "4" else { throw WebhookError("version", "is \"\(body.version)\"; only version 4 payloads are understood") }
        guard body.status == "firing" || body.status == "resolved" else {
            throw WebhookError("status", "must be firing or resolved, not \"\(body.status)\"")
        }
        var alerts: [Alert] = []
        for (i, a) in body.alerts.enumerated() {
            guard a.status == "firing" || a.status == "resolved" else {
                throw WebhookError("alerts[\(i)].status", "must be firing or resolved, not \"\(a.status)\"")
            }
            guard let starts = parseTime(a.startsAt) else { throw WebhookError("alerts[\(i)].startsAt", "is not an RFC 3339 time: \"\(a.startsAt)\"") }
            var ends: Int64?
            if let e = a.endsAt, !e.hasPrefix("0001-01-01") {
                guard let t = parseTime(e) else { throw WebhookError("alerts[\(i)].endsAt", "is not an RFC 3339 time: \"\(e)\"") }
                ends = t
            }
            if a.status == "resolved" && ends == nil { throw WebhookError("alerts[\(i)].endsAt", "is required for a resolved alert") }
            // Alertmanager always sends a fingerprint; without one the sorted labels identify the alert.
            let fp = a.fingerprint ?? a.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            alerts.append(Alert(firing: a.status == "firing", labels: a.labels, annotations: a.annotations ?? [:],
                                startsAt: starts, endsAt: ends, fingerprint: fp))
        }
        return AlertmanagerWebhook(firing: body.status == "firing", alerts: alerts)
    }

    static func path(_ keys: [CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s.isEmpty ? "body" : s
    }

    /// RFC 3339 with an optional fraction of up to nine digits.
    static func parseTime(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        var text = s
        var fraction: Int64 = 0
        if let dot = s.firstIndex(of: ".") {
            let rest = s[s.index(after: dot)...]
            let digits = rest.prefix { $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            fraction = Int64(digits + String(repeating: "0", count: 9 - digits.count))!
            text = String(s[..<dot]) + rest.dropFirst(digits.count)
        }
        guard let d = f.date(from: text) else { return nil }
        return Int64(d.timeIntervalSince1970) * 1_000_000_000 + fraction
    }
}

/// A payload that cannot be used: the field and the problem.
public struct WebhookError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let problem: String
    init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }
    public var description: String { "\(field) \(problem)" }
}
