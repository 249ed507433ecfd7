import LogStore
import Storage

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
        do {
            while let (field, wire) = try r.nextKey() {
                if field == 1 && wire == 2 {
                    try decodeStream(r.lengthDelimited(), into: &request, limits: limits)
                } else {
                    try r.skip(wire)
                }
            }
        } catch let e as ProtoWireError {
            throw PushDecodeError(e.description)
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

extension ProtoWriter {
    /// A `logproto.PushRequest` for streams of (labels string, [(ns, line, metadata)]).
    public static func pushRequest(_ streams: [(String, [(Int64, String, [(String, String)])])]) -> [UInt8] {
        var req = ProtoWriter()
        for (labels, entries) in streams {
            req.message(1) { s in
                s.stringField(1, labels, always: true)
                for (ns, line, md) in entries {
                    s.message(2) { e in
                        e.message(1) { ts in
                            ts.varintField(1, UInt64(bitPattern: ns / 1_000_000_000))
                            ts.varintField(2, UInt64(ns % 1_000_000_000))
                        }
                        e.stringField(2, line, always: true)
                        for (n, v) in md {
                            e.message(3) { p in
                                p.stringField(1, n, always: true)
                                p.stringField(2, v, always: true)
                            }
                        }
                    }
                }
            }
        }
        return req.bytes
    }
}
