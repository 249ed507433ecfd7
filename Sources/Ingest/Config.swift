import LogStore
import Storage

/// The ingest configuration, `mclog.yaml`: where the store lives, the HTTP address `mclog serve` listens on,
/// tenant limits, the tailer's settings and the log sources. Every key is documented in README.md
/// ("Configuration"); `IngestConfig.load(path:)` reads and validates a file.
public struct IngestConfig: Sendable {
    /// The file this configuration was read from, if any (for messages).
    public var file: String?
    /// The store's data directory (absolute, or relative to the working directory when parsed from a string
    /// without a base directory).
    public var dataDirectory: String
    /// `host:port` for `mclog serve`.
    public var listen: String
    /// The tenant of sources that name none.
    public var defaultTenant: String
    /// The store's limits (line size, streams per tenant, rates, retention).
    public var limits: Limits
    /// Where the tailer keeps its positions (default `<data>/ingest-positions`).
    public var positionsFile: String
    public var tailer: TailerSettings
    /// The HTTP API's limits and authentication (`server:`).
    public var server = ServerSettings()
    /// Where incidents (and, with scale-out, block metadata) live: `embedded` or a PostgreSQL database.
    public var metastore = MetastoreLocation.embedded
    /// Rule evaluation by `mclog serve` (`incidents:`).
    public var incidents = IncidentSettings()
    /// Retention and compaction of the span store (`traces:`).
    public var traces = TraceSettings()
    public var sources: [SourceConfig]

    /// The address `listen` defaults to.
    public static let defaultListen = "127.0.0.1:3100"

    public init(dataDirectory: String, sources: [SourceConfig] = []) {
        self.dataDirectory = dataDirectory
        listen = Self.defaultListen
        defaultTenant = Tenant.defaultID
        limits = Limits()
        positionsFile = dataDirectory + "/ingest-positions"
        tailer = TailerSettings()
        self.sources = sources
    }

    /// Store options carrying these limits.
    public var storeOptions: StoreOptions {
        var o = StoreOptions()
        o.limits = limits
        return o
    }
}

/// How the tailer polls and batches (`tailer:` in `mclog.yaml`).
public struct TailerSettings: Sendable {
    /// How often files are checked for new data, new names, rotation and truncation.
    public var pollIntervalNanos: Int64 = 250_000_000
    /// The most line bytes gathered into one store append (one WAL record, one fsync).
    public var batchBytes = 4 << 20
    /// How long a last line without its newline is held before it is sent as it is.
    public var partialLineTimeoutNanos: Int64 = 5_000_000_000
    /// How long a file that was renamed out of the globs or deleted stays open, at its end, for late writes.
    public var rotateWaitNanos: Int64 = 5_000_000_000
    /// How many bytes of a file's start identify it (its fingerprint).
    public var fingerprintBytes = 256

    public init() {}
}

/// One log source: a set of files with one format and one set of static labels.
public struct SourceConfig: Sendable {
    /// A name for messages and rates: the `name:` key, else the first path pattern as written.
    public var name: String
    /// Absolute glob patterns (`*`, `?`, `[…]`).
    public var paths: [String]
    /// Patterns (matched against the full path, or the file name when they contain no `/`) that are not tailed.
    public var exclude: [String]
    public var format: LogFormat
    public var tenant: String
    /// Static stream labels.
    public var labels: [Label]
    /// Whether parsed levels become a `level` stream label.
    public var levelLabel = true
    /// Whether the file's path becomes a `filename` stream label.
    public var filenameLabel = false
    /// Where timestamps come from and the zone of those written without one.
    public var timestamp = TimestampSettings()
    public var multiline: MultilineRule
    /// The extracted fields that go to structured metadata (all of them by default).
    public var metadataFields: [MetadataField] = MetadataField.allCases
    /// A PCRE2 regex whose first capture group (or whole match) is the line's `trace_id`, searched when the
    /// parser found none; nil turns the search off.
    public var traceIDPattern: String? = SourceConfig.defaultTraceIDPattern
    /// Derives a label (by default `zone`) per line.
    public var derivedLabel: DerivedLabel?

    /// The default trace-id search: `trace_id=…`, `"traceId":"…"`, `trace-id: …` and W3C `traceparent`, 16–32 hex digits.
    public static let defaultTraceIDPattern =
        #"(?i)(?:trace[_.-]?id|traceparent)["']?\s*[:=]\s*["']?(?:00-)?([0-9a-f]{32}|[0-9a-f]{16})\b"#

    public init(name: String, paths: [String], format: LogFormat, tenant: String = Tenant.defaultID,
                labels: [Label] = []) {
        self.name = name
        self.paths = paths
        self.exclude = []
        self.format = format
        self.tenant = tenant
        self.labels = labels
        multiline = MultilineRule(kind: format.defaultMultiline)
    }
}

/// `timestamp:` of a source.
public struct TimestampSettings: Sendable {
    /// `line` (parse it from the line, else the previous line's, else the read time) or `ingest` (always the
    /// read time).
    public var fromLine = true
    /// East of UTC, for timestamps written without a zone.
    public var zoneOffsetSeconds = 0

    public init() {}
}

/// A label computed per line from a regex capture, mapped through a table: how nginx lines get their `zone`
/// from the server name.
public struct DerivedLabel: Sendable {
    public var name: String
    /// PCRE2; its first capture group (or the whole match) is the value looked up in `map`.
    public var pattern: String
    /// Value patterns (exact, or with `*` wildcards) to label values, tried in order.
    public var map: [(pattern: String, value: String)]
    /// The value when nothing matches; nil leaves the label off.
    public var defaultValue: String?

    /// The default pattern: the host of nginx's `vhost_combined`-style first field (`api.kzone.example:443 …`)
    /// or a `host="…"`/`"host":"…"` field.
    public static let defaultPattern = #"^([A-Za-z0-9.-]+\.[A-Za-z]{2,})(?::\d+)? |\bhost[=:]\s*"?([^\s",:]+)"#

    public init(name: String, pattern: String, map: [(pattern: String, value: String)], defaultValue: String?) {
        self.name = name
        self.pattern = pattern
        self.map = map
        self.defaultValue = defaultValue
    }
}
