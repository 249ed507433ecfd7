import Glibc

/// An exclusive, non-blocking `flock` on `<directory>/LOCK`: one writing mclog process per store directory.
/// The kernel drops it when the process dies, so a crash never leaves a stale lock.
public final class DirectoryLock {
    private var fd: Int32

    /// Takes the lock; returns nil when another process holds it.
    public init?(directory: String) throws {
        fd = open(directory + "/LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError("open", directory + "/LOCK") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            return nil
        }
    }

    /// Releases the lock (idempotent).
    public func release() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit { release() }
}

extension FS {
    /// Paths of the block files (`fileExtension`) in `directory`. Leftover `.tmp` files of an interrupted flush
    /// or compaction are removed unless `readOnly`.
    public static func blockFiles(in directory: String, fileExtension: String, readOnly: Bool) throws -> [String] {
        var out: [String] = []
        for name in try list(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp") {
                if !readOnly { try remove(path) }
                continue
            }
            if name.hasSuffix(fileExtension) { out.append(path) }
        }
        return out
    }
}
