import LogQL
import LogStore

/// The edge's access log over a window: one record per request (zone, status, client, path, request time), read
/// through LogQL from `{job="nginx", stream!="error"}`. Fields come from the entry's structured metadata when
/// the log was ingested with the `nginx-access` format, else from the combined-format line itself.
struct EdgeTraffic {
    struct Request {
        var time: Int64
        var zone: String
        var status: Int
        var client: String
        var path: String
        var requestTime: Double?
    }

    /// The failures of an incident: a run of 5xx responses with no gap over `maxGap`.
    struct FailureRun {
        var first: Int64
        var last: Int64
        var count: Int
        var recoveredAt: Int64?
        var paths: Set<String>
    }

    /// A quiet stretch this long ends a run of failures.
    static let maxGap: Int64 = 180_000_000_000

    var requests: [Request]
    let query: String

    /// Reads every access line of `params`' range (a forward read without a limit).
    static func read(engine: Engine, params: QueryParams) throws -> EdgeTraffic {
        let q = LogQLText.selector(LogQLText.edgeAccess, zones: [])
        let (result, _) = try engine.execute(q, params)
        var out: [Request] = []
        if case .streams(let streams) = result {
            for s in streams {
                let zone = s.labels.first { $0.name == "zone" }?.value ?? ""
                for e in s.entries {
                    if let r = parse(e.1, metadata: e.2, time: e.0, zone: zone) { out.append(r) }
                }
            }
        }
        out.sort { $0.time < $1.time }
        return EdgeTraffic(requests: out, query: q)
    }

    /// A combined-format access line: `client - user [time] "METHOD path HTTP/x" status bytes "ref" "ua" [rt …]`.
    static func parse(_ line: String, metadata: [Label], time: Int64, zone: String) -> Request? {
        var status: Int?, client: String?, path: String?, rt: Double?
        for m in metadata {
            switch m.name {
            case "status": status = Int(m.value)
            case "client_ip": client = m.value
            case "path": path = m.value
            case "request_time": rt = Double(m.value)
            default: break
            }
        }
        if status == nil || client == nil || path == nil {
            let u = Array(line.utf8)
            guard let sp = u.firstIndex(of: 32), let q1 = u.firstIndex(of: 34) else { return nil }
            var q2 = q1 + 1
            while q2 < u.count, u[q2] != 34 { q2 += (u[q2] == 92 ? 2 : 1) }
            guard q2 < u.count else { return nil }
            let request = u[(q1 + 1)..<q2].split(separator: 32)
            var i = q2 + 2
            var st = 0, digits = 0
            while i < u.count, u[i] >= 48, u[i] <= 57 { st = st * 10 + Int(u[i] - 48); i += 1; digits += 1 }
            guard digits == 3 else { return nil }
            status = status ?? st
            client = client ?? String(decoding: u[..<sp], as: UTF8.self)
            path = path ?? (request.count >= 2 ? String(decoding: request[1], as: UTF8.self) : "")
            if rt == nil {
                // After the user agent (the third quoted field): `$request_time`.
                var quotes = 0, j = i
                while j < u.count, quotes < 4 { if u[j] == 34 { quotes += 1 }; j += 1 }
                if quotes == 4 {
                    while j < u.count, u[j] == 32 { j += 1 }
                    var k = j
                    while k < u.count, u[k] != 32 { k += 1 }
                    rt = Double(String(decoding: u[j..<k], as: UTF8.self))
                }
            }
        }
        guard let status, let client, var path else { return nil }
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        return Request(time: time, zone: zone, status: status, client: client, path: path, requestTime: rt)
    }

    func inScope(_ r: Request, _ zones: [String]) -> Bool { zones.isEmpty || zones.contains(r.zone) }

    /// The run of 5xx responses in `zones` that overlaps `window` (runs separated by less than `maxGap` are one).
    func failureRun(zones: [String], around window: ClosedRange<Int64>) -> FailureRun? {
        let failures = requests.filter { $0.status >= 500 && inScope($0, zones) }
        var runs: [(Int, Int)] = []
        for (i, f) in failures.enumerated() {
            if let last = runs.last, f.time - failures[last.1].time <= Self.maxGap {
                runs[runs.count - 1].1 = i
            } else {
                runs.append((i, i))
            }
        }
        let overlapping = runs.filter { r in
            failures[r.0].time <= window.upperBound + Self.maxGap && failures[r.1].time >= window.lowerBound - Self.maxGap
        }
        guard let a = overlapping.first, let b = overlapping.last else { return nil }
        let slice = failures[a.0...b.1]
        let paths = Set(slice.map(\.path))
        let last = slice.last!.time
        let recovered = requests.first { $0.time > last && $0.status < 500 && inScope($0, zones) && paths.contains($0.path) }
        return FailureRun(first: slice.first!.time, last: last, count: slice.count, recoveredAt: recovered?.time, paths: paths)
    }

