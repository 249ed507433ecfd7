import Foundation
import Storage

/// A real PostgreSQL server for tests. `MCLOG_TEST_POSTGRES_URL` names one (`.ci/run` starts a server and sets
/// it); without it, the first test that asks starts a throwaway cluster with `postgres-cluster.sh` (initdb +
/// pg_ctl from the installed PostgreSQL, as the `postgres` user when run as root), which is stopped and deleted
/// when the test process exits. Each test works in a database of its own, so tests run in parallel.
public enum TestPostgres {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("postgres-cluster.sh").path

    /// Started once per test process (Swift runs a static's initializer exactly once, thread-safely).
    private static let server: Result<String, Failure> = {
        if let url = ProcessInfo.processInfo.environment["MCLOG_TEST_POSTGRES_URL"], !url.isEmpty { return .success(url) }
        let dir = NSTemporaryDirectory() + "mclog-test-postgres-" + UUID().uuidString
        // popen/pclose rather than Foundation's Process: a Process started while Swift Testing's threads are all
        // busy waited forever for its exit notification. The script's watchdog stops the cluster once this process
        // is gone, also after a crash or kill -9.
        let errFile = dir + ".stderr"
        guard let f = popen("'\(script)' start '\(dir)' \(getpid()) 2>'\(errFile)' </dev/null", "r") else {
            return .failure(Failure(description: "cannot run \(script)"))
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        let status = pclose(f)
        let message = ((try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(atPath: errFile)
        let url = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // pclose's status is -1 when another part of the process reaped the child first; the output then decides.
        guard url.hasPrefix("postgres://"), status == 0 || status == -1 else {
            return .failure(Failure(description: message.contains("not installed")
                ? "the PostgreSQL tests need a server: \(message) — or set MCLOG_TEST_POSTGRES_URL to a server's URL"
                : "could not start a throwaway PostgreSQL cluster (\(script) start \(dir)): \(message)"))
        }
        return .success(url)
    }()

    /// The server's URL (a superuser connection to its `postgres` database).
    public static func serverURL() throws -> String { try server.get() }

    /// Runs `body` with the connection string of a new, empty database, dropped afterwards (even when `body`
    /// throws). Connections `body` opened must be closed by then; leftovers are terminated by `DROP … WITH (FORCE)`.
    public static func withDatabase<T>(_ body: (String) throws -> T) throws -> T {
        let base = try PostgresConnectionString(try serverURL())
        let admin = try PostgresConnection(base.text)
        let name = "mclog_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try admin.execute("CREATE DATABASE \(name)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        return try body(base.with("dbname", name).text)
    }

    /// A connection string for a server that does not answer: a port on 127.0.0.1 nobody listens on.
    public static func unreachableURL() -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, len)
                return getsockname(fd, p, &len)
            }
        }
        // Bound but never listening: a connection attempt is refused.
        return "postgres://mclog@127.0.0.1:\(UInt16(bigEndian: addr.sin_port))/mclog?connect_timeout=5"
    }
}
