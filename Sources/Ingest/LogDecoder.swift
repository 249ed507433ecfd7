import LogStore

/// Decodes a whole log (bytes in order, e.g. a file being imported) into store batches with a source's format,
/// multiline rule, labels and metadata — the same path the tailer takes, without files or positions.
///
/// ```swift
/// let decoder = try LogDecoder(source: source, limits: store.options.limits)
/// decoder.feed(bytes)            // any number of times
/// if decoder.bufferedBytes >= 4 << 20 { try store.append(tenant: t, decoder.takeBatch()) }
/// decoder.finish()
/// try store.append(tenant: t, decoder.takeBatch())
/// ```
public final class LogDecoder {
    private let runtime: SourceRuntime
    private let assembler: LineAssembler
    private let emitter: EntryEmitter
    private let builder = BatchBuilder()
    private let startTime: Int64
    private var failure: Error?
    /// Entries decoded so far.
    public private(set) var entries = 0

    /// A decoder for `source` (its `paths` are not used); entries without any timestamp get `startTime` plus
    /// their index in nanoseconds.
    public init(source: SourceConfig, limits: Limits, filename: String = "", startTime: Int64 = LineParser.nowNanos()) throws {
        runtime = try SourceRuntime(index: 0, config: source, limits: limits, now: startTime)
        assembler = LineAssembler(joiner: try runtime.makeJoiner(), maxLineBytes: limits.maxLineSize, offset: 0)
        emitter = EntryEmitter(source: runtime, filename: filename)
        self.startTime = startTime
    }

    /// Feeds the next bytes.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        assembler.feed(bytes) { entry, _ in self.add(entry) }
        if let failure { throw failure }
    }

    /// Ends the input: a last line without a newline and a joined entry still waiting are emitted.
    public func finish() throws {
        assembler.finish { entry, _ in self.add(entry) }
        if let failure { throw failure }
    }

    /// Line bytes decoded and not yet taken.
    public var bufferedBytes: Int { builder.bytes }

    /// The decoded entries by stream since the last call, for `LogStore.append` (all of the source's tenant).
    public func takeBatch() -> [(LabelSet, EntryBatch)] {
        let out = builder.byTenant()[runtime.config.tenant] ?? []
        builder.reset()
        return out
    }

    private func add(_ entry: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        do {
            // The fallback time keeps counting across batches, so entries without timestamps stay ordered.
            emitter.batchEntries = entries
            try emitter.emit(entry, builder: builder, batchTime: startTime)
            entries += 1
        } catch {
            failure = error
        }
    }
}
