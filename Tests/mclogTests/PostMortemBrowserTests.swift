import Foundation
import Testing

/// The demo incident's HTML post-mortem in a real browser (Chromium from Debian, headless): the page loads
/// nothing from the network, and the SVG chart really draws — the request and 5xx series run across the chart
/// and the 5xx series rises during the incident — counted in the pixels of the screenshot. A control page (the
/// same post-mortem with empty series and an external image) must fail both checks, so the checks can fail.
@Suite struct PostMortemBrowserTests {
    /// The 5xx (#d1242f) and request (#2f6fdb) series colours of `PostMortem.svgChart`.
    static let errorColor = (0xd1, 0x24, 0x2f), requestColor = (0x2f, 0x6f, 0xdb)

    @Test(.enabled(if: HeadlessChromium.installed != nil || HeadlessChromium.required,
                   "Chromium is not installed (apt-get install chromium): skipped; MCLOG_TEST_REQUIRE_CHROMIUM=1 makes this a failure"))
    func demoPostMortemDrawsItsChartInHeadlessChromium() throws {
        let executable = try #require(HeadlessChromium.installed, "\(HeadlessChromium.missingMessage)")
        let browser = HeadlessChromium(executable: executable, width: 1280)
        let demo = try DemoRun.shared.get()
        let work = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let page = try String(contentsOfFile: demo.postMortemHTML, encoding: .utf8)
        #expect(page.contains(demo.incidentID) && page.contains("CUDA out of memory"))

        let box = try chartBox(browser, page: page, work: work)
        #expect(box.w >= 600 && box.h >= 200, "chart laid out at \(box)")
        let height = box.y + box.h + 40

        try browser.screenshot(demo.postMortemHTML, height: height, to: work + "/pm.png", netLog: work + "/pm-net.json")
        let png = try PNGImage(Array(try Data(contentsOf: URL(fileURLWithPath: work + "/pm.png"))))
        #expect(png.width == browser.width && png.height == height)
        let drawn = ChartPixels(png, box)
        #expect(drawn.requestColumns >= box.w / 2, "request series drawn in \(drawn.requestColumns) of \(box.w) columns")
        #expect(drawn.errorColumns >= box.w / 2, "5xx series drawn in \(drawn.errorColumns) of \(box.w) columns")
        #expect(drawn.errorRaised >= 20, "the 5xx series never rises above the baseline: \(drawn)")
        #expect(try HeadlessChromium.pageRequests(netLog: work + "/pm-net.json") == [])

        // The control: the same page with both series emptied and an image from the network.
        let external = "http://127.0.0.1:9/mclog-browser-test.png"
        let broken = page.replacingOccurrences(of: #"(class="(requests|errors)"[^>]*points=")[^"]*""#, with: "$1\"",
                                               options: .regularExpression)
            .replacingOccurrences(of: "</body>", with: "<img src=\"\(external)\" alt=\"\"></body>")
        #expect(broken != page)
        try broken.write(toFile: work + "/broken.html", atomically: true, encoding: .utf8)
        try browser.screenshot(work + "/broken.html", height: height, to: work + "/broken.png", netLog: work + "/broken-net.json")
        let control = ChartPixels(try PNGImage(Array(try Data(contentsOf: URL(fileURLWithPath: work + "/broken.png")))), box)
        #expect(control.requestColumns < box.w / 10 && control.errorRaised == 0, "the empty chart passed: \(control)")
        #expect(try HeadlessChromium.pageRequests(netLog: work + "/broken-net.json") == [external])
    }

    /// Where the chart (the page's `<svg>`) is laid out, in CSS pixels from the page's top left: a copy of the page
    /// with a script that writes the box into the title, loaded with `--dump-dom` at the same width.
    func chartBox(_ browser: HeadlessChromium, page: String, work: String) throws -> ChartPixels.Box {
        let probe = page.replacingOccurrences(of: "</body>", with: """
            <script>const r = document.querySelector("svg").getBoundingClientRect();
            document.title = "mclog-chart-box:" + [r.left, r.top, r.width, r.height].map(Math.round).join(",");</script></body>
            """)
        try probe.write(toFile: work + "/probe.html", atomically: true, encoding: .utf8)
        let dom = try browser.dumpDOM(work + "/probe.html")
        let found = try #require(dom.range(of: #"mclog-chart-box:[0-9,.-]+"#, options: .regularExpression), "no chart box in \(dom.prefix(300))")
        let n = dom[found].dropFirst("mclog-chart-box:".count).split(separator: ",").compactMap { Int($0) }
        try #require(n.count == 4, "chart box \(dom[found])")
        return ChartPixels.Box(x: n[0], y: n[1], w: n[2], h: n[3])
    }
}

/// What a screenshot shows of the chart: how many pixel columns of its box hold each series' colour, and how
/// many 5xx-coloured pixels lie between the marker labels' strip (the top 20 px) and the lowest quarter of the box
/// (the zero line and the legend): the 5xx series rising.
struct ChartPixels: CustomStringConvertible {
    struct Box: CustomStringConvertible {
        var x, y, w, h: Int
        var description: String { "\(w)×\(h) at (\(x), \(y))" }
    }

    var requestColumns = 0
    var errorColumns = 0
    var errorRaised = 0

    init(_ png: PNGImage, _ box: Box) {
        // Close to the colour, not equal: line edges are anti-aliased. 20 keeps the alert markers' #b3001b lines out;
        // their anti-aliased labels come closer, but they sit in the top strip, which `raised` leaves out.
        func near(_ p: (Int, Int, Int), _ c: (Int, Int, Int)) -> Bool {
            abs(p.0 - c.0) <= 20 && abs(p.1 - c.1) <= 20 && abs(p.2 - c.2) <= 20
        }
        let raised = (box.y + 20)..<(box.y + box.h * 3 / 4)
        for x in max(0, box.x)..<min(png.width, box.x + box.w) {
            var request = false, error = false
            for y in max(0, box.y)..<min(png.height, box.y + box.h) {
                let p = png.rgb(x, y)
                if near(p, PostMortemBrowserTests.requestColor) { request = true }
                if near(p, PostMortemBrowserTests.errorColor) {
                    error = true
                    if raised.contains(y) { errorRaised += 1 }
                }
            }
            if request { requestColumns += 1 }
            if error { errorColumns += 1 }
        }
    }

    var description: String { "request series in \(requestColumns) columns, 5xx in \(errorColumns), \(errorRaised) raised 5xx pixels" }
}
