/// Parses entries of one `LogFormat`: timestamp (with the source's zone and year rules), level and the
/// structured-metadata fields. Allocation-free; one parser per source and thread.
///
/// Timezone rules: a timestamp that carries its zone (`Z`, `+02:00`, `+0200`, nginx's `+0330`, `UTC`) is exact.
/// One without (nginx error log, Python `asctime`, vLLM, syslog, Redis) is in `zoneOffsetSeconds` east of UTC
/// (the source's `timestamp.timezone`, UTC by default). Formats without a year (vLLM `11-21`, syslog `Nov 21`)
/// take `referenceYear`, or the year before when that would put the entry more than a day in the future.
public struct LineParser: Sendable {
    public let format: LogFormat
    public var zoneOffsetSeconds: Int
    /// The year given to timestamps without one, and the instant "the future" is measured from.
    public var referenceYear: Int
    public var referenceNanos: Int64

    /// A parser for `format`; `now` fixes the reference year (defaults to the current time).
    public init(format: LogFormat, zoneOffsetSeconds: Int = 0, now: Int64 = LineParser.nowNanos()) {
        self.format = format
        self.zoneOffsetSeconds = zoneOffsetSeconds
        referenceNanos = now
        referenceYear = CivilTime.year(ofUnixNanos: now)
    }

    /// Parses `line` into `fields` (which it resets first).
    public func parse(_ line: UnsafeRawBufferPointer, into fields: inout ParsedFields) {
        fields.reset()
        switch format {
        case .nginxAccess: NginxAccess.parse(line, &fields)
        case .nginxError: NginxError.parse(line, &fields)
        case .python, .uvicorn: PythonLog.parse(line, &fields)
        case .vllm: VLLMLog.parse(line, &fields, year: referenceYear)
        case .json: JSONLog.parse(line, &fields)
        case .logfmt: Logfmt.parse(line, &fields)
        case .kernel: KernelLog.parse(line, &fields, year: referenceYear)
        case .syslog: SyslogLog.parse(line, &fields, year: referenceYear)
        case .plain: PlainLog.parse(line, &fields)
        case .postgres: PostgresLog.parse(line, &fields)
        case .redis: RedisLog.parse(line, &fields)
        }
        if var t = fields.timestamp {
            if !fields.timestampHasZone { t -= Int64(zoneOffsetSeconds) * 1_000_000_000 }
            // A year-less date more than a day ahead is last year's (a December line read in January).
            if fields.timestampLacksYear, t > referenceNanos + 86_400_000_000_000,
               let shifted = CivilTime.shiftYears(t, by: -1) {
                t = shifted
            }
            fields.timestamp = t
        }
    }

    /// Whether `line` begins with this format's own timestamp: the start of an entry under the `timestamped`
    /// multiline rule (nginx error log, PostgreSQL), where continuation lines carry none.
    public func startsWithTimestamp(_ line: UnsafeRawBufferPointer) -> Bool {
        switch format {
        case .nginxError: TimestampParser.slash(line) != nil
        case .postgres, .python, .uvicorn, .json, .logfmt, .plain:
            TimestampParser.iso8601(line) != nil
        case .nginxAccess: TimestampParser.bracketedCommonLog(line, searchingFirst: TimestampParser.autoSearchWindow) != nil
        default: { var f = ParsedFields(); parse(line, into: &f); return f.timestamp != nil }()
        }
    }

    /// The current time in Unix nanoseconds.
    public static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

#if canImport(Glibc)
import Storage
import Glibc
#endif
