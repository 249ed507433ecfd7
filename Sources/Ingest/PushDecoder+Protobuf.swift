import LogStore

/// Decodes Loki's protobuf push body (`logproto.PushRequest`, after snappy decompression):
///
/// ```
/// PushRequest      { repeated StreamAdapter streams = 1; }
/// StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
/// EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
///                    repeated LabelPairAdapter structuredMetadata = 3; }
/// LabelPairAdapter { string name = 1; string value = 2; }
/// Timestamp        { int64 seconds = 1; int32 nanos = 2; }
/// ```
/// Unknown fields are skipped, as protobuf requires. Lines are copied straight from the body into the batch.
public enum PushProtobufDecoder {
    public static func decode(_ body: UnsafeRawBufferPointer, limits: Limits = Limits()) throws -> PushRequest {
        var request = PushRequest()
        var r = ProtoReader(body)
        while let (field, wire) = try r.nextKey() {
            if field == 1 && wire == 2 {
                try decodeStream(r.lengthDelimited(), into: &request, limits: limits)
            } else {
                try r.skip(wire)
            }
        }
        return request
    }

    private static func decodeStream(_ b: UnsafeRawBufferPointer, into request: inout PushRequest, limits: Limits) throws {
        // Labels may follow entries on the wire: find them first.
        var labelsText: String?
        var r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            if field == 1 && wire == 2 {
                labelsText = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            } else {
                try r.skip(wire)
            }
        }
        guard let labelsText else { throw PushDecodeError("stream without labels") }
        let labels: LabelSet
        do { labels = try LabelSet(LabelString.parse(labelsText), limits: limits) } catch let e as PushDecodeError {
            throw e
        } catch {
            throw PushDecodeError("invalid labels \(labelsText): \(error)")
        }
        let index = request.batchIndex(for: labels)
        r = ProtoReader(b)
        while let (field, wire) = try r.nextKey() {
            if field == 2 && wire == 2 {
                try decodeEntry(r.lengthDelimited(), into: &request, at: index)
            } else {
                try r.skip(wire)
            }
        }
    }

    private static func decodeEntry(_ b: UnsafeRawBufferPointer, into request: inout PushRequest, at index: Int) throws {
        var r = ProtoReader(b)
        var seconds: Int64 = 0, nanos: Int64 = 0
        var line = UnsafeRawBufferPointer(start: nil, count: 0)
        var metadata: [Label] = []
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2):
                var t = ProtoReader(try r.lengthDelimited())
                while let (tf, tw) = try t.nextKey() {
                    switch (tf, tw) {
                    case (1, 0): seconds = Int64(bitPattern: try t.varint())
                    case (2, 0): nanos = Int64(Int32(truncatingIfNeeded: try t.varint()))
                    default: try t.skip(tw)
                    }
                }
            case (2, 2):
                line = try r.lengthDelimited()
            case (3, 2):
                var p = ProtoReader(try r.lengthDelimited())
                var name = "", value = ""
                while let (pf, pw) = try p.nextKey() {
                    switch (pf, pw) {
                    case (1, 2): name = String(decoding: try p.lengthDelimited(), as: UTF8.self)
                    case (2, 2): value = String(decoding: try p.lengthDelimited(), as: UTF8.self)
                    default: try p.skip(pw)
                    }
                }
                metadata.append(Label(name, value))
            default:
                try r.skip(wire)
            }
        }
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { throw PushDecodeError("timestamp \(seconds)s is out of range") }
        request.append(to: index, timestamp: ns &+ nanos, line: line, metadata: metadata)
    }
}

/// Reads protobuf wire format from bytes.
struct ProtoReader {
    let b: UnsafeRawBufferPointer
    var pos = 0

    init(_ b: UnsafeRawBufferPointer) { self.b = b }

    mutating func varint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while pos < b.count {
            let c = b[pos]
            pos += 1
            v |= UInt64(c & 0x7f) << shift
            if c < 0x80 { return v }
            shift += 7
            if shift > 63 { break }
        }
        throw PushDecodeError("protobuf: malformed varint at byte \(pos)")
    }

    /// The next field number and wire type, or nil at the end.
    mutating func nextKey() throws -> (Int, Int)? {
        guard pos < b.count else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw PushDecodeError("protobuf: field number 0 at byte \(pos)") }
        return (field, Int(key & 7))
    }

    mutating func lengthDelimited() throws -> UnsafeRawBufferPointer {
        let n = try varint()
        guard n <= UInt64(b.count - pos) else { throw PushDecodeError("protobuf: length \(n) overruns the body at byte \(pos)") }
        let slice = UnsafeRawBufferPointer(rebasing: b[pos..<pos + Int(n)])
        pos += Int(n)
        return slice
    }

    mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1: pos += 8
        case 2: _ = try lengthDelimited()
        case 5: pos += 4
        default: throw PushDecodeError("protobuf: unsupported wire type \(wire) at byte \(pos)")
        }
        guard pos <= b.count else { throw PushDecodeError("protobuf: truncated field") }
    }
}

/// Writes protobuf wire format; used by tests and benchmarks to build push bodies the way Promtail does.
public struct ProtoWriter {
    public var bytes: [UInt8] = []
    public init() {}

    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f | 0x80))
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func field(_ n: Int, varint v: UInt64) {
        varint(UInt64(n << 3))
        varint(v)
    }

    public mutating func field(_ n: Int, bytes b: [UInt8]) {
        varint(UInt64(n << 3 | 2))
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    /// A `logproto.PushRequest` for streams of (labels string, [(ns, line, metadata)]).
    public static func pushRequest(_ streams: [(String, [(Int64, String, [(String, String)])])]) -> [UInt8] {
        var req = ProtoWriter()
        for (labels, entries) in streams {
            var s = ProtoWriter()
            s.field(1, bytes: Array(labels.utf8))
            for (ns, line, md) in entries {
                var ts = ProtoWriter()
                ts.field(1, varint: UInt64(bitPattern: ns / 1_000_000_000))
                ts.field(2, varint: UInt64(ns % 1_000_000_000))
                var e = ProtoWriter()
                e.field(1, bytes: ts.bytes)
                e.field(2, bytes: Array(line.utf8))
                for (n, v) in md {
                    var p = ProtoWriter()
                    p.field(1, bytes: Array(n.utf8))
                    p.field(2, bytes: Array(v.utf8))
                    e.field(3, bytes: p.bytes)
                }
                s.field(2, bytes: e.bytes)
            }
            req.field(1, bytes: s.bytes)
        }
        return req.bytes
    }
}
