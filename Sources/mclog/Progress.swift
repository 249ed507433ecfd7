import Foundation

/// Prints a live progress line on stderr when it is a terminal, at most every half second.
final class Progress {
    let enabled = isatty(2) == 1
    let started = Date()
    private var last = Date.distantPast

    func update(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.5 else { return }
        last = now
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text()).utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    var elapsed: Double { Date().timeIntervalSince(started) }
}

func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

func printError(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
