import Testing
@testable import LogQL

@Suite struct PatternMinerTests {
    @Test(arguments: [
        ("GET", "GET"), ("10.0.2.1", "<_>"), ("4bf92f3577b34da6a3ce929d0e0e4736", "<_>"), ("250ms", "<_>"),
        ("pid=4821", "pid=<_>"), ("level=error", "level=error"), ("[21/Nov/2025:10:15:03", "<_>"), ("HTTP/1.1", "HTTP/1.1"),
        ("req-12345", "<_>"), ("upstream", "upstream"), ("cuda:0", "cuda:0"), ("v1", "v1"),
    ])
    func masksValuesButNotWords(token: String, masked: String) {
        #expect(PatternMiner.mask(Substring(token)) == masked)
    }

    @Test func clustersLinesIntoPatternsWithCountsAndBuckets() {
        let m = PatternMiner(step: 60_000_000_000)
        let lines = [
            "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.2.1",
            "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.2.7",
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
            "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 192.168.1.9",
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB",
            "worker booted user=alice",
            "worker booted user=bob",
        ]
        for (i, l) in lines.enumerated() { m.add(l, timestamp: Int64(i) * 30_000_000_000) }
        let p = m.sorted()
        #expect(p.map(\.text) == [
            "upstream timed out <_> Connection timed out) while reading response header from upstream, client: <_>",
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate <_> <_>",
            "worker booted <_>",
        ])
        #expect(p.map(\.count) == [3, 2, 2])
        #expect(p[0].firstSeen == 0 && p[0].lastSeen == 90_000_000_000)
        #expect(p[0].buckets == [0: 2, 60_000_000_000: 1])
        #expect(p[1].example.hasSuffix("2.00 GiB"))
    }

    @Test func differentShapesStayApart() {
        let m = PatternMiner()
        m.add("GET /health 200", timestamp: 0)
        m.add("POST /v1/chat 500", timestamp: 0)
        m.add("connection reset by peer", timestamp: 0)
        #expect(m.patterns.count == 3)
    }
}
