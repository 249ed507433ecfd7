import Foundation

/// The rows a statement returned, copied out of libpq's result in text format, with the number of rows it
/// changed (`UPDATE 3` → 3).
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: [String]
    let values: [[String?]]
    /// Rows inserted, updated, deleted or selected (libpq's `PQcmdTuples`); 0 for other commands.
    public let affectedRows: Int

    init(columns: [String], values: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }
    public subscript(i: Int) -> PostgresRow { PostgresRow(columns: columns, values: values[i]) }

    /// The only row, or an error naming what came back instead.
    public func single() throws -> PostgresRow {
        guard count == 1 else { throw PostgresError(.result, "expected one row, got \(count)") }
        return self[0]
    }
}

/// One row; typed reads by column name fail with an error naming the column and what it held.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    func index(_ column: String) throws -> Int {
        guard let i = columns.firstIndex(of: column) else {
            throw PostgresError(.result, "no column \"\(column)\" in the result (columns: \(columns.joined(separator: ", ")))")
        }
        return i
    }

    /// The column's text, nil for SQL NULL.
    public func optionalString(_ column: String) throws -> String? { values[try index(column)] }

    public func string(_ column: String) throws -> String {
        guard let v = try optionalString(column) else { throw PostgresError(.result, "column \"\(column)\" is NULL") }
        return v
    }

    public func optionalInt64(_ column: String) throws -> Int64? {
        guard let v = try optionalString(column) else { return nil }
        guard let n = Int64(v) else { throw PostgresError(.result, "column \"\(column)\" is not an integer: \(v)") }
        return n
    }

    public func int64(_ column: String) throws -> Int64 {
        guard let n = try optionalInt64(column) else { throw PostgresError(.result, "column \"\(column)\" is NULL") }
        return n
    }

    public func int(_ column: String) throws -> Int { Int(try int64(column)) }

    /// `boolean` columns arrive as `t`/`f`.
    public func bool(_ column: String) throws -> Bool {
        switch try string(column) {
        case "t", "true": return true
        case "f", "false": return false
        case let v: throw PostgresError(.result, "column \"\(column)\" is not a boolean: \(v)")
        }
    }

    public func double(_ column: String) throws -> Double {
        let v = try string(column)
        guard let d = Double(v) else { throw PostgresError(.result, "column \"\(column)\" is not a number: \(v)") }
        return d
    }

    /// Decodes a `json`/`jsonb` column (or any text holding JSON).
    public func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
        let text = try string(column)
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(.result, "column \"\(column)\" does not decode as \(T.self): \(error)")
        }
    }
}
