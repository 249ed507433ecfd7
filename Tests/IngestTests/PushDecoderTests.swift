import Foundation
import Storage
import Testing
import LogStore
@testable import Ingest

/// Flattens a decoded push into (labels, ts, line, metadata) rows.
private func rows(_ r: PushRequest) -> [String] {
    r.streams.flatMap { (labels, batch) in
        (0..<batch.count).map { i in
            "\(labels) \(batch.timestamps[i]) \(batch.lineString(i))"
                + batch.metadata(i).map { " \($0.name)=\($0.value)" }.joined()
        }
    }
}

private func json(_ s: String) throws -> PushRequest {
    try Array(s.utf8).withUnsafeBytes { try PushJSONDecoder.decode($0) }
}

@Suite struct PushJSONDecoderTests {
    @Test func decodesStreamsValuesAndStructuredMetadata() throws {
        let r = try json("""
            {"streams":[{"stream":{"zone":"kzone","job":"ai-engine"},"values":[
              ["1700000000000000001","CUDA out of memory",{"trace_id":"4bf92f35"}],
              ["1700000000000000000","tab\\there \\"q\\" \\u00e9 \\ud83d\\ude00 \\/"]]},
             {"values":[["5","values before stream"]],"stream":{"job":"ai-engine","zone":"kzone"}},
             {"stream":{"job":"nginx"},"values":[]}]}
            """)
        #expect(rows(r) == [
            "{job=\"ai-engine\", zone=\"kzone\"} 1700000000000000001 CUDA out of memory trace_id=4bf92f35",
            "{job=\"ai-engine\", zone=\"kzone\"} 1700000000000000000 tab\there \"q\" é 😀 /",
            "{job=\"ai-engine\", zone=\"kzone\"} 5 values before stream",
        ])
        #expect(r.entryCount == 3)
    }

    @Test(arguments: [
        ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[1700000000,\"x\"]]}]}", "must be a string of unix nanoseconds"),
        ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"17x\",\"x\"]]}]}", "not an integer"),
        ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\"]]}]}", "needs a timestamp and a line"),
        ("{\"streams\":[{\"stream\":{\"1a\":\"b\"},\"values\":[[\"1\",\"x\"]]}]}", "invalid stream labels"),
        ("{\"streams\":[{\"values\":[[\"1\",\"x\"]]}]}", "without \"stream\""),
        ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"x\"]]}]} x", "after the end"),
        ("{\"streams\":[{\"stream\":{\"a\":\"b\"},\"values\":[[\"1\",\"x]]}]}", "invalid JSON"),
        ("{\"streams\":[", "invalid JSON at byte 12"),
        ("", "invalid JSON at byte 0"),
    ])
    func rejectsMalformedBodiesWithPosition(body: String, message: String) {
        #expect {
            _ = try json(body)
        } throws: { e in
            (e as? PushDecodeError)?.description.contains(message) == true
        }
    }
}

@Suite struct PushProtobufDecoderTests {
    @Test func decodesPromtailStylePushRequests() throws {
        var body = ProtoWriter.pushRequest([
            ("{job=\"nginx\", zone=\"kzone\"}", [(1_700_000_000_123_456_789, "GET /health 200", [("trace_id", "abc")])]),
            ("{zone=\"kzone\",job=\"nginx\"}", [(-1_000_000_000, "before 1970", [])]),
        ])
        // An unknown field (the stream hash, field 3 of the request) must be skipped.
        var extra = ProtoWriter()
        extra.varintField(7, 42)
        body += extra.bytes
        let r = try body.withUnsafeBytes { try PushProtobufDecoder.decode($0) }
        #expect(rows(r) == [
            "{job=\"nginx\", zone=\"kzone\"} 1700000000123456789 GET /health 200 trace_id=abc",
            "{job=\"nginx\", zone=\"kzone\"} -1000000000 before 1970",
        ])
    }

    @Test func reportsTruncatedAndInvalidBodies() {
        let body = ProtoWriter.pushRequest([("{job=\"nginx\"}", [(1, "line", [])])])
        #expect(throws: PushDecodeError.self) {
            _ = try Array(body.dropLast(3)).withUnsafeBytes { try PushProtobufDecoder.decode($0) }
        }
        let empty = ProtoWriter.pushRequest([("{}", [(1, "line", [])])])
        #expect(throws: PushDecodeError.self) { _ = try empty.withUnsafeBytes { try PushProtobufDecoder.decode($0) } }
        let bad = ProtoWriter.pushRequest([("{job=nginx}", [(1, "line", [])])])
        #expect {
            _ = try bad.withUnsafeBytes { try PushProtobufDecoder.decode($0) }
        } throws: { e in
            "\(e)".contains("expected a quoted value")
        }
    }
}

@Suite struct SnappyTests {
    @Test func decodesLiteralsAndOverlappingCopies() throws {
        // "abc" literal, then a 1-byte-offset copy of 9 bytes at offset 3 (overlapping its own output),
        // then a 2-byte-offset copy of 4 bytes at offset 12.
        let block: [UInt8] = [16, 0x08, 0x61, 0x62, 0x63, 0x15, 0x03, 0x0e, 0x0c, 0x00]
        let out = try block.withUnsafeBytes { try Snappy.decompress($0) }
        #expect(String(decoding: out, as: UTF8.self) == "abcabcabcabcabca")
    }

    @Test func literalOnlyEncoderRoundTrips() throws {
        for size in [0, 1, 59, 60, 61, 255, 256, 70_000] {
            let input = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let out = try Snappy.compressLiterals(input).withUnsafeBytes { try Snappy.decompress($0) }
            #expect(out == input)
        }
    }

    @Test(arguments: [
        [UInt8]([5, 0x08, 0x61, 0x62]),  // literal overruns the input
        [3, 0x15, 0x03],  // copy before any output
        [100, 0x00, 0x61],  // length header larger than the output
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],  // bad varint
    ])
    func rejectsCorruptBlocks(block: [UInt8]) {
        #expect(throws: Snappy.CorruptInput.self) { _ = try block.withUnsafeBytes { try Snappy.decompress($0) } }
    }
}

@Suite struct LabelStringTests {
    @Test func parsesPrometheusLabelStrings() throws {
        #expect(try LabelString.parse("{job=\"nginx\", zone=\"k\\\"z\\\\\"}") == [Label("job", "nginx"), Label("zone", "k\"z\\")])
        #expect(try LabelString.parse(" {} ") == [])
        for bad in ["job=\"x\"", "{job=\"x\"", "{job=x}", "{=\"x\"}", "{job=\"x\"} y", "{job=\"\\q\"}"] {
            #expect(throws: PushDecodeError.self) { _ = try LabelString.parse(bad) }
        }
    }
}
