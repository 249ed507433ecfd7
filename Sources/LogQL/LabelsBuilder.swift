import LogStore

/// The labels of one log line as it moves through a pipeline: the stream's labels, the entry's structured
/// metadata, and what parsers extract, with Loki's rules.
///
/// - A parsed label whose name is already a stream label is stored as `<name>_extracted` (Loki's rule).
/// - Parsers, label filters and formatters report failures with `setError`, which sets `__error__` (and
///   `__error_details__`) as Loki names them; the line is kept unless a later stage drops it.
/// - Built once per surviving line and reset for the next one, so the common path allocates little.
public final class LabelsBuilder {
    public private(set) var stream: LabelSet
    /// Structured metadata and parsed labels, in insertion order; small, so a linear search is fastest.
    /// `parsed` is false for structured metadata, true for what parsers, formatters and errors set (Loki's
    /// label categories, reported apart under the `categorize-labels` encoding flag).
    private var added: [(name: String, value: String, parsed: Bool)] = []
    /// Names of stream labels removed by `drop`/`keep`.
    private var deleted: Set<String> = []

    public static let errorLabel = "__error__"
    public static let errorDetailsLabel = "__error_details__"

    public init(stream: LabelSet, metadata: [Label] = []) {
        self.stream = stream
        for m in metadata { added.append((m.name, m.value, false)) }
    }

    /// Starts over for the next line of the same or another stream.
    public func reset(stream: LabelSet, metadata: [Label]) {
        self.stream = stream
        if !added.isEmpty { added.removeAll(keepingCapacity: true) }
        if !deleted.isEmpty { deleted.removeAll(keepingCapacity: true) }
        if !metadata.isEmpty { for m in metadata { added.append((m.name, m.value, false)) } }
    }

    /// The current value of a label (parsed and metadata labels shadow stream labels), nil when absent.
    public func get(_ name: String) -> String? {
        if let i = added.lastIndex(where: { $0.name == name }) { return added[i].value }
        if deleted.contains(name) { return nil }
        return stream[name]
    }

    public func has(_ name: String) -> Bool { get(name) != nil }

    /// Sets a label produced by a formatter (`label_format`): replaces any label of that name.
    public func set(_ name: String, _ value: String) {
        if let i = added.firstIndex(where: { $0.name == name }) {
            added[i].value = value
            added[i].parsed = true
        } else {
            if stream[name] != nil { deleted.insert(name) }
            added.append((name, value, true))
        }
    }

    /// Adds a label extracted by a parser. A name clashing with a stream label gets the `_extracted` suffix.
    /// Returns the name it was stored under.
    @discardableResult
    public func setParsed(_ name: String, _ value: String) -> String {
        let key = parsedNameIsPlain(name) ? name : name + "_extracted"
        setParsed(resolved: key, value)
        return key
    }

    /// Whether a parsed label `name` would be stored under its own name (true) or as `<name>_extracted` (false,
    /// it clashes with a stream label): the name `setParsed` picks.
    @inline(__always)
    public func parsedNameIsPlain(_ name: String) -> Bool {
        stream[name] == nil || (!deleted.isEmpty && deleted.contains(name))
    }

    /// `setParsed` for a caller that already resolved the name with `parsedNameIsPlain`.
    @inline(__always)
    public func setParsed(resolved key: String, _ value: String) {
        if let i = added.firstIndex(where: { $0.name == key }) {
            added[i].value = value
            added[i].parsed = true
        } else {
            added.append((key, value, true))
        }
    }

    public func delete(_ name: String) {
        added.removeAll { $0.name == name }
        if stream[name] != nil { deleted.insert(name) }
    }

    /// Records a pipeline error as `__error__` (first error wins, as in Loki) and its details.
    public func setError(_ error: String, details: String? = nil) {
        guard !hasError else { return }
        added.append((LabelsBuilder.errorLabel, error, true))
        if let details { added.append((LabelsBuilder.errorDetailsLabel, details, true)) }
    }

    public var hasError: Bool { !added.isEmpty && added.contains { $0.name == LabelsBuilder.errorLabel } }

    /// Structured metadata or parsed labels are present.
    public var hasAdded: Bool { !added.isEmpty }

    public func clearError() {
        added.removeAll { $0.name == LabelsBuilder.errorLabel || $0.name == LabelsBuilder.errorDetailsLabel }
    }

    /// All labels now, sorted by name: what the query result shows for the line.
    public func labels() -> [Label] {
        if added.isEmpty && deleted.isEmpty { return stream.labels }  // nothing changed: no allocation
        var out: [Label] = stream.labels.filter { l in !deleted.contains(l.name) && !added.contains { $0.name == l.name } }
        for a in added { out.append(Label(a.name, a.value)) }
        out.sort { $0.name < $1.name }
        return out
    }

    /// The labels split into Loki's categories, each sorted by name: the stream's own labels (minus those
    /// dropped or overridden), structured metadata, and labels parsers/formatters set (with `__error__`).
    public func categorized() -> (stream: [Label], metadata: [Label], parsed: [Label]) {
        if added.isEmpty && deleted.isEmpty { return (stream.labels, [], []) }
        let own = stream.labels.filter { l in !deleted.contains(l.name) && !added.contains { $0.name == l.name } }
        var metadata: [Label] = [], parsed: [Label] = []
        for a in added {
            if a.parsed { parsed.append(Label(a.name, a.value)) } else { metadata.append(Label(a.name, a.value)) }
        }
        metadata.sort { $0.name < $1.name }
        parsed.sort { $0.name < $1.name }
        return (own, metadata, parsed)
    }

    /// Keeps only the named labels (Loki's `keep`).
    public func keep(only names: Set<String>) {
        for l in stream.labels where !names.contains(l.name) { deleted.insert(l.name) }
        added.removeAll { !names.contains($0.name) }
    }
}
