import LogStore

/// `| drop a, b="x"` and `| keep a, b="x"`.
final class DropKeepStage: LogStage {
    private let items: [LabelSelectorItem]
    private let keep: Bool

    init(_ items: [LabelSelectorItem], keep: Bool) {
        self.items = items
        self.keep = keep
    }

    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        if keep {
            var names = Set<String>()
            for i in items {
                if let m = i.matcher {
                    if let v = labels.get(i.name), m.matches(v) { names.insert(i.name) }
                } else {
                    names.insert(i.name)
                }
            }
            labels.keep(only: names)
        } else {
            for i in items {
                if let m = i.matcher {
                    if let v = labels.get(i.name), m.matches(v) { labels.delete(i.name) }
                } else {
                    labels.delete(i.name)
                }
            }
        }
        return .keep
    }
}
