#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Go's `time.Location`: UTC, a fixed offset, or an IANA zone read from a TZif file (`time.LoadLocation`).
///
/// Zones are looked up in the transition table of the file's 64-bit section. Go also applies the file's footer
/// rule (a POSIX TZ string) after the last transition; this does not, so for "slim" zoneinfo files dates after the
/// last listed transition keep that transition's offset (Debian's default "fat" files list transitions to 2037).
final class GoLocation: Sendable {
    struct Zone: Sendable {
        let name: String
        let offset: Int
        let isDST: Bool
    }

    let name: String
    let zones: [Zone]
    /// Transition instants (Unix seconds, ascending) and the zone that starts at each.
    let transitions: [Int64]
    let transitionZones: [Int]

    init(name: String, zones: [Zone], transitions: [Int64] = [], transitionZones: [Int] = []) {
        self.name = name
        self.zones = zones
        self.transitions = transitions
        self.transitionZones = transitionZones
    }

    static let utc = GoLocation(name: "UTC", zones: [Zone(name: "UTC", offset: 0, isDST: false)])
    /// Loki's "Local" is the server's zone; mclog's is UTC.
    static let local = utc

    /// `time.FixedZone`.
    static func fixed(_ name: String, _ offset: Int) -> GoLocation {
        GoLocation(name: name, zones: [Zone(name: name, offset: offset, isDST: false)])
    }

    /// The zone in effect at `sec`, and the instants it starts and ends (`Location.lookup`).
    func lookup(_ sec: Int64) -> (name: String, offset: Int, start: Int64, end: Int64) {
        if transitions.isEmpty || sec < transitions[0] {
            let z = zones[firstZone]
            return (z.name, z.offset, Int64.min, transitions.first ?? Int64.max)
        }
        var lo = 0, hi = transitions.count
        var end = Int64.max
        while hi - lo > 1 {
            let m = (lo + hi) / 2
            if sec < transitions[m] { end = transitions[m]; hi = m } else { lo = m }
        }
        let z = zones[transitionZones[lo]]
        return (z.name, z.offset, transitions[lo], end)
    }

    /// The zone used before the first transition (`lookupFirstZone`).
    private var firstZone: Int {
        if !transitionZones.contains(0) { return 0 }
        if let first = transitionZones.first, zones[first].isDST {
            var zi = first - 1
            while zi >= 0 { if !zones[zi].isDST { return zi }; zi -= 1 }
        }
        return zones.firstIndex { !$0.isDST } ?? 0
    }

    /// The offset of a zone abbreviation, preferring one in effect at `unix` (`Location.lookupName`).
    func offset(named abbreviation: String, at unix: Int64) -> Int? {
        for z in zones where z.name == abbreviation {
            if lookup(unix - Int64(z.offset)).name == z.name { return lookup(unix - Int64(z.offset)).offset }
        }
        return zones.first { $0.name == abbreviation }?.offset
    }

    private static let cache = Mutex<[String: GoLocation?]>([:])

    /// `time.LoadLocation`: nil for an unknown or invalid name (Loki then uses UTC).
    static func load(_ name: String) -> GoLocation? {
        if name.isEmpty || name == "UTC" { return utc }
        if name == "Local" { return local }
        if name.hasPrefix("/") || name.hasPrefix("\\") || name.contains("..") { return nil }
        if let hit = cache.withLock({ $0[name] }) { return hit }
        var loaded: GoLocation?
        for dir in ["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/"] {
            if let bytes = readFile(dir + name), let loc = parseTZif(name, bytes) { loaded = loc; break }
        }
        cache.withLock { cache in
            if cache.count < 1000 { cache[name] = loaded }
        }
        return loaded
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > 1 << 20 { return nil }
        }
        return out
    }

    /// Reads a TZif file (RFC 8536): the 64-bit section of version 2+ files, else the 32-bit one.
    static func parseTZif(_ name: String, _ d: [UInt8]) -> GoLocation? {
        func be(_ at: Int, _ n: Int) -> Int64? {
            guard at >= 0, at + n <= d.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(d[at + i]) }
            return n == 4 ? Int64(Int32(truncatingIfNeeded: v)) : Int64(bitPattern: v)
        }
        func header(_ at: Int) -> (isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int)? {
            guard at + 44 <= d.count, d[at..<(at + 4)].elementsEqual("TZif".utf8) else { return nil }
            var c: [Int] = []
            for i in 0..<6 {
                guard let v = be(at + 20 + 4 * i, 4), v >= 0, v < 1 << 20 else { return nil }
                c.append(Int(v))
            }
            return (c[0], c[1], c[2], c[3], c[4], c[5])
        }
        guard var h = header(0) else { return nil }
        var at = 44
        var timeSize = 4
        if d[4] >= UInt8(ascii: "2") {
            at += h.time * 4 + h.time + h.type * 6 + h.char + h.leap * 8 + h.isstd + h.isut
            guard let h2 = header(at) else { return nil }
            h = h2
            at += 44
            timeSize = 8
        }
        var transitions: [Int64] = []
        for i in 0..<h.time {
            guard let t = be(at + i * timeSize, timeSize) else { return nil }
            transitions.append(t)
        }
        at += h.time * timeSize
        guard at + h.time + h.type * 6 + h.char <= d.count, h.type > 0 else { return nil }
        let indices = d[at..<(at + h.time)].map { Int($0) }
        at += h.time
        let charsAt = at + h.type * 6
        var zones: [Zone] = []
        for i in 0..<h.type {
            guard let off = be(at + i * 6, 4) else { return nil }
            let isDST = d[at + i * 6 + 4] != 0
            let abbr = Int(d[at + i * 6 + 5])
            var end = charsAt + abbr
            while end < charsAt + h.char, d[end] != 0 { end += 1 }
            let zname = abbr < h.char ? String(decoding: d[(charsAt + abbr)..<end], as: UTF8.self) : ""
            zones.append(Zone(name: zname, offset: Int(off), isDST: isDST))
        }
        guard indices.allSatisfy({ $0 < zones.count }) else { return nil }
        return GoLocation(name: name, zones: zones, transitions: transitions, transitionZones: indices)
    }
}
