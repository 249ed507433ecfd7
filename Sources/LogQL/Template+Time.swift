import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `time.Time` as templates see it: an instant (Unix seconds and nanoseconds) and the location it is shown in.
///
/// Loki's "Local" zone is the server's; mclog's is UTC, so `now`, `__timestamp__`, `toDate`, `date` and
/// `unixToTime` all work in UTC. `toDateInZone` loads IANA zones from the system's zoneinfo (see
/// `Template+TimeZone.swift`).
struct GoTime: Sendable {
    var sec: Int64
    var nsec: Int32
    var location: GoLocation

    /// Go's zero `time.Time`: January 1, year 1, 00:00:00 UTC — what `toDate` gives for text it cannot parse.
    static let zero = GoTime(sec: -62_135_596_800, nsec: 0, location: .utc)

    /// `time.Unix(sec, nsec)`, normalising nanoseconds outside [0, 1e9).
    static func unix(_ sec: Int64, _ nsec: Int64, _ location: GoLocation = .local) -> GoTime {
        var s = sec, n = nsec
        if n < 0 || n >= 1_000_000_000 {
            var q = n / 1_000_000_000
            n -= q * 1_000_000_000
            if n < 0 { n += 1_000_000_000; q -= 1 }
            s &+= q
        }
        return GoTime(sec: s, nsec: Int32(n), location: location)
    }

    static func now() -> GoTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return GoTime(sec: Int64(ts.tv_sec), nsec: Int32(ts.tv_nsec), location: .local)
    }

    func `in`(_ location: GoLocation) -> GoTime { GoTime(sec: sec, nsec: nsec, location: location) }

    var unixMilli: Int64 { sec &* 1000 &+ Int64(nsec) / 1_000_000 }
    var unixMicro: Int64 { sec &* 1_000_000 &+ Int64(nsec) / 1000 }
    /// Wraps outside 1678…2262, as Go's does.
    var unixNano: Int64 { sec &* 1_000_000_000 &+ Int64(nsec) }
    var isZero: Bool { sec == GoTime.zero.sec && nsec == 0 }

    /// `time.Time.String()`.
    var description: String { format("2006-01-02 15:04:05.999999999 -0700 MST") }

    /// The civil fields in this time's location.
    var fields: GoCivil { GoCivil(sec, location) }
}

/// A time broken into calendar fields in a location.
struct GoCivil {
    let year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int
    let weekday: Int  // 0 = Sunday
    let yearDay: Int  // 1…366
    let zoneName: String, offset: Int

    init(_ sec: Int64, _ location: GoLocation) {
        let zone = location.lookup(sec)
        zoneName = zone.name
        offset = zone.offset
        let local = sec &+ Int64(zone.offset)
        let days = GoCalendar.floorDiv(local, 86400)
        let secOfDay = Int(local - days * 86400)
        (year, month, day) = GoCalendar.civil(fromDays: days)
        hour = secOfDay / 3600
        minute = secOfDay / 60 % 60
        second = secOfDay % 60
        weekday = Int(GoCalendar.floorMod(days + 4, 7))
        yearDay = Int(days - GoCalendar.days(year: year, month: 1, day: 1)) + 1
    }
}

enum GoCalendar {
    static let longMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
    static let longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { CivilTime.floorDiv(a, b) }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Storage's `CivilTime`).
    static func days(year: Int64, month: Int, day: Int) -> Int64 {
        Int64(CivilTime.daysFromCivil(year: Int(year), month: month, day: day))
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int, Int) {
        let c = CivilTime.civilFromDays(Int(z0))
        return (Int64(c.year), c.month, c.day)
    }

    static func isLeap(_ y: Int64) -> Bool { CivilTime.isLeapYear(Int(y)) }

    static func daysIn(month: Int, year: Int64) -> Int { CivilTime.daysInMonth(month, year: Int(year)) }

