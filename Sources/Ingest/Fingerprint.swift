/// A file's identity by content: a 64-bit FNV-1a hash of its first `length` bytes (up to
/// `TailerSettings.fingerprintBytes`), as Vector and Filebeat identify files. A renamed file and a copytruncate
/// copy keep the fingerprint; a truncated-and-rewritten file or a reused inode does not.
public struct Fingerprint: Sendable, Equatable {
    public var length: Int
    public var hash: UInt64

    public static let none = Fingerprint(length: 0, hash: 0)

    public init(length: Int, hash: UInt64) {
        self.length = length
        self.hash = hash
    }

    /// The fingerprint of `bytes`.
    public init(of bytes: UnsafeRawBufferPointer) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        self.init(length: bytes.count, hash: h)
    }

    /// Reads the first `length` bytes of the open file `fd` and fingerprints them; nil if the file is shorter.
    static func read(fd: Int32, length: Int) -> Fingerprint? {
        guard length > 0 else { return Fingerprint.none }
        var buf = [UInt8](repeating: 0, count: length)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, 0) }
        guard n == length else { return nil }
        return buf.withUnsafeBytes { Fingerprint(of: $0) }
    }

    /// Whether the open file `fd` still starts with the bytes this fingerprint was taken of.
    func matches(fd: Int32) -> Bool {
        length == 0 || Fingerprint.read(fd: fd, length: length) == self
    }
}

#if canImport(Glibc)
import Glibc
#endif
