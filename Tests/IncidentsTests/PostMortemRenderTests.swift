import Foundation
import Testing
@testable import Incidents

@Suite(.serialized) struct PostMortemRenderTests {
    func postMortem() throws -> PostMortem {
        let sc = try Scenario()
        return try sc.correlator().postMortem(.init(id: IncidentID("INC-2025-11-21-001"), from: Scenario.at(14, 3, 0),
                                                     to: Scenario.at(14, 8, 0), zones: ["kzone"]))
    }

    @Test func markdownFollowsTheRunbookTemplate() throws {
        let md = try postMortem().markdown()
        var last = md.startIndex
        for section in ["Incident ID", "Date", "Duration", "Severity", "Impacted Services", "## Summary", "## Timeline",
                        "## Root Cause", "## Impact", "## Action Items", "## Prevention", "## Error Signatures"] {
            let r = try #require(md.range(of: section, range: last..<md.endIndex), "\(section) in order")
            last = r.upperBound
        }
        #expect(md.contains("INC-2025-11-21-001"))
        #expect(md.contains("| 14:02 | log |"))
    }

    @Test func htmlIsSelfContainedWithAChart() throws {
        let pm = try postMortem()
        let html = pm.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for external in ["<script", "<link", "src=", "@import", "url("] { #expect(!html.contains(external), "\(external)") }
        #expect(!html.contains("href=\"http"))
        #expect(html.contains("<svg"))
        let points = try #require(html.range(of: ##"class="errors" fill="none" stroke="#d1242f" stroke-width="2" points=""##))
        #expect(html[points.upperBound...].prefix(40).contains(","))
        #expect(html.components(separatedBy: "class=\"marker\"").count - 1 == pm.timeline.count)
        #expect(pm.chart.errors.reduce(0, +) == pm.impact.failedRequests)
        #expect(html.contains("CUDA out of memory"))
    }

    @Test func markerLabelsCoverEveryItemOnceAndNeverOverlap() throws {
        // Many items within a few minutes, as around the demo's CUDA OOM: their labels must not overprint.
        var pm = try postMortem()
        let t = pm.start
        pm.timeline = []
        for i in 0..<25 {
            let time: Int64 = t + Int64(i / 3) * 20_000_000_000 + Int64(i % 3)
            let source: EventSource = i % 4 == 0 ? .alert : .log
            pm.timeline.append(TimelineItem(time: time, source: source, layer: nil, text: "item \(i)", evidence: nil))
        }
        let svg = pm.svgChart()
        let labels = try NSRegularExpression(pattern: #"class="marker-label" x="([0-9.]+)"[^>]*>([0-9]+)(?:–([0-9]+))?</text>"#)
            .matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m -> (x: Double, first: Int, last: Int, width: Double) in
                func group(_ i: Int) -> String? { Range(m.range(at: i), in: svg).map { String(svg[$0]) } }
                let first = Int(group(2)!)!, last = group(3).map { Int($0)! } ?? first
                let text = group(3) == nil ? group(2)! : group(2)! + "–" + group(3)!
                return (Double(group(1)!)!, first, last, Double(text.count) * PostMortem.markerLabelCharWidth)
            }
        #expect(labels.count > 1 && labels.count < 25)
        // Every item number in exactly one label, in order.
        #expect(labels.flatMap { Array($0.first...$0.last) } == Array(1...25))
        for (a, b) in zip(labels, labels.dropFirst()) {
            #expect(a.x + a.width / 2 < b.x - b.width / 2, "labels \(a.first)–\(a.last) and \(b.first)–\(b.last) overlap")
        }
        #expect(svg.components(separatedBy: "class=\"marker\"").count - 1 == 25)
    }

    @Test func jsonRoundTrips() throws {
        let pm = try postMortem()
        let back = try JSONDecoder().decode(PostMortem.self, from: Data(try pm.json().utf8))
        #expect(back.impact == pm.impact)
        #expect(back.timeline == pm.timeline)
        #expect(back.id == pm.id)
    }

    @Test func escapesHTML() {
        #expect(esc("<a href=\"x\">'&'</a>") == "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }
}

@Suite struct SignatureTextTests {
    @Test(arguments: [
        ("(EngineCore pid=1) ERROR 11-21 14:02:13 [core.py:710] Traceback (most recent call last):", nil),
        ("(EngineCore pid=1) ERROR 11-21 14:02:13 [core.py:710]   File \"/x.py\", line 3, in f", nil),
        ("(EngineCore pid=1) ERROR 11-21 14:02:13 [core.py:710]     engine_core.run_busy_loop()", nil),
        ("ERROR 11-21 14:02:13 [core.py:710]                     ^^^^^^^^^^^", nil),
        ("2025-11-21 11:20:05,000 ERROR app.history: unhandled\nTraceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'cursor'",
         "2025-11-21 11:20:05,000 ERROR app.history: unhandled … KeyError: 'cursor'"),
        ("plain error line", "plain error line"),
    ] as [(String, String?)])
    func signatureText(_ line: String, _ expected: String?) {
        #expect(Correlator.signatureText(line) == expected)
    }
}
