import Storage

/// A decoded PNG (8-bit RGB or RGBA, not interlaced: what Chromium's `--screenshot` writes), for checking what a
/// browser drew. Decoding checks the signature, the header and the zlib stream's checksum (zlib verifies it).
struct PNGImage {
    let width: Int
    let height: Int
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    let channels: Int
    private let pixels: [UInt8]

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Invalid(description: "not a PNG signature") }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var i = 8
        var header: (w: Int, h: Int, depth: UInt8, color: UInt8, interlace: UInt8)?
        var data: [UInt8] = []
        var ended = false
        while i + 12 <= bytes.count {
            let length = u32(i)
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            guard i + 12 + length <= bytes.count else { throw Invalid(description: "chunk \(type) runs past the end") }
            let body = bytes[(i + 8)..<(i + 8 + length)]
            switch type {
            case "IHDR":
                guard length == 13 else { throw Invalid(description: "IHDR of \(length) bytes") }
                let b = Array(body)
                header = (Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3]),
                          Int(b[4]) << 24 | Int(b[5]) << 16 | Int(b[6]) << 8 | Int(b[7]), b[8], b[9], b[12])
            case "IDAT": data += body
            case "IEND": ended = true
            default: break
            }
            i += 12 + length
        }
        guard let h = header else { throw Invalid(description: "no IHDR chunk") }
        guard ended else { throw Invalid(description: "no IEND chunk (truncated file)") }
        guard h.depth == 8, h.color == 2 || h.color == 6, h.interlace == 0 else {
            throw Invalid(description: "unsupported PNG: bit depth \(h.depth), colour type \(h.color), interlace \(h.interlace)")
        }
        let bpp = h.color == 6 ? 4 : 3
        let stride = h.w * bpp, size = h.h * (stride + 1)
        let raw = try data.withUnsafeBytes { try Gzip.decompress($0, maxOutput: size) }
        guard raw.count == size else { throw Invalid(description: "image data of \(raw.count) bytes, want \(size)") }
        pixels = try Self.unfilter(raw, height: h.h, stride: stride, bpp: bpp)
        width = h.w
        height = h.h
        channels = bpp
    }

    /// Undoes the per-row filters (none, sub, up, average, Paeth).
    static func unfilter(_ raw: [UInt8], height: Int, stride: Int, bpp: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            let src = y * (stride + 1) + 1, row = y * stride, prev = row - stride
            for x in 0..<stride {
                let a = x >= bpp ? Int(out[row + x - bpp]) : 0
                let b = y > 0 ? Int(out[prev + x]) : 0
                let c = x >= bpp && y > 0 ? Int(out[prev + x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Invalid(description: "row \(y) has filter type \(filter)")
                }
                out[row + x] = UInt8((Int(raw[src + x]) + predictor) & 0xff)
            }
        }
        return out
    }

    /// The red, green and blue of the pixel at column `x`, row `y`.
    func rgb(_ x: Int, _ y: Int) -> (Int, Int, Int) {
        let o = (y * width + x) * channels
        return (Int(pixels[o]), Int(pixels[o + 1]), Int(pixels[o + 2]))
    }
}