    /// `time.Date` in a location: the instant whose wall clock there reads the given fields (all in range).
    static func date(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int,
                     _ nsec: Int, _ location: GoLocation) -> GoTime {
        var unix = days(year: year, month: month, day: day) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        let first = location.lookup(unix)
        if first.offset != 0 {
            let utc = unix - Int64(first.offset)
            var offset = first.offset
            if utc < first.start || utc >= first.end { offset = location.lookup(utc).offset }
            unix -= Int64(offset)
        }
        return GoTime(sec: unix, nsec: Int32(nsec), location: location)
    }
}

// MARK: - Layouts

/// One element of a Go layout string (`nextStdChunk` in Go's `time/format.go`).
enum GoLayoutElement: Equatable {
    case longMonth, month, numMonth, zeroMonth
    case longWeekDay, weekDay
    case day, underDay, zeroDay, underYearDay, zeroYearDay
    case hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond
    case longYear, year
    case pm, lowerPM
    case tz
    case iso8601TZ, iso8601SecondsTZ, iso8601ShortTZ, iso8601ColonTZ, iso8601ColonSecondsTZ
    case numTZ, numSecondsTZ, numShortTZ, numColonTZ, numColonSecondsTZ
    /// `.000` / `,000` (exact digits) and `.999` (trailing zeros dropped), with the digit count and separator.
    case fracSecond0(Int, UInt8), fracSecond9(Int, UInt8)
}

enum GoLayout {
    /// Splits `layout[from...]` into literal text, the next element, and where the rest starts.
    static func nextChunk(_ l: [UInt8], _ from: Int) -> (prefixEnd: Int, element: GoLayoutElement?, next: Int) {
        func has(_ i: Int, _ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= l.count && Array(l[i..<(i + u.count)]) == u
        }
        var i = from
        while i < l.count {
            let c = l[i]
            switch c {
            case UInt8(ascii: "J"):
                if has(i, "Jan") { return has(i, "January") ? (i, .longMonth, i + 7) : (i, .month, i + 3) }
            case UInt8(ascii: "M"):
                if has(i, "Mon") { return has(i, "Monday") ? (i, .longWeekDay, i + 6) : (i, .weekDay, i + 3) }
                if has(i, "MST") { return (i, .tz, i + 3) }
            case UInt8(ascii: "0"):
                if i + 1 < l.count, l[i + 1] >= UInt8(ascii: "1"), l[i + 1] <= UInt8(ascii: "6") {
                    let e: [GoLayoutElement] = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year]
                    return (i, e[Int(l[i + 1] - UInt8(ascii: "1"))], i + 2)
                }
                if has(i, "002") { return (i, .zeroYearDay, i + 3) }
            case UInt8(ascii: "1"):
                if has(i, "15") { return (i, .hour, i + 2) }
                return (i, .numMonth, i + 1)
            case UInt8(ascii: "2"):
                if has(i, "2006") { return (i, .longYear, i + 4) }
                return (i, .day, i + 1)
            case UInt8(ascii: "_"):
                if has(i, "_2") {
                    if has(i, "_2006") { return (i + 1, .longYear, i + 5) }
                    return (i, .underDay, i + 2)
                }
                if has(i, "__2") { return (i, .underYearDay, i + 3) }
            case UInt8(ascii: "3"): return (i, .hour12, i + 1)
            case UInt8(ascii: "4"): return (i, .minute, i + 1)
            case UInt8(ascii: "5"): return (i, .second, i + 1)
            case UInt8(ascii: "P"): if has(i, "PM") { return (i, .pm, i + 2) }
            case UInt8(ascii: "p"): if has(i, "pm") { return (i, .lowerPM, i + 2) }
            case UInt8(ascii: "-"):
                if has(i, "-070000") { return (i, .numSecondsTZ, i + 7) }
                if has(i, "-07:00:00") { return (i, .numColonSecondsTZ, i + 9) }
                if has(i, "-0700") { return (i, .numTZ, i + 5) }
                if has(i, "-07:00") { return (i, .numColonTZ, i + 6) }
                if has(i, "-07") { return (i, .numShortTZ, i + 3) }
            case UInt8(ascii: "Z"):
                if has(i, "Z070000") { return (i, .iso8601SecondsTZ, i + 7) }
                if has(i, "Z07:00:00") { return (i, .iso8601ColonSecondsTZ, i + 9) }
                if has(i, "Z0700") { return (i, .iso8601TZ, i + 5) }
                if has(i, "Z07:00") { return (i, .iso8601ColonTZ, i + 6) }
                if has(i, "Z07") { return (i, .iso8601ShortTZ, i + 3) }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < l.count, l[i + 1] == UInt8(ascii: "0") || l[i + 1] == UInt8(ascii: "9") {
                    let ch = l[i + 1]
                    var j = i + 1
                    while j < l.count, l[j] == ch { j += 1 }
                    if !(j < l.count && l[j] >= UInt8(ascii: "0") && l[j] <= UInt8(ascii: "9")) {
                        let n = j - (i + 1)
                        return (i, ch == UInt8(ascii: "0") ? .fracSecond0(n, c) : .fracSecond9(n, c), j)
                    }
                }
            default: break
            }
            i += 1
        }
        return (l.count, nil, l.count)
    }
}

