import Foundation
import HTTPTypes
import Hummingbird
import LogStore

/// Which tenant a request acts for. `X-Scope-OrgID` names it (default `fake`, Loki's single-tenant id). With auth
/// on, the credentials decide the tenant: a missing or unknown credential is 401, and an `X-Scope-OrgID` naming
/// another tenant is 403, so nothing crosses tenants.
struct Tenancy: Sendable {
    let auth: AuthConfig?

    static let orgIDHeader = HTTPField.Name("X-Scope-OrgID")!

    func tenant(of request: Request) throws -> String {
        let claimed = request.headers[Self.orgIDHeader]?.trimmingCharacters(in: .whitespaces)
        guard let auth else {
            let t = (claimed?.isEmpty ?? true) ? Tenant.defaultID : claimed!
            do { try Tenant.validate(t) } catch { throw APIError.badRequest("invalid X-Scope-OrgID: \(error)") }
            return t
        }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "authentication required: send a bearer token or basic auth")
        }
        let tenant: String?
        if header.lowercased().hasPrefix("bearer ") {
            tenant = auth.bearerTokens[String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)]
        } else if header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: data, encoding: .utf8)
        {
            tenant = auth.basicUsers[pair]
        } else {
            tenant = nil
        }
        guard let tenant else { throw APIError(.unauthorized, "invalid credentials") }
        if let claimed, !claimed.isEmpty, claimed != tenant {
            throw APIError(.forbidden, "credentials do not grant access to tenant \(claimed)")
        }
        return tenant
    }
}
