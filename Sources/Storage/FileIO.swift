#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from a system call, naming the operation and path.
public struct IOError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let code: Int32

    public init(_ operation: String, _ path: String, errno e: Int32 = Glibc.errno) {
        self.operation = operation
        self.path = path
        self.code = e
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// Thin owner of a POSIX file descriptor. Closes on deinit.
public final class FileHandle: @unchecked Sendable {
    public let fd: Int32
    public let path: String

    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw IOError("open", path) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    public static func openForReading(_ path: String) throws -> FileHandle {
        try FileHandle(path: path, flags: O_RDONLY)
    }

    public var size: Int {
        get throws {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw IOError("stat", path) }
            return Int(st.st_size)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError("write", path)
            }
            done += n
        }
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Reads exactly `count` bytes at `offset` into `buffer` (resized to `count`).
    public func read(at offset: Int, count: Int, into buffer: inout [UInt8]) throws {
        buffer.resize(to: count)
        var done = 0
        try buffer.withUnsafeMutableBytes { dst in
            while done < count {
                let n = pread(fd, dst.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IOError("read", path)
                }
                if n == 0 { throw IOError("read (unexpected end of file)", path, errno: EIO) }
                done += n
            }
        }
    }

    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        var b: [UInt8] = []
        try read(at: offset, count: count, into: &b)
        return b
    }

    public func sync() throws {
        guard fdatasync(fd) == 0 else { throw IOError("fsync", path) }
    }

    public func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw IOError("truncate", path) }
    }

    public func seekToEnd() throws {
        guard lseek(fd, 0, SEEK_END) >= 0 else { throw IOError("seek", path) }
    }
}

/// Filesystem helpers: directories, listing, atomic publish.
public enum FS {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String) throws {
        if isDirectory(path) { return }
        let parent = parentDirectory(path)
        if parent != path && !parent.isEmpty { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw IOError("mkdir", path) }
    }

    public static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Names in a directory (not `.`/`..`), sorted.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw IOError("opendir", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw IOError("unlink", path) }
    }

    public static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw IOError("rename", from) }
    }

    /// fsync a directory so that renames and creations inside it are durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw IOError("fsync", path) }
    }

    /// Writes `bytes` to a temp file beside `path`, fsyncs, renames it into place and fsyncs the directory:
    /// readers see either no file or the whole file, never a partial one.
    public static func publishAtomically(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fh = try FileHandle(path: tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        try fh.write(bytes)
        try fh.sync()
        try rename(tmp, path)
        try syncDirectory(parentDirectory(path))
    }

    public static func readFile(_ path: String) throws -> [UInt8] {
        let fh = try FileHandle.openForReading(path)
        return try fh.read(at: 0, count: try fh.size)
    }

    public static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }
}
