import Foundation
import Testing
@testable import LogQL

/// `ResultJSON.quote` escapes exactly what JSON requires and keeps every other byte, so Foundation's decoder
/// reads back the original string.
@Suite struct ResultJSONQuoteTests {
    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        (#"10.0.2.1 - - "GET /health HTTP/1.1" 200"#, #""10.0.2.1 - - \"GET /health HTTP/1.1\" 200""#),
        ("a\\b", #""a\\b""#),
        ("tab\tnl\ncr\r", #""tab\tnl\ncr\r""#),
        ("\u{1}\u{1f}", #""\u0001\u001f""#),
        ("Grüße ✓ 日本", "\"Grüße ✓ 日本\""),
    ])
    func quotes(_ input: String, _ want: String) throws {
        let got = ResultJSON.quote(input)
        #expect(got == want)
        let back = try JSONDecoder().decode(String.self, from: Data(got.utf8))
        #expect(back == input)
    }

    /// The eight-bytes-at-a-time skip must find every special byte wherever it sits in a word: every position of
    /// each special character in strings of 1…40 bytes, against a byte-at-a-time reference.
    @Test func everyPositionOfEverySpecialByte() throws {
        let specials: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x22, 0x5C]
        let harmless: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F]
        for length in 1...40 {
            for at in 0..<length {
                for c in specials {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[at] = c
                    bytes[(at + 3) % length] = harmless[(at + length) % harmless.count]
                    let input = String(decoding: bytes, as: UTF8.self)
                    #expect(ResultJSON.quote(input) == Self.reference(input), "length \(length), byte \(c) at \(at)")
                }
            }
        }
        #expect(!JSONWriter.needsEscape(0x7F7F_2020_E282_ACFF), "DEL, space and bytes over 0x80 need no escape")
    }

    private static func reference(_ s: String) -> String {
        var out = "\""
        for b in s.utf8 {
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case ..<0x20: out += String(format: "\\u%04x", b)
            default: out += String(decoding: [b], as: UTF8.self)
            }
        }
        return out + "\""
    }
}
