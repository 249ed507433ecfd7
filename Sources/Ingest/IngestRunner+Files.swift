#if canImport(Glibc)
import Glibc
#endif

/// Finding files, recognising them again, and letting them go.
///
/// - A new path matching a glob is opened and fingerprinted (its first `fingerprint_bytes`, or fewer while it
///   is smaller). An empty file waits until it has bytes.
/// - Identity: a file whose device, inode and fingerprint match a checkpoint record resumes at its offset; a
///   file with a checkpoint's fingerprint but another inode was renamed while mclog was down and resumes too.
/// - A new file with the fingerprint of a file being tailed is a copy (copytruncate's `access.log.1`): it is
///   parked, not read, until the original is truncated or goes away; then it continues from the original's
///   offset, so the lines between that offset and the truncation are read from the copy, once.
/// - A tailed file that shrinks below its read offset, or whose first bytes change, was truncated (or replaced
///   in place): it restarts at 0.
/// - A renamed file keeps being read through its descriptor (rename-and-create rotation finishes the old
///   file); a file no glob matches any more, or that was deleted, is closed once it has been at its end for
///   `rotate_wait`.
extension IngestRunner {
    func discover(now: Int64) {
        var fresh: [(SourceRuntime, String, Int32, FileKey, Int)] = []
        for f in files { f.inGlob = false }
        var claimed = Set(files.map { FileKey(device: $0.device, inode: $0.inode) })
        for src in sources {
            var paths: [String] = []
            for pattern in src.config.paths { paths += FileDiscovery.glob(pattern) }
            for path in paths where !FileDiscovery.isCompressedName(path)
                && !FileDiscovery.isExcluded(path, by: src.config.exclude) {
                var st = stat()
                guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                let key = FileKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                if let f = files.first(where: { $0.device == key.device && $0.inode == key.inode }) {
                    if f.source === src {
                        if f.path != path {
                            f.path = path
                            positionsDirty = true
                        }
                        f.inGlob = true
                    }
                    continue
                }
                guard !ignored.contains(key), !claimed.contains(key), st.st_size > 0 else { continue }
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    // Once per file, not every poll.
                    if unreadable.insert(key).inserted { log("cannot open \(path): \(String(cString: strerror(errno)))") }
                    continue
                }
                var st2 = stat()
                guard fstat(fd, &st2) == 0, UInt64(st2.st_ino) == key.inode, UInt64(st2.st_dev) == key.device else {
                    close(fd)  // replaced between stat and open: the next round sees the new one
                    continue
                }
                if FileDiscovery.isCompressedContent(fd: fd) {
                    close(fd)
                    ignored.insert(key)
                    continue
                }
                claimed.insert(key)
                fresh.append((src, path, fd, key, Int(st2.st_size)))
            }
        }
        guard !fresh.isEmpty else { return }
        // Exact checkpoint matches first, so that a copy of a checkpointed file is seen as a copy.
        var pending: [(SourceRuntime, String, Int32, FileKey, Int)] = []
        for item in fresh {
            let (src, path, fd, key, _) = item
            if let i = restored.firstIndex(where: { $0.device == key.device && $0.inode == key.inode }) {
                let e = restored[i]
                if e.fingerprint.matches(fd: fd), e.offset <= item.4 {
                    restored.remove(at: i)
                    track(src, path, fd, key, size: item.4, offset: e.offset, carry: e.carryTimestamp)
                    continue
                }
                // Same inode, other content: truncated or replaced while mclog was down. A copy may carry the
                // old content (matched by fingerprint below).
            }
            pending.append(item)
        }
        for (src, path, fd, key, size) in pending {
            if let original = files.first(where: { $0.copyOf == nil && $0.fingerprint.length > 0
                && $0.fingerprint.length <= size && $0.fingerprint.matches(fd: fd) }) {
                if let f = track(src, path, fd, key, size: size, offset: 0, carry: nil) { f.copyOf = original }
                continue
            }
            if let i = restored.firstIndex(where: { $0.fingerprint.length > 0 && $0.fingerprint.length <= size
                && $0.offset <= size && $0.fingerprint.matches(fd: fd) }) {
                let e = restored.remove(at: i)
                track(src, path, fd, key, size: size, offset: e.offset, carry: e.carryTimestamp)
                continue
            }
            track(src, path, fd, key, size: size, offset: 0, carry: nil)
        }
        positionsDirty = true
    }

    @discardableResult
    private func track(_ src: SourceRuntime, _ path: String, _ fd: Int32, _ key: FileKey, size: Int, offset: Int,
                       carry: Int64?) -> TailedFile? {
        let length = min(size, config.tailer.fingerprintBytes)
        guard let fp = Fingerprint.read(fd: fd, length: length) else {
            close(fd)
            return nil
        }
        do {
            let f = try TailedFile(source: src, path: path, fd: fd, device: key.device, inode: key.inode,
                                   fingerprint: fp, offset: offset, carry: carry, now: IngestRunner.monotonicNanos())
            files.append(f)
            return f
        } catch {
            close(fd)
            log("cannot tail \(path): \(error)")
            return nil
        }
    }

    /// Truncation and in-place replacement; fingerprints grow to their full length as files do.
    func checkIdentities(now: Int64) {
        var cut: [(TailedFile, Int)] = []
        for f in files where f.copyOf == nil {
            let size = f.size
            if size < f.assembler.offset || !f.fingerprint.matches(fd: f.fd) {
                cut.append((f, size))
                continue
            }
            // Grow the fingerprint from one read that also proves the file still starts with the old bytes.
            let want = min(size, config.tailer.fingerprintBytes)
            if want > f.fingerprint.length, f.fingerprint.length > 0, let head = readHead(f.fd, want) {
                let old = head.withUnsafeBytes { Fingerprint(of: UnsafeRawBufferPointer(rebasing: $0[0..<f.fingerprint.length])) }
                if old != f.fingerprint {
                    cut.append((f, size))
                    continue
                }
                f.fingerprint = head.withUnsafeBytes { Fingerprint(of: $0) }
                positionsDirty = true
            }
        }
        guard !cut.isEmpty else { return }
        // copytruncate copies before it truncates, so the copy exists now even if the last discovery ran before
        // it was made: look again while the truncated file still has its old fingerprint to be matched against.
        discover(now: now)
        for (f, size) in cut { truncated(f, size: size) }
    }

    private func truncated(_ f: TailedFile, size: Int) {
        handOver(from: f)
        f.restart(at: 0, carry: nil)
        // The new generation's identity is taken from the bytes the first read returns (`TailedFile.read`), not
        // from a separate look that a writer could overtake.
        f.fingerprint = .none
        positionsDirty = true
    }

    /// The first `n` bytes of an open file, or nil if it is shorter.
    private func readHead(_ fd: Int32, _ n: Int) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: n)
        let got = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, 0) }
        return got == n ? buf : nil
    }

    /// A parked copy of `f` continues where `f` was committed.
    private func handOver(from f: TailedFile) {
        for c in files where c.copyOf === f {
            c.copyOf = nil
            c.restart(at: min(f.committed, c.size), carry: f.committedCarry)
            // The copy's identity is the original's content; keep its own fingerprint (taken of the same bytes).
        }
    }

    /// Closes files that are gone (deleted, or matched by no glob) and have been idle at their end for
    /// `rotate_wait` (at once with `--once`).
    func release(now: Int64) {
        var keep: [TailedFile] = []
        for f in files {
            let gone = !f.inGlob || f.isDeleted
            let idle = now - f.lastDataNanos >= config.tailer.rotateWaitNanos || once
            let drained = f.copyOf != nil || (f.atEOF && !f.assembler.hasBuffered && f.emitted == f.committed
                && f.size <= f.assembler.offset)
            if gone && drained && idle {
                if f.copyOf == nil { handOver(from: f) }
                positionsDirty = true
                continue
            }
            keep.append(f)
        }
        files = keep
    }
}
