import LogStore

/// Builds the LogQL texts the correlator runs and links as evidence, so that each can be pasted into
/// `mclog query` as it is.
enum LogQLText {
    /// A double-quoted LogQL string.
    static func quote(_ s: String) -> String { "\"" + LabelSet.escape(s) + "\"" }

    /// `{a="x", zone=~"k1|k2"}` from fixed matchers plus the zone scope (none when `zones` is empty).
    static func selector(_ matchers: [String], zones: [String]) -> String {
        var m = matchers
        if zones.count == 1 {
            m.append("zone=" + quote(zones[0]))
        } else if zones.count > 1 {
            m.append("zone=~" + quote(zones.map(regexEscape).joined(separator: "|")))
        }
        return "{" + m.joined(separator: ", ") + "}"
    }

    /// A label value as a literal inside an anchored label regex.
    static func regexEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.^$|?*+()[]{}".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The 5xx-at-the-edge line filter (the status after the request's closing quote in nginx's combined log).
    static let edge5xx = #"|~ "\" 5[0-9][0-9] ""#
    static let edgeAccess = [#"job="nginx""#, #"stream!="error""#]
}
