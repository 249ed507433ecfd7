/// What a pipeline stage does with a line.
public enum StageResult {
    /// Keep the line as it is.
    case keep
    /// Drop the line (a filter did not match).
    case drop
    /// Keep the line with new text (`line_format`, `decolorize`).
    case replace([UInt8])
}

/// One stage of a log pipeline (`| json`, `| logfmt`, `| level="error"`, `| line_format ...`).
///
/// A stage instance belongs to one worker thread (it may hold regex match data or scratch buffers); the
/// pipeline builds one set of stages per thread. `line` is valid only during the call. Failures are not
/// thrown: they are recorded with `labels.setError(...)` exactly as Loki names them, and the line is kept.
public protocol LogStage: AnyObject {
    func process(line: UnsafeRawBufferPointer, timestamp: Int64, labels: LabelsBuilder) -> StageResult
}

/// Loki's `__error__` values.
public enum PipelineError {
    public static let json = "JSONParserErr"
    public static let logfmt = "LogfmtParserErr"
    public static let sampleExtraction = "SampleExtractionErr"
    public static let labelFilter = "LabelFilterErr"
    public static let templateFormat = "TemplateFormatErr"
}
