import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import MCServer

/// `Expect: 100-continue` (curl sends it for bodies over 1 MiB) is answered at once, so the client sends its body
/// without the second-long wait it would otherwise make; the request itself then succeeds as usual.
@Suite struct ExpectContinueTests {
    @Test func pushWithExpectContinueGets100ThenStores() async throws {
        let h = try ServerHarness()
        defer { h.close() }
        let body = pushJSON(["job": "nginx"], [(sec(100), "GET /health 200")])
        try await LokiServer(api: h.api).application().test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawHTTPSocket(port: port)
            defer { socket.close() }
            try socket.send("POST /loki/api/v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
            // Before any body byte is sent, the server must already have answered 100.
            let interim = try socket.receive(until: "\r\n\r\n")
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue"), "got \(interim)")
            try socket.send(body)
            let final = try socket.receive(until: "\r\n\r\n")
            #expect(final.hasPrefix("HTTP/1.1 204"), "got \(final)")
        }
        let stored = h.store.stats()
        #expect(stored.entries + stored.headEntries == 1)
    }
}

/// A blocking loopback socket with a receive timeout, for exchanges the test client cannot express.
private final class RawHTTPSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            sent += n
        }
    }

    /// Reads until `marker` has arrived (or the 5 s timeout: then what came so far).
    func receive(until marker: String) throws -> String {
        var got = [UInt8]()
        var byte: UInt8 = 0
        while !String(decoding: got, as: UTF8.self).hasSuffix(marker) {
            guard recv(fd, &byte, 1, 0) == 1 else { break }
            got.append(byte)
        }
        return String(decoding: got, as: UTF8.self)
    }

    func close() { Glibc.close(fd) }
}
