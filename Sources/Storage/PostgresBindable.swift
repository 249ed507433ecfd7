/// A value that can be a parameter (`$1`, `$2` …) of a statement, sent in PostgreSQL's text format; nil is SQL NULL.
/// The server converts the text to the parameter's type (`$1::date`, `$2::jsonb` where it cannot infer it).
public protocol PostgresBindable {
    var postgresText: String? { get }
}

extension String: PostgresBindable {
    public var postgresText: String? { self }
}

extension Int: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresBindable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresBindable {
    /// Swift's shortest round-tripping form; PostgreSQL reads `inf`/`nan` as `Infinity`/`NaN`.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? { self?.postgresText }
}
