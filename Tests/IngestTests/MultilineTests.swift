import LogStore
import Testing

@testable import Ingest

/// Entries the assembler cuts from `text` fed in `chunk`-byte pieces (0: all at once), then finished.
func assemble(_ text: String, format: LogFormat, rule: MultilineRule.Kind? = nil, maxLine: Int = 256 << 10,
              maxBytes: Int = 128 << 10, maxLines: Int = 1000, chunk: Int = 0, finish: Bool = true) throws
    -> (entries: [String], ends: [Int]) {
    let parser = LineParser(format: format)
    let joiner = try LineJoiner(rule: MultilineRule(kind: rule ?? format.defaultMultiline, maxBytes: maxBytes,
                                                    maxLines: maxLines), parser: parser)
    let a = LineAssembler(joiner: joiner, maxLineBytes: maxLine, offset: 0)
    var entries: [String] = []
    var ends: [Int] = []
    let bytes = Array(text.utf8)
    let step = chunk == 0 ? max(bytes.count, 1) : chunk
    bytes.withUnsafeBytes { b in
        var i = 0
        while i < b.count {
            let n = min(step, b.count - i)
            a.feed(UnsafeRawBufferPointer(rebasing: b[i..<(i + n)])) { e, end in
                entries.append(String(decoding: e, as: UTF8.self))
                ends.append(end)
            }
            i += n
        }
    }
    if finish {
        a.finish { e, end in
            entries.append(String(decoding: e, as: UTF8.self))
            ends.append(end)
        }
    }
    return (entries, ends)
}

@Suite struct MultilineTests {
    @Test func vllmTracebackJoinsUnderItsHeaders() throws {
        let text = try fixtureLines("vllm-traceback.log").joined(separator: "\n")
        let (entries, _) = try assemble(text, format: .vllm)
        #expect(entries.count == 17)
        let failed = try #require(entries.first { $0.contains("AsyncLLM output_handler failed.") })
        #expect(failed.contains("Traceback (most recent call last):"))
        let last = try fixtureLines("vllm-traceback.log")[15]  // the exception line
        #expect(last.contains("EngineDeadError"))
        #expect(failed.hasSuffix(last))
        #expect(!failed.contains("\r"))  // the traceback's lines end in CRLF in the real log
        #expect(failed.split(separator: "\n").count == 8)
    }

    @Test func javaStackTraceJoinsToItsLogLine() throws {
        let lines = try fixtureLines("kafka-server-stacktrace.log").filter { !$0.isEmpty }
        let (entries, _) = try assemble(lines.joined(separator: "\n") + "\n", format: .plain, rule: .javaStackTrace)
        #expect(entries.count == 15)
        #expect(entries[0].hasPrefix("[2016-12-19 20:39:48,918] WARN"))
        #expect(entries[0].contains("\njava.io.IOException: Connection to 2 was disconnected"))
        #expect(entries[0].split(separator: "\n").count == 16)
        #expect(entries[1].hasPrefix("[2016-12-19 20:39:50,730] INFO"))
    }

    @Test func nginxErrorContinuationLinesJoin() throws {
        let text = try fixtureLines("nginx-error.log").joined(separator: "\n")
        let (entries, _) = try assemble(text, format: .nginxError)
        #expect(entries.count == 4)
        #expect(entries[2].split(separator: "\n").count == 3)
        #expect(entries[2].hasSuffix("post.php on line 0"))
    }

    @Test func pythonChainedTracebacksStayOneEntry() throws {
        let text = """
            2025-11-21 10:15:03,123 ERROR app.main: request failed
            Traceback (most recent call last):
              File "app.py", line 3, in f
                return 1 / 0
            ZeroDivisionError: division by zero

            During handling of the above exception, another exception occurred:

            Traceback (most recent call last):
              File "app.py", line 5, in g
                f()
            torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB
            2025-11-21 10:15:04,000 INFO app.main: next
            INFO:     10.0.2.1:51234 - "GET /health HTTP/1.1" 200 OK

            """
        let (entries, ends) = try assemble(text, format: .python)
        #expect(entries.count == 3)
        #expect(entries[0].hasSuffix("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"))
        #expect(entries[0].split(separator: "\n", omittingEmptySubsequences: false).count == 12)
        #expect(entries[1] == "2025-11-21 10:15:04,000 INFO app.main: next")
        #expect(ends.last == text.utf8.count)
    }

    @Test func startPatternRule() throws {
        let text = "#1 a\n  b\n#2 c\nd\n#3\n"
        let (entries, _) = try assemble(text, format: .plain, rule: .startPattern("^#\\d"))
        #expect(entries == ["#1 a\n  b", "#2 c\nd", "#3"])
    }

    @Test func maxBytesAndMaxLinesCutEntries() throws {
        let text = "S1\n c1\n c2\n c3\nS2\n" + " " + String(repeating: "x", count: 40) + "\n"
        let (byLines, _) = try assemble(text, format: .plain, rule: .startPattern("^S"), maxLines: 2)
        #expect(byLines == ["S1\n c1", " c2\n c3", "S2\n " + String(repeating: "x", count: 40)])
        let (bySize, _) = try assemble("S1\n" + String(repeating: " y", count: 20) + "\n", format: .plain,
                                       rule: .startPattern("^S"), maxBytes: 20)
        #expect(bySize.count == 2)
        #expect(bySize[0] == "S1")
    }

    @Test func partialLineIsHeldUntilItsNewline() throws {
        let (held, _) = try assemble("one\ntw", format: .plain, finish: false)
        #expect(held == ["one"])
        let (flushed, ends) = try assemble("one\ntw", format: .plain, finish: true)
        #expect(flushed == ["one", "tw"])
        #expect(ends == [4, 6])
    }

    @Test func crlfAndLongLines() throws {
        let (crlf, _) = try assemble("a\r\nb\r\n", format: .plain)
        #expect(crlf == ["a", "b"])
        let long = String(repeating: "z", count: 25)
        let (cut, ends) = try assemble(long + "\nnext\n", format: .plain, maxLine: 10, chunk: 3)
        #expect(cut == ["zzzzzzzzzz", "zzzzzzzzzz", "zzzzz", "next"])
        #expect(ends == [10, 20, 26, 31])
    }

    /// The entries must not depend on how the bytes arrive: crash recovery re-reads with other chunk sizes.
    @Test(arguments: [1, 2, 7, 64, 4096])
    func chunkingDoesNotChangeEntries(_ chunk: Int) throws {
        for (name, format, rule) in [("vllm-traceback.log", LogFormat.vllm, MultilineRule.Kind?.none),
                                     ("kafka-server-stacktrace.log", .plain, .javaStackTrace),
                                     ("nginx-error.log", .nginxError, nil)] {
            let text = try fixtureLines(name).joined(separator: "\n")
            let whole = try assemble(text, format: format, rule: rule, maxLine: 100)
            let pieces = try assemble(text, format: format, rule: rule, maxLine: 100, chunk: chunk)
            #expect(whole.entries == pieces.entries, "\(name) in \(chunk)-byte chunks")
            #expect(whole.ends == pieces.ends)
        }
    }
}