extension GoTime {
    /// `time.Time.Format`.
    func format(_ layout: String) -> String {
        let l = Array(layout.utf8)
        let f = fields
        var out: [UInt8] = []
        out.reserveCapacity(l.count + 10)
        func num(_ v: Int64, _ width: Int) {
            var u = v
            if u < 0 { out.append(UInt8(ascii: "-")); u = -u }
            let digits = Array(String(u).utf8)
            if digits.count < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count)) }
            out.append(contentsOf: digits)
        }
        func text(_ s: String) { out.append(contentsOf: s.utf8) }
        var i = 0
        while i < l.count {
            let (prefixEnd, element, next) = GoLayout.nextChunk(l, i)
            out.append(contentsOf: l[i..<prefixEnd])
            guard let element else { break }
            i = next
            switch element {
            case .year: num(GoCalendar.floorMod(f.year, 100), 2)
            case .longYear: num(f.year, 4)
            case .month: text(String(GoCalendar.longMonths[f.month - 1].prefix(3)))
            case .longMonth: text(GoCalendar.longMonths[f.month - 1])
            case .numMonth: num(Int64(f.month), 0)
            case .zeroMonth: num(Int64(f.month), 2)
            case .weekDay: text(String(GoCalendar.longDays[f.weekday].prefix(3)))
            case .longWeekDay: text(GoCalendar.longDays[f.weekday])
            case .day: num(Int64(f.day), 0)
            case .underDay:
                if f.day < 10 { out.append(UInt8(ascii: " ")) }
                num(Int64(f.day), 0)
            case .zeroDay: num(Int64(f.day), 2)
            case .underYearDay:
                if f.yearDay < 100 { out.append(UInt8(ascii: " ")); if f.yearDay < 10 { out.append(UInt8(ascii: " ")) } }
                num(Int64(f.yearDay), 0)
            case .zeroYearDay: num(Int64(f.yearDay), 3)
            case .hour: num(Int64(f.hour), 2)
            case .hour12: num(Int64(f.hour % 12 == 0 ? 12 : f.hour % 12), 0)
            case .zeroHour12: num(Int64(f.hour % 12 == 0 ? 12 : f.hour % 12), 2)
            case .minute: num(Int64(f.minute), 0)
            case .zeroMinute: num(Int64(f.minute), 2)
            case .second: num(Int64(f.second), 0)
            case .zeroSecond: num(Int64(f.second), 2)
            case .pm: text(f.hour >= 12 ? "PM" : "AM")
            case .lowerPM: text(f.hour >= 12 ? "pm" : "am")
            case .iso8601TZ, .iso8601SecondsTZ, .iso8601ShortTZ, .iso8601ColonTZ, .iso8601ColonSecondsTZ,
                 .numTZ, .numSecondsTZ, .numShortTZ, .numColonTZ, .numColonSecondsTZ:
                let iso: Bool
                switch element {
                case .iso8601TZ, .iso8601SecondsTZ, .iso8601ShortTZ, .iso8601ColonTZ, .iso8601ColonSecondsTZ: iso = true
                default: iso = false
                }
                if iso && f.offset == 0 { out.append(UInt8(ascii: "Z")); break }
                var zone = f.offset / 60
                var absOffset = f.offset
                if zone < 0 { out.append(UInt8(ascii: "-")); zone = -zone; absOffset = -absOffset } else {
                    out.append(UInt8(ascii: "+"))
                }
                num(Int64(zone / 60), 2)
                switch element {
                case .iso8601ColonTZ, .numColonTZ, .iso8601ColonSecondsTZ, .numColonSecondsTZ: out.append(UInt8(ascii: ":"))
                default: break
                }
                switch element {
                case .numShortTZ, .iso8601ShortTZ: break
                default: num(Int64(zone % 60), 2)
                }
                switch element {
                case .iso8601SecondsTZ, .numSecondsTZ, .numColonSecondsTZ, .iso8601ColonSecondsTZ:
                    if element == .numColonSecondsTZ || element == .iso8601ColonSecondsTZ { out.append(UInt8(ascii: ":")) }
                    num(Int64(absOffset % 60), 2)
                default: break
                }
            case .tz:
                if !f.zoneName.isEmpty { text(f.zoneName); break }
                var zone = f.offset / 60
                if zone < 0 { out.append(UInt8(ascii: "-")); zone = -zone } else { out.append(UInt8(ascii: "+")) }
                num(Int64(zone / 60), 2)
                num(Int64(zone % 60), 2)
            case .fracSecond0(let n, let sep):
                out.append(sep)
                let digits = Array(String(Int(nsec)).utf8)
                let padded = Array(repeating: UInt8(ascii: "0"), count: 9 - digits.count) + digits
                out.append(contentsOf: padded.prefix(min(n, 9)))
            case .fracSecond9(let n, let sep):
                let digits = Array(String(Int(nsec)).utf8)
                var padded = Array(repeating: UInt8(ascii: "0"), count: 9 - digits.count) + digits
                padded = Array(padded.prefix(min(n, 9)))
                while let last = padded.last, last == UInt8(ascii: "0") { padded.removeLast() }
                if !padded.isEmpty { out.append(sep); out.append(contentsOf: padded) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `time.ParseInLocation`; nil where Go returns an error (the template functions ignore the error and use the
    /// zero time).
    static func parse(_ layout: String, _ value: String, in location: GoLocation) -> GoTime? {
        var parser = GoTimeParser(layout: Array(layout.utf8), value: Array(value.utf8), location: location)
        return parser.run()
    }
}

/// Go's `time.parse`, element by element.
private struct GoTimeParser {
    let layout: [UInt8]
    var value: [UInt8]
    let location: GoLocation

    init(layout: [UInt8], value: [UInt8], location: GoLocation) {
        self.layout = layout
        self.value = value
        self.location = location
    }

    private static func isDigit(_ v: [UInt8], _ i: Int) -> Bool {
        i < v.count && v[i] >= UInt8(ascii: "0") && v[i] <= UInt8(ascii: "9")
    }

    /// One or two digits (exactly two when `fixed`).
    private static func getnum(_ v: inout [UInt8], fixed: Bool) -> Int? {
        guard isDigit(v, 0) else { return nil }
        if !isDigit(v, 1) {
            if fixed { return nil }
            let n = Int(v[0] - 48)
            v.removeFirst()
            return n
        }
        let n = Int(v[0] - 48) * 10 + Int(v[1] - 48)
        v.removeFirst(2)
        return n
    }

    private static func getnum3(_ v: inout [UInt8], fixed: Bool) -> Int? {
        var n = 0, i = 0
        while i < 3, isDigit(v, i) { n = n * 10 + Int(v[i] - 48); i += 1 }
        if i == 0 || (fixed && i != 3) { return nil }
        v.removeFirst(i)
        return n
    }

    private static func lookup(_ names: [String], _ v: inout [UInt8]) -> Int? {
        for (i, name) in names.enumerated() {
            let n = Array(name.utf8)
            guard v.count >= n.count else { continue }
            var ok = true
            for k in 0..<n.count where (v[k] | 0x20) != (n[k] | 0x20) { ok = false; break }
            if ok { v.removeFirst(n.count); return i }
        }
        return nil
    }

    private static func skip(_ v: inout [UInt8], _ prefix: ArraySlice<UInt8>) -> Bool {
        var p = prefix
        while let c = p.first {
            if c == UInt8(ascii: " ") {
                if let f = v.first, f != UInt8(ascii: " ") { return false }
                while p.first == UInt8(ascii: " ") { p.removeFirst() }
                while v.first == UInt8(ascii: " ") { v.removeFirst() }
                continue
            }
            guard let f = v.first, f == c else { return false }
            p.removeFirst()
            v.removeFirst()
        }
        return true
    }

    private static func parseNanoseconds(_ v: [UInt8], _ nbytes: Int) -> Int? {
        guard let f = v.first, f == UInt8(ascii: ".") || f == UInt8(ascii: ",") else { return nil }
        let n = min(nbytes, 10)
        var ns = 0
        for i in 1..<n {
            guard isDigit(v, i) else { return nil }
            ns = ns * 10 + Int(v[i] - 48)
        }
        for _ in 0..<(10 - n) { ns *= 10 }
        return ns
    }

    /// Length of a zone abbreviation at the start of `v` (`parseTimeZone`), or nil.
    private static func timeZoneLength(_ v: [UInt8]) -> Int? {
        guard v.count >= 3 else { return nil }
        let s = String(decoding: v.prefix(4), as: UTF8.self)
        if s == "ChST" || s == "MeST" { return 4 }
        if s.hasPrefix("GMT") {
            var i = 3
            if i < v.count, v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-") {
                var j = i + 1, x = 0
                while j < v.count, isDigit(v, j) { x = x * 10 + Int(v[j] - 48); j += 1 }
                if j > i + 1 && x <= 23 { i = j }
            }
            return i
        }
        var upper = 0
        while upper < 6, upper < v.count, v[upper] >= UInt8(ascii: "A"), v[upper] <= UInt8(ascii: "Z") { upper += 1 }
        switch upper {
        case 3: return 3
        case 4: return (v[3] == UInt8(ascii: "T") || s == "WITA") ? 4 : nil
        case 5: return v[4] == UInt8(ascii: "T") ? 5 : nil
        default: return nil
        }
    }

    mutating func run() -> GoTime? {
        var year: Int64 = 0, month = -1, day = -1, yday = -1, hour = 0, minute = 0, second = 0, nsec = 0
        var amSet = false, pmSet = false
        var utc = false
        var zoneOffset: Int? = nil
        var zoneName = ""
        var li = 0
        while true {
            let (prefixEnd, element, next) = GoLayout.nextChunk(layout, li)
            guard GoTimeParser.skip(&value, layout[li..<prefixEnd]) else { return nil }
            guard let element else {
                if !value.isEmpty { return nil }
                break
            }
            li = next
            switch element {
            case .year:
                guard value.count >= 2, GoTimeParser.isDigit(value, 0), GoTimeParser.isDigit(value, 1) else { return nil }
                let y = Int64(value[0] - 48) * 10 + Int64(value[1] - 48)
                value.removeFirst(2)
                year = y >= 69 ? y + 1900 : y + 2000
            case .longYear:
                guard value.count >= 4, (0..<4).allSatisfy({ GoTimeParser.isDigit(value, $0) }) else { return nil }
                year = value[0..<4].reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
                value.removeFirst(4)
            case .month:
                guard let m = GoTimeParser.lookup(GoCalendar.longMonths.map { String($0.prefix(3)) }, &value) else { return nil }
                month = m + 1
            case .longMonth:
                guard let m = GoTimeParser.lookup(GoCalendar.longMonths, &value) else { return nil }
                month = m + 1
            case .numMonth, .zeroMonth:
                guard let m = GoTimeParser.getnum(&value, fixed: element == .zeroMonth), m >= 1, m <= 12 else { return nil }
                month = m
            case .weekDay:
                guard GoTimeParser.lookup(GoCalendar.longDays.map { String($0.prefix(3)) }, &value) != nil else { return nil }
            case .longWeekDay:
                guard GoTimeParser.lookup(GoCalendar.longDays, &value) != nil else { return nil }
            case .day, .underDay, .zeroDay:
                if element == .underDay, value.first == UInt8(ascii: " ") { value.removeFirst() }
                guard let d = GoTimeParser.getnum(&value, fixed: element == .zeroDay) else { return nil }
                day = d
            case .underYearDay, .zeroYearDay:
                for _ in 0..<2 where element == .underYearDay && value.first == UInt8(ascii: " ") { value.removeFirst() }
                guard let d = GoTimeParser.getnum3(&value, fixed: element == .zeroYearDay) else { return nil }
                yday = d
            case .hour:
                guard let h = GoTimeParser.getnum(&value, fixed: false), h < 24 else { return nil }
                hour = h
            case .hour12, .zeroHour12:
                guard let h = GoTimeParser.getnum(&value, fixed: element == .zeroHour12), h <= 12 else { return nil }
                hour = h
            case .minute, .zeroMinute:
                guard let m = GoTimeParser.getnum(&value, fixed: element == .zeroMinute), m < 60 else { return nil }
                minute = m
            case .second, .zeroSecond:
                guard let s = GoTimeParser.getnum(&value, fixed: element == .zeroSecond), s < 60 else { return nil }
                second = s
                // A fractional second in the value that the layout does not spell out is still accepted.
                if value.count >= 2, value[0] == UInt8(ascii: ".") || value[0] == UInt8(ascii: ","),
                   GoTimeParser.isDigit(value, 1) {
                    let (_, nextElement, _) = GoLayout.nextChunk(layout, li)
                    if case .fracSecond0 = nextElement { break }
                    if case .fracSecond9 = nextElement { break }
                    var n = 2
                    while n < value.count, GoTimeParser.isDigit(value, n) { n += 1 }
                    guard let ns = GoTimeParser.parseNanoseconds(value, n) else { return nil }
                    nsec = ns
                    value.removeFirst(n)
                }
            case .pm, .lowerPM:
                guard value.count >= 2 else { return nil }
                let p = String(decoding: value[0..<2], as: UTF8.self)
                value.removeFirst(2)
                let (pmText, amText) = element == .pm ? ("PM", "AM") : ("pm", "am")
                if p == pmText { pmSet = true } else if p == amText { amSet = true } else { return nil }
            case .iso8601TZ, .iso8601SecondsTZ, .iso8601ShortTZ, .iso8601ColonTZ, .iso8601ColonSecondsTZ,
                 .numTZ, .numSecondsTZ, .numShortTZ, .numColonTZ, .numColonSecondsTZ:
                let iso: Bool
                switch element {
                case .iso8601TZ, .iso8601SecondsTZ, .iso8601ShortTZ, .iso8601ColonTZ, .iso8601ColonSecondsTZ: iso = true
                default: iso = false
                }
                if iso, value.first == UInt8(ascii: "Z") { value.removeFirst(); utc = true; break }
                var sign: UInt8 = 0
                var hh: [UInt8] = [], mm: [UInt8] = Array("00".utf8), ss: [UInt8] = Array("00".utf8)
                switch element {
                case .iso8601ColonTZ, .numColonTZ:
                    guard value.count >= 6, value[3] == UInt8(ascii: ":") else { return nil }
                    sign = value[0]; hh = Array(value[1..<3]); mm = Array(value[4..<6]); value.removeFirst(6)
                case .numShortTZ, .iso8601ShortTZ:
                    guard value.count >= 3 else { return nil }
                    sign = value[0]; hh = Array(value[1..<3]); value.removeFirst(3)
                case .iso8601ColonSecondsTZ, .numColonSecondsTZ:
                    guard value.count >= 9, value[3] == UInt8(ascii: ":"), value[6] == UInt8(ascii: ":") else { return nil }
                    sign = value[0]; hh = Array(value[1..<3]); mm = Array(value[4..<6]); ss = Array(value[7..<9])
                    value.removeFirst(9)
                case .iso8601SecondsTZ, .numSecondsTZ:
                    guard value.count >= 7 else { return nil }
                    sign = value[0]; hh = Array(value[1..<3]); mm = Array(value[3..<5]); ss = Array(value[5..<7])
                    value.removeFirst(7)
                default:
                    guard value.count >= 5 else { return nil }
                    sign = value[0]; hh = Array(value[1..<3]); mm = Array(value[3..<5]); value.removeFirst(5)
                }
                guard let h = GoTimeParser.getnum(&hh, fixed: true), let m = GoTimeParser.getnum(&mm, fixed: true),
                      let s = GoTimeParser.getnum(&ss, fixed: true), h <= 24, m <= 60, s <= 60 else { return nil }
                var off = (h * 60 + m) * 60 + s
                switch sign {
                case UInt8(ascii: "+"): break
                case UInt8(ascii: "-"): off = -off
                default: return nil
                }
                zoneOffset = off
            case .tz:
                if value.count >= 3, value[0..<3].elementsEqual("UTC".utf8) { value.removeFirst(3); utc = true; break }
                guard let n = GoTimeParser.timeZoneLength(value) else { return nil }
                zoneName = String(decoding: value[0..<n], as: UTF8.self)
                value.removeFirst(n)
            case .fracSecond0(let digits, _):
                let n = 1 + digits
                guard value.count >= n, let ns = GoTimeParser.parseNanoseconds(value, n) else { return nil }
                nsec = ns
                value.removeFirst(n)
            case .fracSecond9:
                guard value.count >= 2, value[0] == UInt8(ascii: ".") || value[0] == UInt8(ascii: ","),
                      GoTimeParser.isDigit(value, 1) else { break }
                var i = 0
                while i + 1 < value.count, GoTimeParser.isDigit(value, i + 1) { i += 1 }
                guard let ns = GoTimeParser.parseNanoseconds(value, 1 + i) else { return nil }
                nsec = ns
                value.removeFirst(1 + i)
            }
        }
        if pmSet && hour < 12 { hour += 12 } else if amSet && hour == 12 { hour = 0 }
        if yday >= 0 {
            var m = 0, d = 0
            if GoCalendar.isLeap(year) {
                if yday == 31 + 29 { m = 2; d = 29 } else if yday > 31 + 29 { yday -= 1 }
            }
            guard yday >= 1, yday <= 365 else { return nil }
            if m == 0 {
                let before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
                m = (yday - 1) / 31 + 1
                if before[m] < yday { m += 1 }
                d = yday - before[m - 1]
            }
            if month >= 0 && month != m { return nil }
            if day >= 0 && day != d { return nil }
            month = m
            day = d
        } else {
            if month < 0 { month = 1 }
            if day < 0 { day = 1 }
        }
        guard day >= 1, day <= GoCalendar.daysIn(month: month, year: year) else { return nil }
        if utc { return GoCalendar.date(year, month, day, hour, minute, second, nsec, .utc) }
        if let zoneOffset {
            var t = GoCalendar.date(year, month, day, hour, minute, second, nsec, .utc)
            t.sec -= Int64(zoneOffset)
            let zone = location.lookup(t.sec)
            if zone.offset == zoneOffset && (zoneName.isEmpty || zone.name == zoneName) { return t.in(location) }
            return t.in(GoLocation.fixed(zoneName, zoneOffset))
        }
        if !zoneName.isEmpty {
            var t = GoCalendar.date(year, month, day, hour, minute, second, nsec, .utc)
            if let offset = location.offset(named: zoneName, at: t.sec) {
                t.sec -= Int64(offset)
                return t.in(location)
            }
            var offset = 0
            if zoneName.count > 3, zoneName.hasPrefix("GMT") { offset = (Int(zoneName.dropFirst(3)) ?? 0) * 3600 }
            return t.in(GoLocation.fixed(zoneName, offset))
        }
        return GoCalendar.date(year, month, day, hour, minute, second, nsec, location)
    }
}
