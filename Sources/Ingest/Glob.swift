#if canImport(Glibc)
import Glibc
#endif

/// File discovery for sources: glob(3) expansion, exclusions, and the rotated files that are never tailed.
enum FileDiscovery {
    /// The regular paths matching `pattern`, sorted.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
    }

    /// Whether `path` matches an exclusion: against the whole path when the pattern has a `/`, else the name.
    static func isExcluded(_ path: String, by patterns: [String]) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return patterns.contains { p in fnmatch(p, p.contains("/") ? path : name, 0) == 0 }
    }

    /// Compressed rotations (`access.log.2.gz`) are finished files mclog read while they were plain text;
    /// they are never tailed (their bytes would be read again, as garbage).
    static let compressedSuffixes = [".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip", ".z"]

    static func isCompressedName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return compressedSuffixes.contains { lower.hasSuffix($0) }
    }

    /// gzip, zstd, bzip2, xz magic numbers at the start of a file.
    static func isCompressedContent(fd: Int32) -> Bool {
        var m = [UInt8](repeating: 0, count: 6)
        let n = m.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 6, 0) }
        guard n >= 3 else { return false }
        if m[0] == 0x1f && m[1] == 0x8b { return true }
        if n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd { return true }
        if m[0] == UInt8(ascii: "B") && m[1] == UInt8(ascii: "Z") && m[2] == UInt8(ascii: "h") { return true }
        if n >= 6 && m[0] == 0xfd && m[1] == 0x37 && m[2] == 0x7a && m[3] == 0x58 && m[4] == 0x5a && m[5] == 0 {
            return true
        }
        return false
    }
}
