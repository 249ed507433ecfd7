/// The timestamp layouts `TimestampParser` recognises at the start of (or inside) a log line.
public enum TimestampFormat: String, CaseIterable, Sendable {
    /// Try the line-start forms (`iso8601`, `python`, `slash`), then the bracketed nginx/apache form in the first
    /// `TimestampParser.autoSearchWindow` bytes.
    case auto
    /// nginx/apache access logs: the first `[26/Jan/2019:19:45:25 +0330]` anywhere in the line; also the nginx
    /// error-log form `2025/11/21 10:15:03` at the line start.
    case nginx
    /// RFC 3339 / ISO 8601 at the line start or after a leading `[`: `2025-11-21T10:15:03Z`,
    /// `2025-11-21 10:15:03.123456789+01:00`; no zone means UTC.
    case iso8601
    /// Python `logging`'s default `asctime`, `2025-11-21 10:15:03,123` (fraction optional), at the line start.
    case python
    /// `2025/11/21 10:15:03` at the line start (nginx error log).
    case slash
    /// Never finds a timestamp: every line gets its ingestion time.
    case none
}

/// Finds the timestamp in a log line and converts it to Unix nanoseconds, UTC.
///
/// Works on the raw bytes and allocates nothing, so it can run on every line of an import. Dates are checked
/// (month 1–12, the day within its month including leap years, hour 0–23, minute and second 0–59) and converted with
/// a days-from-civil computation, not Foundation. A fraction of up to 9 digits may follow the seconds after `.` or `,`;
/// a zone may follow as `Z`, `±hh:mm`, `±hhmm` or `±hh`, and is applied. The byte after the timestamp must not be a
/// digit (`10:15:034` is not a timestamp). Times outside what `Int64` nanoseconds hold (1677-09-21 to 2262-04-11)
/// are not timestamps either.
public struct TimestampParser: Sendable {
    /// How far into the line `.auto` looks for the opening `[` of the bracketed nginx/apache form. Access-log
    /// prefixes (client address, ident, user, sometimes an `X-Forwarded-For` list) fit well within it; scanning
    /// whole lines for `[` would mistake a bracket in a message body for the line's time.
    public static let autoSearchWindow = 200

    /// The layout this parser looks for.
    public let format: TimestampFormat

    /// A parser for one layout; `.auto` tries them all.
    public init(format: TimestampFormat) {
        self.format = format
    }

    /// The line's timestamp in Unix nanoseconds (UTC), or nil if the line has none in this parser's format.
    public func parse(_ line: UnsafeRawBufferPointer) -> Int64? {
        switch format {
        case .auto:
            // `python` is the space-separated subset of `iso8601`, so trying `iso8601` covers both.
            return Self.iso8601(line) ?? Self.slash(line)
                ?? Self.bracketedCommonLog(line, searchingFirst: Self.autoSearchWindow)
        case .nginx:
            return Self.slash(line) ?? Self.bracketedCommonLog(line, searchingFirst: line.count)
        case .iso8601:
            return Self.iso8601(line)
        case .python:
            return Self.python(line)
        case .slash:
            return Self.slash(line)
        case .none:
            return nil
        }
    }

    /// `YYYY-MM-DD(T| )hh:mm:ss…` at offset 0, or at offset 1 after a `[`.
    static func iso8601(_ line: UnsafeRawBufferPointer) -> Int64? {
        let start = line.byte(at: 0) == ASCII.leftBracket ? 1 : 0
        return dateTime(in: line, at: start, dateSeparator: ASCII.hyphen, allowsT: true)?.nanos
    }

    /// `YYYY-MM-DD hh:mm:ss[,fff]` at offset 0.
    static func python(_ line: UnsafeRawBufferPointer) -> Int64? {
        dateTime(in: line, at: 0, dateSeparator: ASCII.hyphen, allowsT: false)?.nanos
    }

    /// `YYYY/MM/DD hh:mm:ss` at offset 0.
    static func slash(_ line: UnsafeRawBufferPointer) -> Int64? {
        dateTime(in: line, at: 0, dateSeparator: ASCII.slash, allowsT: false)?.nanos
    }
}
