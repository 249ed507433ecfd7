import Foundation

/// Chromium from Debian (`apt-get install chromium`) in headless mode, for checking that an HTML page renders.
/// Each run gets a throwaway profile (`--user-data-dir`) and stays off the network: background services are
/// off, so what the network log records is what the page asked for.
struct HeadlessChromium {
    let executable: String
    /// Layout width of every run: the same width lays a page out the same way in every run.
    let width: Int

    /// `chromium` on the PATH, or nil.
    static let installed: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// `MCLOG_TEST_REQUIRE_CHROMIUM=1` (set by `.ci/run`): a missing browser fails the tests instead of skipping them.
    static var required: Bool { ProcessInfo.processInfo.environment["MCLOG_TEST_REQUIRE_CHROMIUM"] == "1" }

    static let missingMessage = "Chromium is not installed (apt-get install chromium): the browser test is skipped; "
        + "MCLOG_TEST_REQUIRE_CHROMIUM=1 makes it fail instead"

    func flags(profile: String, height: Int) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + profile,
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
         "--window-size=\(width),\(height)"]
    }

    /// The page's DOM after loading it (scripts run), as `--dump-dom` prints it.
    func dumpDOM(_ page: String, height: Int = 1000) throws -> String {
        let profile = CLI.temporaryDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let r = try ChildProcess.run(executable, flags(profile: profile, height: height) + ["--dump-dom", URL(fileURLWithPath: page).absoluteString])
        guard r.status == 0, r.stdout.contains("<html") else {
            throw Failure(description: "chromium --dump-dom \(page) failed (\(r.status)): \(r.stderr.suffix(2000))")
        }
        return r.stdout
    }

    /// A screenshot of the page's top `height` pixels, and the network log of loading it.
    func screenshot(_ page: String, height: Int, to png: String, netLog: String) throws {
        let profile = CLI.temporaryDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let r = try ChildProcess.run(executable, flags(profile: profile, height: height)
            + ["--screenshot=" + png, "--log-net-log=" + netLog, URL(fileURLWithPath: page).absoluteString])
        guard r.status == 0, FileManager.default.fileExists(atPath: png) else {
            throw Failure(description: "chromium --screenshot \(page) failed (\(r.status)): \(r.stderr.suffix(2000))")
        }
    }

    /// The URLs a page loaded from the network, from a network log (`--log-net-log`): requests started by a
    /// `file://` page carry the opaque initiator `null`; the browser's own requests (none expected, but they
    /// would carry none or their own origin) are not the page's.
    static func pageRequests(netLog path: String) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let types = ((json?["constants"] as? [String: Any])?["logEventTypes"] as? [String: Int]) ?? [:]
        guard let startJob = types["URL_REQUEST_START_JOB"], let events = json?["events"] as? [[String: Any]] else {
            throw Failure(description: "\(path) is not a Chromium network log with URL_REQUEST_START_JOB events")
        }
        return events.compactMap { e in
            guard e["type"] as? Int == startJob, let p = e["params"] as? [String: Any], let url = p["url"] as? String,
                  p["initiator"] as? String == "null" || (p["site_for_cookies"] as? String)?.hasPrefix("file:") == true
            else { return nil }
            return url
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
