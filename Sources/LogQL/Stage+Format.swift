import LogStore

/// `| line_format "{{ .a }} …"`: replaces the line with the rendered template.
final class LineFormatStage: LogStage {
    private let template: LineTemplate
    private let source: String

    init(_ source: String) throws {
        template = try LineTemplate(source)
        self.source = source
    }

    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        do {
            let out = try template.render(label: { labels.get($0) }, line: String(decoding: line, as: UTF8.self),
                                          timestamp: timestamp)
            return .replace(Array(out.utf8))
        } catch {
            labels.setError(PipelineError.templateFormat, details: templateErrorDetails(error, name: "line", source: source))
            return .keep
        }
    }
}

/// `| label_format a=b, c="{{ … }}"`: renames and templated labels, all computed from the labels before the stage.
final class LabelFormatStage: LogStage {
    private enum Item {
        case rename(String, String)
        case template(String, LineTemplate, String)
    }

    private let items: [Item]

    init(_ items: [LabelFormatItem]) throws {
        var seen = Set<String>()
        self.items = try items.map { item in
            guard seen.insert(item.destination).inserted else {
                throw LogQLError("label_format: multiple label name \"\(item.destination)\" not allowed in a single format operation")
            }
            switch item.source {
            case .rename(let src): return .rename(item.destination, src)
            case .template(let t): return .template(item.destination, try LineTemplate(t), t)
            }
        }
    }

    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult {
        var results: [(String, String?)] = []
        var renamed: [String] = []
        let text = String(decoding: line, as: UTF8.self)
        for item in items {
            switch item {
            case .rename(let dst, let src):
                results.append((dst, labels.get(src)))
                renamed.append(src)
            case .template(let dst, let t, let source):
                do { results.append((dst, try t.render(label: { labels.get($0) }, line: text, timestamp: timestamp))) } catch {
                    labels.setError(PipelineError.templateFormat, details: templateErrorDetails(error, name: "label", source: source))
                }
            }
        }
        for src in renamed { labels.delete(src) }
        for (dst, value) in results {
            if let value { labels.set(dst, value) } else { labels.delete(dst) }
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

/// Go's text/template execution error as Loki puts it in `__error_details__`: the template is named `line`
/// (line_format) or `label` (label_format), and the location is the failing node's line and byte column on that
/// line, as Go's `Tree.ErrorContext` computes them: `template: line:1:2: executing "line" at <.foo>: …`.
func templateErrorDetails(_ error: Error, name: String, source: String) -> String {
    guard let e = error as? LogQLError, let pos = e.position else { return "\(error)" }
    let before = Array(source.utf8).prefix(pos)
    let line = 1 + before.lazy.filter { $0 == 10 }.count
    let column = before.lastIndex(of: 10).map { pos - ($0 + 1) } ?? pos
    return "template: \(name):\(line):\(column): executing \"\(name)\" \(e.message)"
}
