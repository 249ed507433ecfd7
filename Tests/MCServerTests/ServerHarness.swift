import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import LogStore
import Storage
@testable import MCServer

/// A store in a fresh temporary directory with the API over it, tested in-process through the router.
struct ServerHarness {
    let directory: String
    let store: LogStore
    let api: LokiAPI

    init(options: ServerOptions = ServerOptions(), limits: Limits = Limits(), name: String = #function) throws {
        directory = NSTemporaryDirectory() + "mclog-server-" + name.filter { $0.isLetter || $0.isNumber } + "-"
            + UUID().uuidString
        var o = StoreOptions()
        o.limits = limits
        o.maintenanceIntervalSeconds = 0
        store = try LogStore(directory: directory, options: o)
        api = LokiAPI(store: store, options: options, configText: "auth:\n  token: s3cret\ndata: ./data")
    }

    func close() {
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` with a client that sends requests straight to the router.
    func withClient<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await LokiServer(api: api).application().test(.router, body)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body parsed as JSON.
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }

    /// `{"message": …}` of an error response.
    var message: String? { (json as? [String: Any])?["message"] as? String }
}

/// `{"streams":[…]}` for one stream.
func pushJSON(_ labels: [String: String], _ values: [(Int64, String)], metadata: [String: String]? = nil) -> String {
    let stream = labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
    let md = metadata.map { "," + "{" + $0.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}" } ?? ""
    let vals = values.map { "[\"\($0.0)\",\"\($0.1)\"\(md)]" }.joined(separator: ",")
    return "{\"streams\":[{\"stream\":{\(stream)},\"values\":[\(vals)]}]}"
}

extension TestClientProtocol {
    func push(_ body: String, tenant: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/json"
        if let tenant { h[HTTPField.Name("X-Scope-OrgID")!] = tenant }
        return try await execute(uri: "/loki/api/v1/push", method: .post, headers: h, body: ByteBuffer(string: body))
    }

    func get(_ path: String, _ params: [(String, String)] = [], tenant: String? = nil, headers: HTTPFields = [:])
        async throws -> TestResponse
    {
        var h = headers
        if let tenant { h[HTTPField.Name("X-Scope-OrgID")!] = tenant }
        return try await execute(uri: path + query(params), method: .get, headers: h)
    }

    func query(_ params: [(String, String)]) -> String {
        guard !params.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "?" + params.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }
}

/// Seconds since the epoch as ns.
func sec(_ s: Int64) -> Int64 { s * 1_000_000_000 }
