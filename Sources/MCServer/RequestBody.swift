import Hummingbird
import NIOCore
import Storage

extension Request {
    /// The request body, at most `limit` bytes (`server.max_recv_msg_size`); a larger one is a 413 naming the limit,
    /// as Loki answers it.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(SizeLimitExceeded("request body", limit: limit))
        }
    }
}

extension APIError {
    /// 413 for a body, raw or decompressed, over `server.max_recv_msg_size`.
    static func bodyTooLarge(_ e: SizeLimitExceeded) -> APIError {
        APIError(.contentTooLarge, "\(e.description) (server.max_recv_msg_size)")
    }
}
