/// One label of a stream or one structured-metadata pair.
public struct Label: Sendable, Hashable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (a: Label, b: Label) -> Bool { a.name < b.name || (a.name == b.name && a.value < b.value) }
}

/// A validation failure for labels, lines, tenants or limits; the message names what was wrong.
public struct ValidationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// A stream's identity: a sorted set of labels with unique names.
public struct LabelSet: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let labels: [Label]

    /// Validates and sorts. Names must match `[a-zA-Z_][a-zA-Z0-9_]*`, values be non-empty, names unique.
    public init(_ labels: [Label], limits: Limits = Limits()) throws {
        guard !labels.isEmpty else { throw ValidationError("stream has no labels") }
        guard labels.count <= limits.maxLabelNamesPerStream else {
            throw ValidationError(
                "stream has \(labels.count) label names, more than the limit max_label_names_per_stream=\(limits.maxLabelNamesPerStream)")
        }
        let sorted = labels.sorted()
        for (i, l) in sorted.enumerated() {
            try LabelSet.validateName(l.name, limits: limits)
            guard !l.value.isEmpty else { throw ValidationError("label \(l.name) has an empty value") }
            guard l.value.utf8.count <= limits.maxLabelValueLength else {
                throw ValidationError("label \(l.name) value is longer than the limit max_label_value_length=\(limits.maxLabelValueLength)")
            }
            if i > 0 && sorted[i - 1].name == l.name {
                throw ValidationError("duplicate label name \(l.name)")
            }
        }
        self.labels = sorted
    }

    /// Already sorted and validated (decoded from our own files).
    init(trusted: [Label]) { labels = trusted }

    public static func validateName(_ name: String, limits: Limits = Limits()) throws {
        guard let first = name.utf8.first else { throw ValidationError("empty label name") }
        guard name.utf8.count <= limits.maxLabelNameLength else {
            throw ValidationError("label name \(name.prefix(40))… is longer than the limit max_label_name_length=\(limits.maxLabelNameLength)")
        }
        func isAlpha(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        guard isAlpha(first), name.utf8.allSatisfy({ isAlpha($0) || ($0 >= 48 && $0 <= 57) }) else {
            throw ValidationError("invalid label name \"\(name)\": must match [a-zA-Z_][a-zA-Z0-9_]*")
        }
    }

    public subscript(name: String) -> String? { labels.first { $0.name == name }?.value }

    /// Loki's text form: `{a="x", b="y"}` with Go-style escaping of values.
    public var description: String {
        "{" + labels.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }

    /// Escapes a value for a double-quoted LogQL/Go string (`\"`, `\\`, `\n`, `\t`).
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    public static func < (a: LabelSet, b: LabelSet) -> Bool { a.labels.lexicographicallyPrecedes(b.labels) }
}

/// Tenant ids follow Loki's rules: at most 150 characters from `[a-zA-Z0-9!._*'()-]`, not `.` or `..`.
public enum Tenant {
    public static let defaultID = "fake"  // Loki's tenant when auth is disabled

    public static func validate(_ id: String) throws {
        guard !id.isEmpty, id.utf8.count <= 150, id != ".", id != ".." else {
            throw ValidationError("invalid tenant id \"\(id)\"")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!._*'()-".utf8)
        guard id.utf8.allSatisfy({ allowed.contains($0) }) else {
            throw ValidationError("invalid tenant id \"\(id)\": allowed characters are a-z A-Z 0-9 ! - _ . * ' ( )")
        }
    }
}
