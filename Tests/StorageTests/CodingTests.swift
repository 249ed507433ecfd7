import Testing
@testable import Storage

@Suite struct CodingTests {
    @Test("CRC-32C matches the standard check values", arguments: [
        ("123456789", UInt32(0xE306_9283)),
        ("", UInt32(0)),
        ("a", UInt32(0xC1D0_4330)),
        ("The quick brown fox jumps over the lazy dog", UInt32(0x2262_0404)),
    ])
    func crc(_ input: String, _ expected: UInt32) {
        #expect(CRC32C.checksum(Array(input.utf8)) == expected)
    }

    @Test func crcChainsAcrossSplits() {
        let bytes = Array("mclog keeps every acknowledged line exactly once".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let a = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<split])) }
            let b = bytes.withUnsafeBytes {
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[split...]), continuing: a)
            }
            #expect(b == whole)
        }
    }

    @Test("varints round-trip", arguments: [UInt64(0), 1, 127, 128, 300, 16383, 16384, 1 << 35, UInt64.max])
    func uvarint(_ v: UInt64) throws {
        var w = ByteWriter()
        w.uvarint(v)
        try w.bytes.withUnsafeBytes { b in
            var r = ByteReader(b)
            let got = try r.uvarint()
            #expect(got == v)
            #expect(r.atEnd)
        }
    }

    @Test("signed varints round-trip", arguments: [Int64(0), -1, 1, -64, 64, Int64.min, Int64.max])
    func svarint(_ v: Int64) throws {
        var w = ByteWriter()
        w.svarint(v)
        try w.bytes.withUnsafeBytes { b in
            var r = ByteReader(b)
            let got = try r.svarint()
            #expect(got == v)
        }
    }

    @Test func readerRejectsTruncatedInput() {
        let bytes: [UInt8] = [0x80, 0x80]
        bytes.withUnsafeBytes { b in
            var r = ByteReader(b)
            #expect(throws: DecodeError.self) { try r.uvarint() }
        }
    }

    @Test("codecs round-trip", arguments: Codec.allCases)
    func codecRoundTrip(_ codec: Codec) throws {
        let line = Array("203.0.113.7 - - [21/Nov/2025:10:15:03 +0000] \"GET /api/v1/items HTTP/1.1\" 200 512\n".utf8)
        var raw: [UInt8] = []
        for i in 0..<2000 { raw += line + Array(String(i).utf8) }
        let c = Compressor(codec: codec)
        var stored: [UInt8] = []
        try raw.withUnsafeBytes { try c.compress($0, into: &stored) }
        if codec != .none { #expect(stored.count < raw.count / 3) }
        var out: [UInt8] = []
        try stored.withUnsafeBytes { try Decompressor().decompress($0, codec: codec, rawSize: raw.count, into: &out) }
        #expect(out == raw)
    }

    @Test("one compressor reused for inputs of growing and shrinking size", arguments: Codec.allCases)
    func compressorReuse(_ codec: Codec) throws {
        let c = Compressor(codec: codec)
        for (i, n) in [0, 100, 300_000, 17, 1_000_000, 5].enumerated() {
            let raw = (0..<n).map { UInt8(truncatingIfNeeded: ($0 / 7) &* 31 &+ i) }
            var stored: [UInt8] = [1, 2, 3]  // appended to, not replaced
            try raw.withUnsafeBytes { try c.compress($0, into: &stored) }
            #expect(Array(stored.prefix(3)) == [1, 2, 3])
            var out: [UInt8] = []
            try stored.dropFirst(3).withUnsafeBytes {
                try Decompressor().decompress($0, codec: codec, rawSize: n, into: &out)
            }
            #expect(out == raw)
        }
    }

    @Test func corruptCompressedDataIsAnError() throws {
        let raw = [UInt8](repeating: 65, count: 10000)
        var stored: [UInt8] = []
        try raw.withUnsafeBytes { try Compressor(codec: .zstd).compress($0, into: &stored) }
        stored[stored.count / 2] ^= 0xFF
        stored[4] ^= 0xFF
        var out: [UInt8] = []
        #expect(throws: (any Error).self) {
            try stored.withUnsafeBytes { try Decompressor().decompress($0, codec: .zstd, rawSize: raw.count, into: &out) }
        }
    }
}

@Suite struct CRC32CHardwareTests {
    @Test func hardwareAndTableVersionsAgree() {
        var bytes = [UInt8](repeating: 0, count: 10_007)
        var x: UInt32 = 12345
        for i in bytes.indices {
            x = x &* 1_103_515_245 &+ 12345
            bytes[i] = UInt8(truncatingIfNeeded: x >> 16)
        }
        bytes.withUnsafeBytes { b in
            for n in [0, 1, 7, 8, 9, 63, 64, 65, 4096, 10_007] {
                let slice = UnsafeRawBufferPointer(rebasing: b[0..<n])
                #expect(CRC32C.checksum(slice) == CRC32C.software(slice))
                #expect(CRC32C.checksum(slice, continuing: 0xDEAD_BEEF) == CRC32C.software(slice, continuing: 0xDEAD_BEEF))
            }
        }
    }

    /// Long inputs run three crc32 chains joined by zero-byte operators (blocks of 3 x 8 KiB, then 3 x 256 B):
    /// lengths around those block sizes, at unaligned starts, and chained calls.
    @Test func threeWayHardwareVersionAgreesOnLongInputs() {
        var bytes = [UInt8](repeating: 0, count: 120_011)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in bytes.indices {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            bytes[i] = UInt8(truncatingIfNeeded: x)
        }
        bytes.withUnsafeBytes { b in
            for start in [0, 1, 5] {
                for n in [767, 768, 769, 3 * 256 * 2 + 9, 24_575, 24_576, 24_577, 3 * 8192 + 3 * 256 + 7, 100_000, 120_000] {
                    let slice = UnsafeRawBufferPointer(rebasing: b[start..<(start + n)])
                    #expect(CRC32C.checksum(slice) == CRC32C.software(slice), "start \(start), \(n) bytes")
                }
            }
            let all = UnsafeRawBufferPointer(rebasing: b[0..<120_000])
            let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[0..<50_001]))
            #expect(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[50_001..<120_000]), continuing: first) == CRC32C.software(all))
        }
    }
}
