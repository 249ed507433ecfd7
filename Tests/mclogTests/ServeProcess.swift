import Foundation

/// A real `mclog serve` child process on free loopback ports, with its stderr collected so that tests can read
/// the addresses it reports.
final class ServeProcess {
    let process = Process()
    private let err = Pipe()
    private let output = DataBox()
    private let lock = NSLock()
    private var stopped = false

    init(data: String, arguments: [String] = ["--listen", "127.0.0.1:0", "--otlp-listen", "none"]) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--data", data] + arguments
        process.standardError = err
        err.fileHandleForReading.readabilityHandler = { [output, lock] h in
            let d = h.availableData
            lock.lock()
            output.data.append(d)
            lock.unlock()
        }
        try process.run()
    }

    deinit { stop() }

    /// Waits (up to 20 s) until stderr holds `pattern` followed by an `http://127.0.0.1:PORT` URL; returns the URL.
    func address(after pattern: String = "listening on ") -> String? {
        for _ in 0..<400 {
            lock.lock()
            let text = String(decoding: output.data, as: UTF8.self)
            lock.unlock()
            if let r = text.range(of: NSRegularExpression.escapedPattern(for: pattern) + #"http://127\.0\.0\.1:[0-9]+"#,
                                  options: .regularExpression) {
                return String(text[r].dropFirst(pattern.count))
            }
            usleep(50_000)
        }
        return nil
    }

    /// SIGTERM, and wait for the exit.
    func stop() {
        guard !stopped else { return }
        stopped = true
        process.terminate()
        process.waitUntilExit()
        err.fileHandleForReading.readabilityHandler = nil
    }
}
