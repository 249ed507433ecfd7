extension PostMortem {
    /// An inline SVG line chart of requests and 5xx per minute over the searched window, the incident window
    /// shaded, and one numbered marker per timeline item (the number is the item's row in the timeline).
    public func svgChart(width: Int = 1000, height: Int = 280) -> String {
        let left = 50.0, right = 20.0, top = 20.0, bottom = 44.0
        let w = Double(width) - left - right, hgt = Double(height) - top - bottom
        let t0 = Double(chart.times.first ?? searchedFrom)
        let t1 = Double((chart.times.last ?? searchedTo) + chart.step)
        let maxY = Double(max(1, chart.requests.max() ?? 1))
        func x(_ t: Int64) -> Double { left + (Double(t) - t0) / max(t1 - t0, 1) * w }
        func y(_ v: Int) -> Double { top + hgt - Double(v) / maxY * hgt }
        func f(_ v: Double) -> String { String(Double(Int(v * 10)) / 10) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
            + "role=\"img\" aria-label=\"requests and 5xx per minute\" style=\"max-width:100%;height:auto;background:#fff\">\n"
        s += "<rect x=\"\(f(x(start)))\" y=\"\(f(top))\" width=\"\(f(max(1, x(end) - x(start))))\" height=\"\(f(hgt))\" fill=\"#fff0e6\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + hgt))\" x2=\"\(f(left + w))\" y2=\"\(f(top + hgt))\" stroke=\"#555\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + hgt))\" stroke=\"#555\"/>\n"
        for k in 0...4 {
            let v = Int(maxY * Double(k) / 4)
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">\(v)</text>\n"
        }
        if chart.times.count > 1 {
            let every = max(1, chart.times.count / 8)
            for (i, t) in chart.times.enumerated() where i % every == 0 {
                s += "<text x=\"\(f(x(t)))\" y=\"\(f(top + hgt + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">\(CivilDate.hourMinute(t))</text>\n"
            }
        }
        func polyline(_ values: [Int], _ color: String, _ name: String) -> String {
            let pts = zip(chart.times, values).map { "\(f(x($0.0 + chart.step / 2))),\(f(y($0.1)))" }.joined(separator: " ")
            return "<polyline class=\"\(name)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
        }
        s += polyline(chart.requests, "#2f6fdb", "requests")
        s += polyline(chart.errors, "#d1242f", "errors")
        // Items minutes apart can sit pixels apart: their numbers share one label (`1–8`) centred over them, so
        // that labels never overprint each other; each item keeps its own line and tooltip.
        var clusters: [(x: Double, lastX: Double, numbers: [Int])] = []
        for (n, item) in timeline.enumerated() where item.time >= Int64(t0) && item.time <= Int64(t1) {
            let color = Self.markerColor(item.source)
            let xi = x(item.time)
            s += "<g class=\"marker\"><line x1=\"\(f(xi))\" y1=\"\(f(top))\" x2=\"\(f(xi))\" y2=\"\(f(top + hgt))\" stroke=\"\(color)\" stroke-dasharray=\"3,3\"/>"
                + "<title>\(n + 1). \(esc(CivilDate.hourMinute(item.time) + " " + item.text))</title></g>\n"
            if let last = clusters.last, xi - last.x < Self.markerLabelSpacing {
                clusters[clusters.count - 1].numbers.append(n + 1)
                clusters[clusters.count - 1].lastX = xi
            } else {
                clusters.append((xi, xi, [n + 1]))
            }
        }
        var labelEnd = -Double.infinity
        for c in clusters {
            let text = c.numbers.count == 1 ? "\(c.numbers[0])" : "\(c.numbers.first!)–\(c.numbers.last!)"
            // Centred over its lines, but pushed right of the previous label if they would touch.
            let halfWidth = Double(text.count) * Self.markerLabelCharWidth / 2
            let center = max((c.x + c.lastX) / 2, labelEnd + 2 + halfWidth)
            labelEnd = center + halfWidth
            let source = timeline[c.numbers[0] - 1].source
            s += "<text class=\"marker-label\" x=\"\(f(center))\" y=\"\(f(top - 4))\" font-size=\"10\" text-anchor=\"middle\" "
                + "fill=\"\(Self.markerColor(source))\">\(text)</text>\n"
        }
        // The legend sits under the time axis, where no series can run through it.
        let legendY = top + hgt + 30
        s += "<rect x=\"\(f(left))\" y=\"\(f(legendY - 4))\" width=\"12\" height=\"3\" fill=\"#2f6fdb\"/><text x=\"\(f(left + 16))\" y=\"\(f(legendY))\" font-size=\"11\" fill=\"#1d2330\">requests/min</text>\n"
        s += "<rect x=\"\(f(left + 110))\" y=\"\(f(legendY - 4))\" width=\"12\" height=\"3\" fill=\"#d1242f\"/><text x=\"\(f(left + 126))\" y=\"\(f(legendY))\" font-size=\"11\" fill=\"#1d2330\">5xx/min</text>\n"
        s += "<rect x=\"\(f(left + 190))\" y=\"\(f(legendY - 8))\" width=\"12\" height=\"10\" fill=\"#fff0e6\"/><text x=\"\(f(left + 206))\" y=\"\(f(legendY))\" font-size=\"11\" fill=\"#1d2330\">incident window</text>\n"
        s += "<text x=\"\(f(left + 320))\" y=\"\(f(legendY))\" font-size=\"11\" fill=\"#5c6470\">dashed lines: timeline items (numbers as in the table)</text>\n"
        s += "</svg>"
        return s
    }

    /// Marker lines closer than this (px) to the first of a group share its label: room for `10–14` at font size 10.
    static let markerLabelSpacing = 36.0
    /// A generous width of a digit or dash at font size 10, for keeping labels apart.
    static let markerLabelCharWidth = 6.5

    static func markerColor(_ source: EventSource) -> String {
        switch source {
        case .alert: "#b3001b"
        case .deploy: "#1f7a3a"
        case .note: "#6b4fbb"
        case .trace: "#8a3ffc"
        case .log: "#7a7f87"
        }
    }
}