    func impact(zones: [String], failures: FailureRun?, start: Int64, end: Int64, detectedAt: Int64?) -> Impact {
        guard let f = failures else {
            return Impact(failedRequests: 0, totalRequests: 0, failedShare: 0, distinctClients: 0, zones: [], endpoints: [],
                          firstFailure: nil, lastFailure: nil, recoveredAt: nil, durationFromFirstAnomaly: end - start,
                          durationFromDetection: detectedAt.map { end - $0 }, evidence: nil)
        }
        var failed = 0, total = 0
        var clients = Set<String>(), failedZones = Set<String>(), endpoints: [String: Int] = [:]
        for r in requests where r.time >= f.first && r.time <= f.last && inScope(r, zones) {
            total += 1
            if r.status >= 500 {
                failed += 1
                clients.insert(r.client)
                failedZones.insert(r.zone)
                endpoints[r.path, default: 0] += 1
            }
        }
        let recovery = f.recoveredAt ?? f.last
        let q = LogQLText.selector(LogQLText.edgeAccess, zones: zones) + " " + LogQLText.edge5xx
        return Impact(
            failedRequests: failed, totalRequests: total, failedShare: total == 0 ? 0 : Double(failed) / Double(total),
            distinctClients: clients.count, zones: failedZones.sorted(),
            endpoints: endpoints.map { EndpointImpact(path: $0.key, failed: $0.value) }
                .sorted { ($0.failed, $1.path) > ($1.failed, $0.path) },
            firstFailure: f.first, lastFailure: f.last, recoveredAt: f.recoveredAt,
            durationFromFirstAnomaly: recovery - start, durationFromDetection: detectedAt.map { recovery - $0 },
            evidence: Evidence(query: q, from: f.first, to: f.last + 1))
    }

    /// Requests and 5xx per minute in `zones` over `[from, to)`.
    func chart(zones: [String], from: Int64, to: Int64) -> Chart {
        let step: Int64 = 60_000_000_000
        let first = from - ((from % step) + step) % step
        let n = Int((to - first + step - 1) / step)
        var req = Array(repeating: 0, count: max(n, 0)), err = req
        for r in requests where r.time >= first && r.time < to && inScope(r, zones) {
            let i = Int((r.time - first) / step)
            req[i] += 1
            if r.status >= 500 { err[i] += 1 }
        }
        return Chart(step: step, times: (0..<max(n, 0)).map { first + Int64($0) * step }, requests: req, errors: err)
    }

    /// Zones where at least half of the requests failed in `minutes` consecutive minutes within `run` (minutes with
    /// fewer than `minRequests` requests do not count: one failed request at night is not a zone down).
    func zonesDown(in run: FailureRun, minutes: Int = 2, minRequests: Int = 5) -> [String] {
        let step: Int64 = 60_000_000_000
        var perZone: [String: [Int64: (Int, Int)]] = [:]
        for r in requests where r.time >= run.first && r.time <= run.last {
            let m = r.time / step
            var c = perZone[r.zone, default: [:]][m] ?? (0, 0)
            c.0 += 1
            if r.status >= 500 { c.1 += 1 }
            perZone[r.zone, default: [:]][m] = c
        }
        return perZone.compactMap { zone, mins in
            var streak = 0, best = 0
            for m in (mins.keys.min() ?? 0)...(mins.keys.max() ?? 0) {
                if let c = mins[m], c.0 >= minRequests, c.1 * 2 >= c.0 { streak += 1; best = max(best, streak) } else { streak = 0 }
            }
            return best >= minutes ? zone : nil
        }.sorted()
    }

    /// Zones with edge traffic in `[from, to]`.
    func zonesWithTraffic(from: Int64, to: Int64) -> Set<String> {
        Set(requests.lazy.filter { $0.time >= from && $0.time <= to }.map(\.zone))
    }

    /// The 95th percentile of request time over `[from, to]` in `zones`, in seconds.
    func p95(zones: [String], from: Int64, to: Int64) -> Double? {
        let times = requests.filter { $0.time >= from && $0.time <= to && inScope($0, zones) }.compactMap(\.requestTime).sorted()
        guard !times.isEmpty else { return nil }
        return times[min(times.count - 1, Int((Double(times.count) * 0.95).rounded(.up)) - 1)]
    }
}
