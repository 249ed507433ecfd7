import ByteSearch

/// How a source joins lines into entries (`multiline:` in `mclog.yaml`).
public struct MultilineRule: Sendable {
    /// Which lines start an entry; every other line is appended (with its `\n`) to the entry before it.
    public enum Kind: Sendable, Equatable {
        /// Every line is an entry.
        case none
        /// Python: a `Traceback (most recent call last):` line, the indented frames after it, the exception line
        /// that ends it, and chained tracebacks (`During handling of the above exception…`,
        /// `The above exception was the direct cause…`) belong to the entry before. vLLM's per-line headers
        /// (`(EngineCore pid=1) ERROR 11-21 10:15:03 [x.py:1] `) are looked past.
        case pythonTraceback
        /// Java: lines starting with whitespace (`\tat …`, `    ... 12 more`), `Caused by:`, `Suppressed:`, and a
        /// qualified exception class line (`java.io.IOException: …`) belong to the entry before.
        case javaStackTrace
        /// A line starts an entry when it begins with the format's own timestamp (nginx error log, PostgreSQL).
        case timestamped
        /// A line starts an entry when this regex (PCRE2) matches it.
        case startPattern(String)
    }

    public var kind: Kind
    /// The largest entry in bytes; a longer one is cut there and the rest starts a new entry.
    public var maxBytes: Int
    /// The most lines in one entry.
    public var maxLines: Int
    /// How long an entry waits for continuation lines before it is sent on its own (nanoseconds).
    public var maxWaitNanos: Int64

    public init(kind: Kind, maxBytes: Int = 128 << 10, maxLines: Int = 1000, maxWaitNanos: Int64 = 3_000_000_000) {
        self.kind = kind
        self.maxBytes = maxBytes
        self.maxLines = maxLines
        self.maxWaitNanos = maxWaitNanos
    }
}

/// Decides, line by line, whether a line continues the current entry. Holds the traceback state of the entry
/// being built, which restarts with every entry so that re-reading from an entry boundary decides the same way.
final class LineJoiner {
    let rule: MultilineRule
    let parser: LineParser
    private let matcher: Regex.Matcher?
    private var inTraceback = false
    private var afterException = false

    init(rule: MultilineRule, parser: LineParser) throws {
        self.rule = rule
        self.parser = parser
        if case .startPattern(let pattern) = rule.kind {
            matcher = Regex.Matcher(try Regex(pattern))
        } else {
            matcher = nil
        }
    }

    var joinsLines: Bool { rule.kind != .none }

    /// Whether `line` continues the entry started before it; when it does not, the state restarts with it.
    func continues(_ line: UnsafeRawBufferPointer) -> Bool {
        switch rule.kind {
        case .none: return false
        case .timestamped: return !parser.startsWithTimestamp(line)
        case .startPattern: return !matcher!.matches(line)
        case .javaStackTrace: return Self.javaContinuation(line)
        case .pythonTraceback:
            let bodyStart = parser.format == .vllm ? VLLMLog.messageStart(line) : 0
            let body = UnsafeRawBufferPointer(rebasing: line[bodyStart...])
            let cont = pythonContinuation(body)
            if !cont {
                inTraceback = body.matches("Traceback (most recent call last):", at: 0)
                afterException = false
            }
            return cont
        }
    }

    private func pythonContinuation(_ body: UnsafeRawBufferPointer) -> Bool {
        if body.matches("Traceback (most recent call last):", at: 0) {
            inTraceback = true
            afterException = false
            return true
        }
        if body.matches("During handling of the above exception", at: 0)
            || body.matches("The above exception was the direct cause", at: 0) {
            inTraceback = false
            afterException = true
            return true
        }
        if inTraceback {
            if body.isEmpty || body[0] == ASCII.space || body[0] == ASCII.tab { return true }
            // The first unindented line after the frames is the exception (`ValueError: bad`): it ends them.
            inTraceback = false
            afterException = true
            return true
        }
        if afterException {
            // Chained exceptions are separated by blank lines; an exception message may continue indented.
            return body.isEmpty || body[0] == ASCII.space || body[0] == ASCII.tab
        }
        return false
    }

    static func javaContinuation(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let first = line.first else { return false }
        if first == ASCII.space || first == ASCII.tab { return true }
        if line.matches("Caused by:", at: 0) || line.matches("Suppressed:", at: 0) || line.matches("...", at: 0) {
            return true
        }
        // `a.b.CException: msg` or `a.b.CError` alone: a dotted identifier naming an exception class.
        var i = 0, dots = 0
        while i < line.count {
            let b = line[i]
            if b == ASCII.dot { dots += 1 } else if !(b == UInt8(ascii: "_") || b == UInt8(ascii: "$")
                || (b | 0x20) &- UInt8(ascii: "a") < 26 || b &- ASCII.zero < 10) { break }
            i += 1
        }
        guard dots > 0, i == line.count || line[i] == ASCII.colon else { return false }
        let name = UnsafeRawBufferPointer(rebasing: line[0..<i])
        return name.find("Exception") != nil || name.find("Error") != nil || name.find("Throwable") != nil
    }
}
