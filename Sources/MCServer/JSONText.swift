import LogQL

/// JSON text helpers shared by the routes; quoting is LogQL's so that API and CLI output agree byte for byte.
enum JSONText {
    static func quote(_ s: String) -> String { ResultJSON.quote(s) }

    static func stringArray(_ a: [String]) -> String { "[" + a.map(quote).joined(separator: ",") + "]" }

    /// `{"status":"success","data":<data>}`
    static func success(_ data: String) -> String { "{\"status\":\"success\",\"data\":" + data + "}" }
}
