/// The log formats a source can declare (`format:` in `mclog.yaml`, `mclog import --format`). Each has a parser
/// on bytes in `Format+<Family>.swift`.
public enum LogFormat: String, CaseIterable, Sendable {
    /// nginx/apache combined log, optionally with `$request_time $upstream_response_time` appended.
    case nginxAccess = "nginx-access"
    /// nginx error log: `2025/11/21 10:15:03 [error] 1234#0: *5678 …`.
    case nginxError = "nginx-error"
    /// Python `logging` (`2025-11-21 10:15:03,123 ERROR app.main: …`) and uvicorn (`INFO:     … "GET / HTTP/1.1" 200`).
    case python
    /// The same parser as `python`, named for FastAPI/uvicorn backends.
    case uvicorn
    /// vLLM: `INFO 11-21 10:15:03 [engine.py:123] …`, optionally prefixed `(EngineCore_DP0 pid=42) `.
    case vllm
    /// One JSON object per line.
    case json
    /// `key=value key="quoted value"` lines.
    case logfmt
    /// Kernel messages: `/dev/kmsg` records, `dmesg` (`[  201.65] …`, `<6>[…]`) and `dmesg --time-format iso`.
    case kernel
    /// RFC 3164 (`Nov 21 10:15:03 host app[1]: …`) and RFC 5424 (`<34>1 2025-11-21T10:15:03Z host …`).
    case syslog
    /// Any text: a leading timestamp in any form `TimestampParser(.auto)` knows and a level word near the start.
    case plain
    /// PostgreSQL's stderr log: `2025-11-21 10:15:03.123 UTC [1234] LOG:  duration: 5123.456 ms  statement: …`.
    case postgres
    /// Redis: `1234:M 21 Nov 2025 10:15:03.123 # WARNING …`.
    case redis

    /// The multiline rule a source of this format uses unless its config names another.
    public var defaultMultiline: MultilineRule.Kind {
        switch self {
        case .python, .uvicorn, .vllm: .pythonTraceback
        case .nginxError, .postgres: .timestamped
        default: .none
        }
    }

    /// The names, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
