import LogStore

/// A log query's stages instantiated for one thread, run line by line after the store's pushed-down filters.
final class Pipeline {
    private let stages: [LogStage]
    let labels: LabelsBuilder
    /// The line after the last stage that rewrote it (nil: unchanged).
    private(set) var rewritten: [UInt8]?

    /// `skip` holds the indices of stages already applied inside the store. `neededLabels`, when given, names the
    /// only labels the caller reads afterwards (a pushed-down `sum by (…)`): when no stage reads labels, the
    /// `pattern` and `regexp` parsers then build only those.
    init(_ query: LogQuery, skip: Set<Int> = [], neededLabels: Set<String>? = nil) throws {
        var out: [LogStage] = []
        for (i, stage) in query.stages.enumerated() where !skip.contains(i) {
            switch stage {
            case .lineFilter(let f): out.append(try LineFilterRunStage(f))
            case .json(let e):
                out.append(e.isEmpty ? JSONParserStage() : try JSONParserStage(extractions: e.map { ($0.label, $0.expression) }))
            case .logfmt(let strict, let keepEmpty, let e):
                out.append(e.isEmpty ? LogfmtParserStage(strict: strict, keepEmpty: keepEmpty)
                    : try LogfmtParserStage(strict: strict, keepEmpty: keepEmpty, extractions: e.map { ($0.label, $0.expression) }))
            case .pattern(let p): out.append(try PatternParserStage(pattern: p))
            case .regexp(let r): out.append(try RegexpParserStage(pattern: r))
            case .unpack: out.append(UnpackStage())
            case .lineFormat(let t): out.append(try LineFormatStage(t))
            case .labelFormat(let items): out.append(try LabelFormatStage(items))
            case .labelFilter(let f): out.append(try LabelFilterStage(f))
            case .drop(let items): out.append(DropKeepStage(items, keep: false))
            case .keep(let items): out.append(DropKeepStage(items, keep: true))
            case .decolorize: out.append(DecolorizeStage())
            }
        }
        stages = out
        if let needed = neededLabels, out.allSatisfy({ $0 is LineFilterRunStage || $0 is PatternParserStage || $0 is RegexpParserStage }) {
            for stage in out {
                (stage as? PatternParserStage)?.restrict(to: needed)
                (stage as? RegexpParserStage)?.restrict(to: needed)
            }
        }
        labels = LabelsBuilder(stream: try LabelSet([Label("_", "_")]))
    }

    var isEmpty: Bool { stages.isEmpty }

    /// Runs one entry through the stages; false when a stage dropped it. Afterwards `labels` and `rewritten`
    /// describe the result.
    func run(stream: LabelSet, metadata: [Label], timestamp: Int64, line: UnsafeRawBufferPointer) -> Bool {
        labels.reset(stream: stream, metadata: metadata)
        rewritten = nil
        for stage in stages {
            let result: StageResult
            if let r = rewritten {
                result = r.withUnsafeBytes { stage.process(line: $0, timestamp: timestamp, labels: labels) }
            } else {
                result = stage.process(line: line, timestamp: timestamp, labels: labels)
            }
            switch result {
            case .keep: continue
            case .drop: return false
            case .replace(let bytes): rewritten = bytes
            }
        }
        return true
    }
}
