import Foundation
import Hummingbird
import Incidents

extension IncidentAPI {
    /// `POST /api/v1/alerts`: Alertmanager's webhook (JSON, version 4). Firing alerts open an incident or join
    /// the open one of their zone; resolved alerts record their end and close the incident when all its alerts
    /// are resolved (`AlertJoiner`). Repeats of a notification change nothing. The answer lists the incidents
    /// touched; a payload that cannot be used is a 400 naming the field.
    func addAlertRoutes(_ router: Router<BasicRequestContext>) {
        router.post("/api/v1/alerts") { request, _ -> Response in
            let store = try self.store(for: request)
            let contentType = request.headers[.contentType]?.lowercased() ?? "application/json"
            guard contentType.hasPrefix("application/json") else {
                throw APIError(.unsupportedMediaType,
                               "unsupported Content-Type \"\(contentType)\": the Alertmanager webhook sends application/json")
            }
            let body = try await request.collectBody(upTo: self.maxBodyBytes)
            let webhook: AlertmanagerWebhook
            do {
                webhook = try AlertmanagerWebhook.decode(Data(body.readableBytesView))
            } catch let e as WebhookError {
                throw APIError.badRequest("invalid Alertmanager payload: \(e)")
            }
            let touched = try await BlockingWork.run { try AlertJoiner(store: store).apply(webhook) }
            return .json("{\"status\":\"success\",\"incidents\":" + JSONText.stringArray(touched.map(\.description)) + "}")
        }
    }
}
