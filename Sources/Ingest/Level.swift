/// The normalised severity every format parser maps its own level words to; it becomes the `level` stream label.
///
/// The set is Grafana's `detected_level` values minus `unknown` (a line without a level gets no `level` label).
public enum Level: String, CaseIterable, Sendable {
    case critical, error, warn, info, debug, trace

    /// Maps a level word in any letter case: `ERROR`/`err`/`E` → error, `WARNING`/`warn`/`W` → warn,
    /// `FATAL`/`CRIT`/`CRITICAL`/`PANIC`/`ALERT`/`EMERG` → critical, `NOTICE`/`INFO`/`I` → info,
    /// `DEBUG`/`D`/`DEBUG1…5`/`VERBOSE` → debug, `TRACE` → trace; anything else is nil.
    public static func parse(_ p: UnsafeRawBufferPointer, _ range: Range<Int>) -> Level? {
        let n = range.count
        guard n >= 1, n <= 8 else { return nil }
        // Pack up to 8 lower-cased bytes into one integer and switch on it: no String, no allocation.
        var key: UInt64 = 0
        for i in range {
            let b = p[i]
            let isLetterOrDigit = (b | 0x20) &- UInt8(ascii: "a") < 26 || b &- ASCII.zero < 10
            guard isLetterOrDigit else { return nil }
            key = key << 8 | UInt64(b &- ASCII.zero < 10 ? b : b | 0x20)
        }
        return byKey[key]
    }

    private static func key(_ s: StaticString) -> UInt64 {
        var k: UInt64 = 0
        for i in 0..<s.utf8CodeUnitCount { k = k << 8 | UInt64(s.utf8Start[i]) }
        return k
    }

    private static let byKey: [UInt64: Level] = {
        var m: [UInt64: Level] = [:]
        let words: [(StaticString, Level)] = [
            ("fatal", .critical), ("crit", .critical), ("critical", .critical), ("panic", .critical),
            ("alert", .critical), ("emerg", .critical), ("f", .critical), ("c", .critical),
            ("error", .error), ("err", .error), ("e", .error), ("eror", .error),
            ("warning", .warn), ("warn", .warn), ("w", .warn),
            ("info", .info), ("notice", .info), ("i", .info), ("log", .info), ("n", .info),
            ("debug", .debug), ("d", .debug), ("verbose", .debug), ("dbug", .debug),
            ("debug1", .debug), ("debug2", .debug), ("debug3", .debug), ("debug4", .debug), ("debug5", .debug),
            ("trace", .trace), ("t", .trace),
        ]
        for (w, l) in words { m[key(w)] = l }
        return m
    }()

    /// Syslog severity 0–7 (the low three bits of a `<PRI>` or a `/dev/kmsg` record's first field).
    public static func syslog(_ severity: Int) -> Level {
        switch severity & 7 {
        case 0, 1, 2: .critical
        case 3: .error
        case 4: .warn
        case 5, 6: .info
        default: .debug
        }
    }
}
