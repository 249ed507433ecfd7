import LogStore

#if canImport(Glibc)
import Glibc
#endif

/// Resolving a checkpoint left in doubt: the process died after writing a batch's intent and before writing
/// the positions that follow its append. The batch's byte ranges are read again exactly as the first time
/// (same batch time, same carried timestamp, entries cut at the same places) and looked up in the store. The
/// append of one tenant's batch is all or nothing, so if every entry is there the offsets move past the
/// ranges; otherwise nothing of it was stored and the ranges are read again as usual.
extension IngestRunner {
    func recover(_ positions: inout Positions) throws {
        guard let batchTime = positions.batchTime else { return }
        let recovery = BatchBuilder()
        var done: [(Positions.Intent, TailedFile)] = []
        for intent in positions.intents {
            guard let (src, fd) = openIntentFile(intent) else {
                log("recovery: \(intent.path) is gone; its last batch cannot be checked")
                continue
            }
            let f: TailedFile
            do {
                f = try TailedFile(source: src, path: intent.path, fd: fd, device: intent.device, inode: intent.inode,
                                   fingerprint: intent.fingerprint, offset: intent.from, carry: intent.carryTimestamp,
                                   now: 0)
            } catch {
                close(fd)
                throw error
            }
            var buf = [UInt8](repeating: 0, count: Self.readChunk)
            var at = intent.from
            while at < intent.to {
                let want = min(buf.count, intent.to - at)
                let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, at) }
                guard n > 0 else { break }
                var failure: Error?
                buf.withUnsafeBytes { b in
                    f.assembler.feed(UnsafeRawBufferPointer(rebasing: b[0..<n])) { e, end in
                        if failure == nil {
                            do { try f.emit(e, end: end, builder: recovery, batchTime: batchTime) } catch { failure = error }
                        }
                    }
                }
                if let failure { throw failure }
                at += n
            }
            try f.finish(builder: recovery, batchTime: batchTime)
            guard f.emitted == intent.to else {
                log("recovery: \(intent.path) no longer holds bytes \(intent.from)..<\(intent.to); its last batch cannot be checked")
                continue
            }
            done.append((intent, f))
        }
        if !done.isEmpty, try batchIsStored(recovery) {
            for (intent, f) in done {
                if let i = positions.files.firstIndex(where: { $0.device == intent.device && $0.inode == intent.inode }) {
                    positions.files[i].offset = intent.to
                    positions.files[i].carryTimestamp = f.carry
                }
            }
            log("recovery: the batch in flight at the last stop is in the store; positions moved past it")
        }
        positions.batchTime = nil
        positions.intents = []
        try makeParentDirectory(config.positionsFile)
        try positions.write(path: config.positionsFile)
    }

    /// The file holding an intent's bytes, and the source whose globs cover it: the same device, inode and
    /// fingerprint (by path, or among the globs' matches after a rename); else a file with the fingerprint and at
    /// least `to` bytes — a copytruncate copy made while mclog was down holds the range the original lost.
    private func openIntentFile(_ intent: Positions.Intent) -> (SourceRuntime, Int32)? {
        var candidates = [intent.path]
        for s in sources { for p in s.config.paths { candidates += FileDiscovery.glob(p) } }
        var byContent: (SourceRuntime, Int32)?
        for path in candidates {
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= intent.to,
                  !FileDiscovery.isCompressedName(path),
                  let src = sources.first(where: { s in s.config.paths.contains { fnmatch($0, path, 0) == 0 } })
            else { continue }
            let sameInode = UInt64(st.st_dev) == intent.device && UInt64(st.st_ino) == intent.inode
            if !sameInode && byContent != nil { continue }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            guard intent.fingerprint.length > 0, intent.fingerprint.matches(fd: fd) else {
                close(fd)
                continue
            }
            if sameInode {
                if let (_, other) = byContent { close(other) }
                return (src, fd)
            }
            byContent = (src, fd)
        }
        return byContent
    }

    /// Whether every entry of `batch` is in the store (same stream, timestamp and line).
    private func batchIsStored(_ batch: BatchBuilder) throws -> Bool {
        for slot in batch.slots where !slot.batch.isEmpty {
            let b = slot.batch
            let matchers = try slot.labels.labels.map { try LabelMatcher($0.name, .eq, $0.value) }
            var stored = Set<StoredEntry>()
            let request = SelectRequest(tenant: slot.tenant, matchers: matchers, from: b.timestamps.min()!,
                                        to: b.timestamps.max()! + 1, direction: .forward, limit: 0)
            try store.select(request) { e in
                if e.labels == slot.labels { stored.insert(StoredEntry(timestamp: e.timestamp, line: Array(e.line))) }
                return true
            }
            for i in 0..<b.count where !stored.contains(StoredEntry(timestamp: b.timestamps[i], line: Array(b.line(i)))) {
                return false
            }
        }
        return true
    }
}

private struct StoredEntry: Hashable {
    var timestamp: Int64
    var line: [UInt8]
}
