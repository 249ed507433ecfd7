/// Protobuf wire format, read side: varint, fixed32/64, length-delimited, skipping unknown fields — what Loki's
/// push decoder (Ingest) and the OTLP decoder (TraceStore) need. Works on borrowed bytes; nothing is copied until
/// a caller builds a string. Malformed input throws `ProtoWireError`, which the decoders re-throw as their own.
public struct ProtoReader {
    public let b: UnsafeRawBufferPointer
    public var pos = 0

    public init(_ b: UnsafeRawBufferPointer) { self.b = b }

    public mutating func varint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while pos < b.count {
            let c = b[pos]
            pos += 1
            v |= UInt64(c & 0x7f) << shift
            if c < 0x80 { return v }
            shift += 7
            if shift > 63 { break }
        }
        throw ProtoWireError("protobuf: malformed varint at byte \(pos)")
    }

    /// The next field number and wire type, or nil at the end.
    public mutating func nextKey() throws -> (Int, Int)? {
        guard pos < b.count else { return nil }
        let key = try varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 else { throw ProtoWireError("protobuf: field number 0 at byte \(pos)") }
        return (field, Int(key & 7))
    }

    public mutating func fixed64() throws -> UInt64 {
        guard b.count - pos >= 8 else { throw ProtoWireError("protobuf: truncated fixed64 at byte \(pos)") }
        defer { pos += 8 }
        return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
    }

    public mutating func fixed32() throws -> UInt32 {
        guard b.count - pos >= 4 else { throw ProtoWireError("protobuf: truncated fixed32 at byte \(pos)") }
        defer { pos += 4 }
        return UInt32(littleEndian: b.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
    }

    public mutating func lengthDelimited() throws -> UnsafeRawBufferPointer {
        let n = try varint()
        guard n <= UInt64(b.count - pos) else {
            throw ProtoWireError("protobuf: length \(n) at byte \(pos) runs past the end of the message")
        }
        defer { pos += Int(n) }
        return UnsafeRawBufferPointer(rebasing: b[pos..<pos + Int(n)])
    }

    public mutating func string() throws -> String { String(decoding: try lengthDelimited(), as: UTF8.self) }

    /// Calls `body` with each length-delimited field numbered `field` of message `b`, in wire order, skipping the
    /// others: for decoders that read a message once per part they need from it (counts before contents).
    @inlinable
    public static func forEach(_ field: Int, in b: UnsafeRawBufferPointer,
                               _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var r = ProtoReader(b)
        while let (f, w) = try r.nextKey() {
            if f == field && w == 2 { try body(r.lengthDelimited()) } else { try r.skip(w) }
        }
    }

    /// How many length-delimited fields numbered `field` message `b` holds.
    @inlinable
    public static func count(_ field: Int, in b: UnsafeRawBufferPointer) throws -> Int {
        var n = 0
        try forEach(field, in: b) { _ in n += 1 }
        return n
    }

    /// Skips a field of wire type `wire`.
    public mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1: _ = try fixed64()
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw ProtoWireError("protobuf: unsupported wire type \(wire) at byte \(pos)")
        }
    }
}

/// Protobuf wire format, write side, for OTLP responses, Tempo's protobuf trace body and test push bodies.
/// `…Field` writers leave out zero and empty values, as proto3 encoders do.
public struct ProtoWriter {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func key(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }

    public mutating func varintField(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        key(field, 0)
        varint(v)
    }

    public mutating func fixed64Field(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        key(field, 1)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func fixed32Field(_ field: Int, _ v: UInt32) {
        guard v != 0 else { return }
        key(field, 5)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func bytesField(_ field: Int, _ b: [UInt8], always: Bool = false) {
        guard always || !b.isEmpty else { return }
        key(field, 2)
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    public mutating func stringField(_ field: Int, _ s: String, always: Bool = false) {
        guard always || !s.isEmpty else { return }
        key(field, 2)
        varint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    /// A nested message built by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        body(&inner)
        bytesField(field, inner.bytes, always: true)
    }
}

/// Malformed protobuf: what and at which byte.
public struct ProtoWireError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
