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

/// `| decolorize`: strips ANSI color escape sequences (`ESC [ … m`).
final class DecolorizeStage: LogStage {
    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        guard line.contains(0x1B) else { return .keep }
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        var i = 0
        while i < line.count {
            if line[i] == 0x1B, i + 1 < line.count, line[i + 1] == UInt8(ascii: "[") {
                var j = i + 2
                while j < line.count, (line[j] >= 48 && line[j] <= 57) || line[j] == UInt8(ascii: ";") { j += 1 }
                if j < line.count, line[j] == UInt8(ascii: "m") {
                    i = j + 1
                    continue
                }
            }
            out.append(line[i])
            i += 1
        }
        return .replace(out)
    }
}
