import Storage

extension YAMLCursor {
    /// `metastore: embedded` or `metastore: postgres://user@host:5432/db` (or a libpq `host=… dbname=…` string),
    /// checked by libpq's parser; nothing is connected while the file is read.
    func metastore() throws -> MetastoreLocation {
        let text = try nonEmptyString()
        do { return try MetastoreLocation(parsing: text) } catch let e as PostgresError { throw error(e.message) }
    }
}
