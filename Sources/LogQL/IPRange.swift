/// An IP range from Loki's `ip("…")`: a single address (`192.168.0.1`), a CIDR (`10.0.0.0/8`, `2001:db8::/32`)
/// or a dash range (`192.168.0.1-192.168.0.20`). IPv4 and IPv6 are compared as 128-bit numbers.
struct IPRange: Sendable {
    let low: (UInt64, UInt64)
    let high: (UInt64, UInt64)

    init(_ text: String) throws {
        let s = text.trimmingSpaces
        if let dash = s.firstIndex(of: "-") {
            guard let a = IPRange.parse(Substring(s[..<dash])), let b = IPRange.parse(s[s.index(after: dash)...]),
                  !IPRange.less(b, a)
            else { throw LogQLError("invalid IP range \"\(text)\"") }
            low = a
            high = b
        } else if let slash = s.firstIndex(of: "/") {
            guard let a = IPRange.parse(Substring(s[..<slash])), let bits = Int(s[s.index(after: slash)...]) else {
                throw LogQLError("invalid CIDR \"\(text)\"")
            }
            let isV4 = s[..<slash].contains(".") && !s[..<slash].contains(":")
            let prefix = isV4 ? bits + 96 : bits
            guard bits >= 0, prefix <= 128, bits <= (isV4 ? 32 : 128) else { throw LogQLError("invalid CIDR \"\(text)\"") }
            let (hiMask, loMask): (UInt64, UInt64) = prefix >= 64
                ? (~0, prefix == 128 ? ~0 : ~(~UInt64(0) >> UInt64(prefix - 64)))
                : (prefix == 0 ? 0 : ~(~UInt64(0) >> UInt64(prefix)), 0)
            low = (a.0 & hiMask, a.1 & loMask)
            high = (a.0 | ~hiMask, a.1 | ~loMask)
        } else {
            guard let a = IPRange.parse(Substring(s)) else { throw LogQLError("invalid IP \"\(text)\"") }
            low = a
            high = a
        }
    }

    func contains(_ ip: (UInt64, UInt64)) -> Bool { !IPRange.less(ip, low) && !IPRange.less(high, ip) }

    static func less(_ a: (UInt64, UInt64), _ b: (UInt64, UInt64)) -> Bool { a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) }

    /// Parses an IPv4 (as ::ffff:a.b.c.d) or IPv6 address.
    static func parse(_ s: Substring) -> (UInt64, UInt64)? {
        if !s.contains(":") {
            guard let v4 = parseV4(Array(s.utf8)[...]) else { return nil }
            return (0, 0x0000_FFFF_0000_0000 | UInt64(v4))
        }
        return parseV6(s)
    }

    static func parseV4(_ b: ArraySlice<UInt8>) -> UInt32? {
        var parts: [UInt32] = []
        var cur: UInt32 = 0, digits = 0
        for c in b {
            if c >= 48 && c <= 57 {
                cur = cur * 10 + UInt32(c - 48)
                digits += 1
                if digits > 3 || cur > 255 { return nil }
            } else if c == 46 {
                guard digits > 0 else { return nil }
                parts.append(cur)
                cur = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        parts.append(cur)
        guard parts.count == 4 else { return nil }
        return parts.reduce(0) { $0 << 8 | $1 }
    }

    static func parseV6(_ s: Substring) -> (UInt64, UInt64)? {
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ t: String) -> [UInt16]? {
            if t.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = t.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if i == parts.count - 1, p.contains("."), let v4 = parseV4(Array(p.utf8)[...]) {
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard p.count >= 1, p.count <= 4, let v = UInt16(p, radix: 16) else { return nil }
                    out.append(v)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        let hi = all[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let lo = all[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (hi, lo)
    }

    /// Whether any IP address written in `line` falls in the range (Loki's `|= ip(…)` line filter).
    func matchesAny(in line: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = line.count
        func isIPChar(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || c == 46 || c == 58 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
        }
        while i < n {
            guard isIPChar(line[i]) else {
                i += 1
                continue
            }
            var j = i
            while j < n && isIPChar(line[j]) { j += 1 }
            if j - i >= 2 {
                let token = String(decoding: UnsafeRawBufferPointer(rebasing: line[i..<j]), as: UTF8.self)
                if let ip = IPRange.parse(Substring(token)), contains(ip) { return true }
            }
            i = j
        }
        return false
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

import Foundation
