import Foundation
import Incidents

/// One `mclog demo` run shared by the tests of a process (a debug build takes a minute or more to write, ingest
/// and correlate the day): its folder, the post-mortem JSON the demo printed, and the HTML post-mortem of the
/// same incident rendered by `mclog postmortem` right after, before any test adds notes to it.
struct DemoRun: Sendable {
    let dir: String
    /// The demo's own output (`--format json`).
    let postMortemJSON: String
    /// `mclog postmortem ID --format html` of the incident the demo printed.
    let postMortemHTML: String
    let incidentID: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs once per test process (a static's initializer runs exactly once, thread-safely).
    static let shared: Result<DemoRun, Failure> = {
        do { return .success(try make()) } catch let f as Failure { return .failure(f) } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    private static func make() throws -> DemoRun {
        let dir = CLI.temporaryDirectory("demo")
        // A lower request rate than the default keeps the debug-build run short; the incident is the same.
        let demo = try ChildProcess.run(CLI.binary, ["demo", "--dir", dir, "--rate", "6", "--format", "json", "--out", dir + "/pm.json"])
        guard demo.status == 0 else { throw Failure(description: "mclog demo failed (\(demo.status)): \(demo.stderr)") }
        let pm = try JSONDecoder().decode(PostMortem.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/pm.json")))
        guard let id = pm.id?.description else { throw Failure(description: "the demo's post-mortem has no incident ID") }
        let html = try ChildProcess.run(CLI.binary, ["postmortem", "--data", dir + "/data", id, "--format", "html", "--out", dir + "/pm.html"])
        guard html.status == 0 else { throw Failure(description: "mclog postmortem --format html failed: \(html.stderr)") }
        return DemoRun(dir: dir, postMortemJSON: dir + "/pm.json", postMortemHTML: dir + "/pm.html", incidentID: id)
    }
}
