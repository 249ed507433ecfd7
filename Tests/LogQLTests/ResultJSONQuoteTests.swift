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
}
