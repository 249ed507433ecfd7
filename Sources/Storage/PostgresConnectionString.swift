internal import CLibPQ

/// A libpq connection string — a `postgres://user@host:port/db?sslmode=…` URL or `host=… dbname=…` key/value
/// pairs — parsed by libpq itself, so mclog accepts exactly what `psql` accepts.
public struct PostgresConnectionString: Sendable, Equatable {
    /// The options given, in libpq's keyword order (`host`, `port`, `dbname`, `user`, `password`, …).
    public private(set) var options: [(key: String, value: String)]

    /// Parses `text`; a malformed URL or pair is an error with libpq's reason.
    public init(_ text: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(text, &err) else {
            let reason = err.map { String(cString: $0) } ?? "out of memory"
            if let err { PQfreemem(err) }
            throw PostgresError(.badConnectionString, reason.trimmingTrailingNewlines())
        }
        defer { PQconninfoFree(parsed) }
        var out: [(key: String, value: String)] = []
        var p = parsed
        while let k = p.pointee.keyword {
            if let v = p.pointee.val { out.append((String(cString: k), String(cString: v))) }
            p += 1
        }
        options = out
        if let port = self["port"], !port.split(separator: ",").allSatisfy({ UInt16($0) != nil }) {
            throw PostgresError(.badConnectionString, "port \"\(port)\" is not a number from 0 to 65535")
        }
    }

    public subscript(key: String) -> String? { options.first { $0.key == key }?.value }

    /// A copy with `key` set to `value` (e.g. another `dbname`).
    public func with(_ key: String, _ value: String) -> PostgresConnectionString {
        var c = self
        c.options.removeAll { $0.key == key }
        c.options.append((key, value))
        return c
    }

    /// The `key='value'` form libpq reads back, values quoted so spaces, quotes and backslashes survive.
    public var text: String {
        options.map { k, v in
            var q = ""
            for ch in v {
                if ch == "'" || ch == "\\" { q.append("\\") }
                q.append(ch)
            }
            return "\(k)='\(q)'"
        }.joined(separator: " ")
    }

    /// `host:port/database` for messages — never the password. Defaults are libpq's (local socket, 5432, the
    /// user's name as database).
    public var server: String {
        let host = self["host"] ?? self["hostaddr"] ?? "local socket"
        let port = self["port"] ?? "5432"
        let db = self["dbname"] ?? self["user"] ?? "(default database)"
        return "\(host):\(port)/\(db)"
    }

    public static func == (a: Self, b: Self) -> Bool { a.options.elementsEqual(b.options) { $0 == $1 } }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
