/// Append-only little-endian / varint encoder used by every on-disk format.
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }

    public mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    @inline(__always) public mutating func uvarint(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(value))
            return
        }
        // Longer ones are built in registers and appended at once (one capacity check instead of one per byte:
        // a WAL record's absolute nanosecond timestamps take 9 bytes each).
        var buf: (UInt64, UInt64) = (0, 0)
        var n = 0
        var v = value
        withUnsafeMutableBytes(of: &buf) { p in
            while v >= 0x80 {
                p[n] = UInt8(truncatingIfNeeded: v) | 0x80
                v >>= 7
                n += 1
            }
            p[n] = UInt8(v)
            n += 1
        }
        withUnsafeBytes(of: &buf) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    /// Appends `count` varints, the i-th being `value(i)`. They are built in a small stack buffer and appended a
    /// few KiB at a time: one capacity check per chunk instead of one per byte (the columns of a batch or a
    /// page are millions of varints; per-byte appends were the largest part of their encoding time).
    @inlinable
    public mutating func uvarints(count: Int, _ value: (Int) -> UInt64) {
        guard count > 0 else { return }
        let chunk = 4096
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { buf in
            let base = buf.baseAddress!
            var n = 0
            for i in 0..<count {
                if n > chunk - 10 {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: n))
                    n = 0
                }
                var v = value(i)
                while v >= 0x80 {
                    base[n] = UInt8(truncatingIfNeeded: v) | 0x80
                    n += 1
                    v >>= 7
                }
                base[n] = UInt8(v)
                n += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: n))
        }
    }

    /// The zig-zag mapping of `svarint`: small magnitudes of either sign become small unsigned numbers.
    @inlinable
    public static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    /// Zig-zag signed varint.
    public mutating func svarint(_ v: Int64) {
        uvarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    public mutating func raw(_ b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }
    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    public mutating func raw<S: Sequence>(_ b: S) where S.Element == UInt8 { bytes.append(contentsOf: b) }

    /// Length-prefixed byte string.
    public mutating func blob(_ b: [UInt8]) {
        uvarint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// Length-prefixed UTF-8 of `s`, copied straight from the string's storage (no intermediate array: the
    /// WAL encodes several metadata strings per ingested line).
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            uvarint(UInt64(u.count))
            bytes.append(contentsOf: UnsafeRawBufferPointer(u))
        }
    }

    /// Overwrites 4 bytes at `offset` (used to back-patch lengths).
    public mutating func patchU32(_ v: UInt32, at offset: Int) {
        withUnsafeBytes(of: v.littleEndian) { src in
            for i in 0..<4 { bytes[offset + i] = src[i] }
        }
    }
}

/// Thrown when a decoder runs past its input or meets a malformed field.
public struct DecodeError: Error, CustomStringConvertible, Sendable {
    public let what: String
    public init(_ what: String) { self.what = what }
    public var description: String { "malformed data: \(what)" }
}

/// Bounds-checked reader over a byte buffer; the buffer must outlive the reader.
public struct ByteReader {
    public let base: UnsafeRawBufferPointer
    public var offset: Int

    public init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    public var remaining: Int { base.count - offset }
    public var atEnd: Bool { offset >= base.count }

    public mutating func u8() throws -> UInt8 {
        guard offset < base.count else { throw DecodeError("unexpected end reading u8") }
        defer { offset += 1 }
        return base[offset]
    }

    public mutating func u32() throws -> UInt32 {
        guard remaining >= 4 else { throw DecodeError("unexpected end reading u32") }
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    public mutating func u64() throws -> UInt64 {
        guard remaining >= 8 else { throw DecodeError("unexpected end reading u64") }
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    public mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }

    @inline(__always) public mutating func uvarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count else { throw DecodeError("unexpected end reading varint") }
            let b = base[offset]
            offset += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw DecodeError("varint too long") }
        }
    }

    public mutating func svarint() throws -> Int64 {
        let u = try uvarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    public mutating func int() throws -> Int {
        let v = try uvarint()
        guard v <= UInt64(Int32.max) else { throw DecodeError("length \(v) out of range") }
        return Int(v)
    }

    /// A slice of the underlying buffer (no copy).
    public mutating func slice(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw DecodeError("unexpected end reading \(n) bytes") }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: base[offset..<offset + n])
    }

    public mutating func blob() throws -> [UInt8] { Array(try slice(try int())) }

    public mutating func string() throws -> String { String(decoding: try slice(try int()), as: UTF8.self) }
}
