import ByteSearch
import Foundation
import LogStore
import Yams

extension IngestConfig {
    /// Reads and validates a configuration file. Relative paths in it (`data`, `positions`, source `path`s)
    /// resolve against the file's folder. Errors name the file, line, key path and the problem.
    public static func load(path: String) throws -> IngestConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the file")
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let folder = (absolute as NSString).deletingLastPathComponent
        return try parse(yaml: text, file: path, baseDirectory: folder)
    }

    /// Parses and validates configuration text; relative paths resolve against `baseDirectory`.
    public static func parse(yaml: String, file: String = "mclog.yaml", baseDirectory: String) throws -> IngestConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "the file is empty")
            }
            root = node
        } catch let e as ConfigError {
            throw e
        } catch let e as YamlError {
            throw ConfigError.yaml(e, file: file)
        }
        let doc = YAMLCursor(node: root, path: "", file: file)
        let keys = try doc.mapping(allowed: ["data", "listen", "tenant", "limits", "positions", "tailer", "server", "metastore",
                                            "incidents", "traces", "sources"])
        let base = baseDirectory
        func resolve(_ p: String) -> String { Self.resolve(p, against: base) }

        guard let data = keys["data"] else { throw doc.error("missing the required key \"data\" (the data directory)") }
        var config = IngestConfig(dataDirectory: resolve(try data.nonEmptyString()))
        config.file = file
        if let l = keys["listen"] { config.listen = try l.listenAddress() }
        if let t = keys["tenant"] { config.defaultTenant = try t.tenant() }
        if let l = keys["limits"] { config.limits = try l.limits() }
        if let p = keys["positions"] { config.positionsFile = resolve(try p.nonEmptyString()) }
        if let t = keys["tailer"] { config.tailer = try t.tailer() }
        if let s = keys["server"] { config.server = try s.server() }
        if let m = keys["metastore"] { config.metastore = try m.metastore() }
        if let i = keys["incidents"] { config.incidents = try i.incidents(resolve: resolve) }
        if let t = keys["traces"] { config.traces = try t.traces() }
        if let s = keys["sources"] {
            for (i, item) in try s.sequence().enumerated() {
                config.sources.append(try item.source(index: i, defaultTenant: config.defaultTenant,
                                                      limits: config.limits, resolve: resolve))
            }
        }
        return config
    }

    /// `p` made absolute against `base`; a leading `~/` is the home directory.
    static func resolve(_ p: String, against base: String) -> String {
        if p.hasPrefix("/") { return p }
        if p.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] { return home + p.dropFirst(1) }
        var rest = Substring(p)
        while rest.hasPrefix("./") { rest = rest.dropFirst(2) }
        return base.hasSuffix("/") ? base + rest : base + "/" + rest
    }
}

extension ConfigError {
    /// A YAML syntax error with its position.
    static func yaml(_ e: YamlError, file: String) -> ConfigError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, keyPath: "",
                               message: "YAML syntax: \(problem)")
        default:
            return ConfigError(file: file, line: nil, column: nil, keyPath: "", message: "YAML: \(e)")
        }
    }
}

/// A node of the YAML document with its key path, for typed reads that fail with the path and line.
struct YAMLCursor {
    let node: Node
    let path: String
    let file: String

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: path, message: message)
    }

    func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The mapping's values by key; a key not in `allowed` or given twice is an error.
    func mapping(allowed: Set<String>?) throws -> [String: YAMLCursor] {
        guard case .mapping(let m) = node else { throw error("expected a mapping (key: value lines)") }
        var out: [String: YAMLCursor] = [:]
        var order: [String] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error("a key must be a plain string") }
            let key = ks.string
            let c = YAMLCursor(node: k, path: child(key), file: file)
            if let allowed, !allowed.contains(key) {
                throw c.error("unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            if out[key] != nil { throw c.error("the key is given twice") }
            out[key] = YAMLCursor(node: v, path: child(key), file: file)
            order.append(key)
        }
        return out
    }

    /// A mapping's pairs in document order, keys as strings.
    func pairs() throws -> [(String, YAMLCursor)] {
        guard case .mapping(let m) = node else { throw error("expected a mapping (key: value lines)") }
        return try m.map { k, v in
            guard case .scalar(let ks) = k else { throw error("a key must be a plain string") }
            return (ks.string, YAMLCursor(node: v, path: child(ks.string), file: file))
        }
    }

    func sequence() throws -> [YAMLCursor] {
        guard case .sequence(let s) = node else { throw error("expected a list (lines starting with \"- \")") }
        return s.enumerated().map { YAMLCursor(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    var isNull: Bool {
        if case .scalar(let s) = node { return s.style == .plain && (s.string == "null" || s.string == "~" || s.string.isEmpty) }
        return false
    }

    func string() throws -> String {
        guard case .scalar(let s) = node else { throw error("expected a single value, not a list or mapping") }
        return s.string
    }

    func nonEmptyString() throws -> String {
        let s = try string()
        if s.isEmpty { throw error("must not be empty") }
        return s
    }

    /// A single string or a list of strings.
    func stringList() throws -> [String] {
        if case .sequence = node { return try sequence().map { try $0.nonEmptyString() } }
        return [try nonEmptyString()]
    }

    func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false")
        }
    }

    func int(min: Int = 0) throws -> Int {
        guard let v = Int(try string()), v >= min else { throw error("expected a whole number ≥ \(min)") }
        return v
    }

    func duration() throws -> Int64 {
        let s = try string()
        guard let v = ConfigValues.durationNanos(s) else {
            throw error("\"\(s)\" is not a duration (e.g. 250ms, 5s, 1m, 2h, 30d)")
        }
        return v
    }

    func bytes(min: Int = 1) throws -> Int {
        let s = try string()
        guard let v = ConfigValues.bytes(s), v >= min else {
            throw error("\"\(s)\" is not a size of at least \(min) bytes (e.g. 262144, 256KiB, 4MiB, 1GB)")
        }
        return v
    }

    func regex() throws -> String {
        let s = try nonEmptyString()
        do { _ = try Regex(s) } catch { throw self.error("\(error)") }
        return s
    }

    func tenant() throws -> String {
        let t = try nonEmptyString()
        do { try Tenant.validate(t) } catch { throw self.error("\(error)") }
        return t
    }

    func listenAddress() throws -> String {
        let s = try nonEmptyString()
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port)
        else { throw error("\"\(s)\" is not host:port (e.g. 127.0.0.1:3100, 0.0.0.0:3100, [::1]:3100)") }
        return s
    }
}
