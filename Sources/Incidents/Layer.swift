/// A layer of the request path. A request enters at the edge (nginx), reaches a backend, which calls an AI engine,
/// the database or Redis; hosts (kernel) sit under all of them. The correlator blames the deepest layer among the
/// earliest anomalies, because failures propagate upward along this path.
public enum Layer: String, Codable, Sendable, CaseIterable, Comparable {
    case edge
    case backend
    case aiEngine = "ai-engine"
    case database
    case cache
    case host

    /// Distance from the client: 0 edge, 1 backend, 2 engines and data stores, 3 hosts.
    public var depth: Int {
        switch self {
        case .edge: 0
        case .backend: 1
        case .aiEngine, .database, .cache: 2
        case .host: 3
        }
    }

    public static func < (a: Layer, b: Layer) -> Bool { a.depth < b.depth }

    /// The layer of a stream by its `job` label (as `mclog.example.yaml` names the platform's sources).
    public static func of(job: String?) -> Layer? {
        switch job {
        case "nginx", "edge", "haproxy": .edge
        case "backend", "api", "worker": .backend
        case "ai-engine", "vllm", "whisper": .aiEngine
        case "postgres", "postgresql", "db": .database
        case "redis": .cache
        case "kernel", "syslog", "systemd": .host
        default: nil
        }
    }

    /// The service name people use in the post-mortem.
    public var service: String {
        switch self {
        case .edge: "edge (nginx)"
        case .backend: "backend API"
        case .aiEngine: "AI engine"
        case .database: "database"
        case .cache: "Redis"
        case .host: "host"
        }
    }
}
