import Foundation

/// Writes the lines of `DemoDay`: traffic minute by minute for every zone, the scripted incident and the noise.
struct DemoGenerator {
    struct Line {
        var time: Int64
        var text: String
    }

    struct ZoneLogs {
        var access: [Line] = []
        var nginxError: [Line] = []
        var backend: [Line] = []
        var vllm: [Line] = []
        var kernel: [Line] = []
    }

    let day: DemoDay
    var rng: DemoRandom
    var logs: [String: ZoneLogs] = [:]
    var truth: DemoDay.Truth
    var alerts = (firing: "", resolved: "")
    /// Chat requests the backend logged with their trace id, for the OTLP traces (`DemoGenerator+Traces.swift`).
    var tracedRequests: [TracedRequest] = []
    var connection = 884_000

    static let second: Int64 = 1_000_000_000
    static let endpoints: [(method: String, path: String, weight: Int)] = [
        ("POST", "/api/v1/chat", 40), ("GET", "/api/v1/models", 8), ("POST", "/api/v1/transcribe", 10),
        ("GET", "/api/v1/health", 14), ("GET", "/static/app.js", 14), ("GET", "/api/v1/history", 10), ("POST", "/api/v1/login", 4),
    ]
    static let agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                         "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                         "python-httpx/0.27.2", "okhttp/4.12.0",
                         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"]

    // The scripted incident.
    let oomAt: Int64, restartAt: Int64, readyAt: Int64

    init(day: DemoDay) {
        self.day = day
        rng = DemoRandom(seed: day.seed)
        oomAt = day.at(14, 2, 13)
        restartAt = day.at(14, 18, 30)
        readyAt = day.at(14, 19, 5)
        truth = DemoDay.Truth(zone: day.incidentZone, oomAt: oomAt, firstFailure: 0, lastFailure: 0, restartAt: restartAt,
                              recoveredAt: 0, failedRequests: 0, distinctClients: 0, alertFiredAt: day.at(14, 5, 0),
                              alertResolvedAt: day.at(14, 21, 30), noise: [], dayStart: day.dayStart,
                              dayEnd: day.dayStart + 86_400 * Self.second)
        for z in day.zones { logs[z] = ZoneLogs() }
    }

    mutating func generate() {
        var failedClients = Set<String>()
        for (zi, zone) in day.zones.enumerated() {
            let clients = (0..<400).map { i in "\(["198.51.100", "203.0.113", "192.0.2"][i % 3]).\(1 + (i * 37 + zi * 11) % 254)" }
            for minute in 0..<1440 {
                let hour = Double(minute) / 60
                let factor = hour >= 6 && hour < 23 ? 0.35 + 0.65 * sin(Double.pi * (hour - 6) / 17) : 0.35
                let n = rng.poisson(day.requestsPerMinute * factor)
                for _ in 0..<n {
                    let t = day.dayStart + Int64(minute) * 60 * Self.second + Int64(rng.int(60_000)) * 1_000_000
                    let client = clients[rng.int(clients.count)]
                    if request(zone: zone, zoneIndex: zi, time: t, client: client) { failedClients.insert(client) }
                }
                vllmStats(zone: zone, time: day.dayStart + Int64(minute) * 60 * Self.second + 7 * Self.second)
            }
            kernelRoutine(zone: zone)
            steadyWarnings(zone: zone)
        }
        truth.distinctClients = failedClients.count
        incidentEngineLines()
        noise()
        alertPayloads()
    }

    /// One edge request and what it causes downstream; returns whether it is one of the incident's failures.
    mutating func request(zone: String, zoneIndex: Int, time t: Int64, client: String) -> Bool {
        var pick = rng.int(100)
        var ep = Self.endpoints[0]
        for e in Self.endpoints {
            if pick < e.weight { ep = e; break }
            pick -= e.weight
        }
        var path = ep.path
        if path == "/api/v1/history" { path += "?page=\(1 + rng.int(5))" }
        let trace = rng.hex(32)
        var status = 200
        var rt = 0.002 + rng.unit() * 0.05
        var upstream = String(format: "%.3f", rt)
        var failed = false
        let inOutage = zone == day.incidentZone && t >= oomAt + Self.second && t < readyAt
        switch ep.path {
        case "/api/v1/chat":
            rt = 0.3 + rng.unit() * 0.9 + (rng.chance(0.01) ? 1.5 : 0)
            if inOutage {
                failed = true
                if t >= oomAt + 61 * Self.second && rng.chance(0.15) {
                    status = 504
                    rt = 60.001
                    upstream = "60.001"
                    nginxError(zone, t, "upstream timed out (110: Connection timed out) while reading response header from upstream", client, ep.method, path, zoneIndex)
                    backend(zone, t - 50 * Self.second, "ERROR", "app.inference", "vLLM request timed out after 10.0s (engine not responding) trace_id=\(trace) path=\(path)")
                    if traced(t) {
                        tracedRequests.append(TracedRequest(zone: zone, zoneIndex: zoneIndex, traceID: trace, path: path, end: t,
                                                            seconds: rt, failure: .timeout))
                    }
                } else {
                    status = 502
                    rt = 0.004 + rng.unit() * 0.01
                    upstream = String(format: "%.3f", rt)
                    nginxError(zone, t, "upstream prematurely closed connection while reading response header from upstream", client, ep.method, path, zoneIndex)
                    backend(zone, t - 3_000_000, "ERROR", "app.inference", "vLLM request failed: 503 Service Unavailable (EngineDeadError) trace_id=\(trace) path=\(path)")
                    if traced(t) {
                        tracedRequests.append(TracedRequest(zone: zone, zoneIndex: zoneIndex, traceID: trace, path: path, end: t,
                                                            seconds: rt, failure: .engineDead))
                    }
                }
                vllm(zone, t - 3_000_000, "(APIServer pid=2731) INFO:     10.8.\(zoneIndex).12:\(40000 + rng.int(20000)) - \"POST /v1/chat/completions HTTP/1.1\" 500 Internal Server Error")
                if truth.firstFailure == 0 || t < truth.firstFailure { truth.firstFailure = t }
                truth.lastFailure = max(truth.lastFailure, t)
                truth.failedRequests += 1
            } else {
                upstream = String(format: "%.3f", rt - 0.002)
                vllm(zone, t - Int64(rt * 1e9) / 2, "(APIServer pid=\(zone == day.incidentZone && t > restartAt ? 3102 : 2731)) INFO:     10.8.\(zoneIndex).12:\(40000 + rng.int(20000)) - \"POST /v1/chat/completions HTTP/1.1\" 200 OK")
                if zone == day.incidentZone && t >= readyAt && (truth.recoveredAt == 0 || t < truth.recoveredAt) {
                    truth.recoveredAt = t
                }
                if rng.chance(0.34) {
                    backend(zone, t - 2_000_000, "INFO", "app.access", "\(ep.method) \(path) 200 \(String(format: "%.3f", rt))s trace_id=\(trace)")
                    if traced(t) {
                        tracedRequests.append(TracedRequest(zone: zone, zoneIndex: zoneIndex, traceID: trace, path: path, end: t,
                                                            seconds: rt, failure: nil))
                    }
                }
            }
        case "/api/v1/login":
            if rng.chance(0.08) {
                status = 401
                backend(zone, t - 1_000_000, "WARNING", "app.auth", "JWT expired for user_id=\(10_000 + rng.int(90_000)), returning 401 trace_id=\(trace)")
            }
        case "/static/app.js":
            rt = 0.0
            upstream = "-"
            if rng.chance(0.02) { status = 404 }
        default:
            if rng.chance(0.003) { status = 499 }
        }
        let size = status == 200 ? 200 + rng.int(40_000) : 150 + rng.int(30)
        let agent = Self.agents[rng.int(Self.agents.count)]
        access(zone, t, "\(client) - - [\(Self.commonLogTime(t))] \"\(ep.method) \(path) HTTP/1.1\" \(status) \(size) \"-\" \"\(agent)\" \(String(format: "%.3f", rt)) \(upstream)")
        return failed
    }

    // MARK: Writers per format

    mutating func access(_ zone: String, _ t: Int64, _ line: String) { logs[zone]!.access.append(Line(time: t, text: line)) }

    mutating func nginxError(_ zone: String, _ t: Int64, _ msg: String, _ client: String, _ method: String, _ path: String, _ zi: Int) {
        connection += 1 + rng.int(40)
        let line = "\(Self.slashTime(t)) [error] 2211#2211: *\(connection) \(msg), client: \(client), server: api.\(zone).example, "
            + "request: \"\(method) \(path) HTTP/1.1\", upstream: \"http://10.8.\(zi).12:8080\(path)\", host: \"api.\(zone).example\""
        logs[zone]!.nginxError.append(Line(time: t, text: line))
    }

    mutating func nginxLine(_ zone: String, _ t: Int64, _ level: String, _ msg: String) {
        logs[zone]!.nginxError.append(Line(time: t, text: "\(Self.slashTime(t)) [\(level)] 2211#2211: \(msg)"))
    }

    mutating func backend(_ zone: String, _ t: Int64, _ level: String, _ logger: String, _ msg: String) {
        logs[zone]!.backend.append(Line(time: t, text: "\(Self.pythonTime(t)) \(level) \(logger): \(msg)"))
    }

    mutating func vllm(_ zone: String, _ t: Int64, _ line: String) { logs[zone]!.vllm.append(Line(time: t, text: line)) }

    mutating func vllmLog(_ zone: String, _ t: Int64, _ process: String, _ level: String, _ source: String, _ msg: String) {
        vllm(zone, t, "(\(process)) \(level) \(Self.vllmTime(t)) [\(source)] \(msg)")
    }

    mutating func kernel(_ zone: String, _ t: Int64, _ level: String, _ msg: String) {
        let lv = level.padding(toLength: 6, withPad: " ", startingAt: 0)
        logs[zone]!.kernel.append(Line(time: t, text: "kern  :\(lv): \(Self.isoKernelTime(t)) \(msg)"))
    }

    // MARK: Everyday lines

    mutating func vllmStats(zone: String, time t: Int64) {
        if zone == day.incidentZone && t > oomAt && t < readyAt { return }
        var kv = 8 + rng.unit() * 30
        if zone == day.incidentZone && t > oomAt - 8 * 60 * Self.second && t < oomAt {
            kv = 88 + Double(8 * 60 * Self.second - (oomAt - t)) / Double(8 * 60 * Self.second) * 10
        }
        let pid = zone == day.incidentZone && t > restartAt ? 3102 : 2731
        vllmLog(zone, t, "APIServer pid=\(pid)", "INFO", "loggers.py:118",
                String(format: "Engine 000: Avg prompt throughput: %.1f tokens/s, Avg generation throughput: %.1f tokens/s, Running: %d reqs, Waiting: 0 reqs, GPU KV cache usage: %.1f%%, Prefix cache hit rate: %.1f%%",
                       200 + rng.unit() * 900, 80 + rng.unit() * 300, rng.int(12), kv, 20 + rng.unit() * 40))
    }

    mutating func kernelRoutine(zone: String) {
        for h in stride(from: 0, to: 24, by: 6) {
            let t = day.at(h, 11, 7 + rng.int(40))
            kernel(zone, t, "info", "NVRM: GPU at PCI:0000:38:00: GPU-\(rng.hex(8))-\(rng.hex(4))-\(rng.hex(4)) persistence mode enabled")
        }
    }

    /// Warnings every zone logs all day: they must never be blamed.
    mutating func steadyWarnings(zone: String) {
        for minute in stride(from: 0, to: 1440, by: 7 + rng.int(5)) {
            let t = day.dayStart + Int64(minute) * 60 * Self.second + Int64(rng.int(59_000)) * 1_000_000
            backend(zone, t, "WARNING", "app.cache", "slow Redis GET took \(110 + rng.int(200))ms key=session:\(rng.hex(12))")
        }
        for minute in stride(from: 3, to: 1440, by: 23 + rng.int(10)) {
            let t = day.dayStart + Int64(minute) * 60 * Self.second + Int64(rng.int(59_000)) * 1_000_000
            nginxLine(zone, t, "warn", "*\(connection) an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/\(rng.int(10))/\(10 + rng.int(89))/00000\(rng.int(99999)) while reading upstream, client: 198.51.100.\(1 + rng.int(254)), server: api.\(zone).example, request: \"GET /api/v1/history HTTP/1.1\", upstream: \"http://10.8.0.12:8080/api/v1/history\", host: \"api.\(zone).example\"")
        }
    }

    // MARK: The incident

    mutating func incidentEngineLines() {
        let z = day.incidentZone
        let engine = "EngineCore_DP0 pid=2817", api = "APIServer pid=2731"
        vllmLog(z, oomAt, engine, "ERROR", "core.py:710", "EngineCore encountered a fatal error.")
        let frames = [
            "Traceback (most recent call last):",
            "  File \"/usr/local/lib/python3.12/dist-packages/vllm/v1/engine/core.py\", line 701, in run_engine_core",
            "    engine_core.run_busy_loop()",
            "  File \"/usr/local/lib/python3.12/dist-packages/vllm/v1/engine/core.py\", line 728, in run_busy_loop",
            "    self._process_engine_step()",
            "  File \"/usr/local/lib/python3.12/dist-packages/vllm/v1/worker/gpu_model_runner.py\", line 1371, in execute_model",
            "    hidden_states = self.model(",
            "                    ^^^^^^^^^^^",
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.06 GiB is free. Including non-PyTorch memory, this process has 78.11 GiB memory in use. Of the allocated memory 75.20 GiB is allocated by PyTorch, and 1.45 GiB is reserved by PyTorch but unallocated.",
        ]
        for f in frames { vllmLog(z, oomAt, engine, "ERROR", "core.py:710", f) }
        vllmLog(z, oomAt, api, "ERROR", "async_llm.py:420", "AsyncLLM output_handler failed.")
        vllmLog(z, oomAt, api, "ERROR", "async_llm.py:420", "vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the root cause.")
        // The on-call engineer restarts the engine (systemd unit, new process).
        kernel(z, restartAt, "info", "NVRM: GPU at PCI:0000:38:00: GPU-3f2a9c1e-77b0-4c1d persistence mode enabled")
        let new = "APIServer pid=3102"
        vllm(z, restartAt, "INFO \(Self.vllmTime(restartAt)) [__init__.py:243] Automatically detected platform cuda.")
        vllmLog(z, restartAt + 3 * Self.second, new, "INFO", "api_server.py:1289", "vLLM API server version 0.9.0.1")
        vllmLog(z, restartAt + 3 * Self.second, new, "INFO", "cli_args.py:309", "non-default args: {'model': 'Qwen/Qwen2.5-32B-Instruct', 'gpu_memory_utilization': 0.85, 'max_num_seqs': 64}")
        vllmLog(z, readyAt - 2 * Self.second, new, "INFO", "api_server.py:1336", "Starting vLLM API server on http://0.0.0.0:8000")
        vllm(z, readyAt - Self.second, "(\(new)) INFO:     Started server process [3102]")
        vllm(z, readyAt - Self.second, "(\(new)) INFO:     Waiting for application startup.")
        vllm(z, readyAt, "(\(new)) INFO:     Application startup complete.")
    }

    // MARK: Noise

    mutating func noise() {
        // A kernel OOM kill on another zone's GPU node, hours earlier.
        let oomKill = day.at(6, 41, 7)
        kernel("medprepai", oomKill, "warn", "python3 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0")
        kernel("medprepai", oomKill, "err", "Out of memory: Killed process 48213 (python3) total-vm:81234560kB, anon-rss:62914560kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:123456kB oom_score_adj:0")
        truth.noise.append("medprepai 06:41 kernel OOM kill (python3)")
        // An nginx reload in bzone-like zone collegeprepai.
        nginxLine("collegeprepai", day.at(9, 30, 0), "notice", "signal process started")
        truth.noise.append("collegeprepai 09:30 nginx reload")
        // A brief 500 burst with a backend traceback in lawprepai.
        for k in 0..<8 {
            let t = day.at(11, 20, 5) + Int64(k) * 17 * Self.second
            let client = "203.0.113.\(20 + k)"
            access("lawprepai", t, "\(client) - - [\(Self.commonLogTime(t))] \"GET /api/v1/history?page=\(k + 2) HTTP/1.1\" 500 182 \"-\" \"\(Self.agents[0])\" 0.031 0.030")
            backend("lawprepai", t - 5_000_000, "ERROR", "app.history", "unhandled error on GET /api/v1/history\nTraceback (most recent call last):\n  File \"/srv/app/history.py\", line 88, in page\n    cursor = params[\"cursor\"]\nKeyError: 'cursor'")
        }
        truth.noise.append("lawprepai 11:20 eight 500s on /api/v1/history (KeyError)")
        // A deploy in medprepai shortly before the incident.
        let deploy = day.at(13, 57, 2)
        backend("medprepai", deploy, "INFO", "app.main", "Deploying release 2025.11.21-2 (commit 4f2a9c1)")
        backend("medprepai", deploy + 4 * Self.second, "INFO", "uvicorn.error", "Started server process [4121]")
        backend("medprepai", deploy + 5 * Self.second, "INFO", "uvicorn.error", "Application startup complete.")
        truth.noise.append("medprepai 13:57 backend deploy")
        // Slow requests in examzone (HighAPILatency) mid-morning.
        for k in 0..<30 {
            let t = day.at(10, 2, 0) + Int64(k) * 20 * Self.second
            let rt = 2.5 + Double(k % 7) * 0.3
            access("examzone", t, "192.0.2.\(40 + k) - - [\(Self.commonLogTime(t))] \"POST /api/v1/chat HTTP/1.1\" 200 5121 \"-\" \"\(Self.agents[2])\" \(String(format: "%.3f", rt)) \(String(format: "%.3f", rt - 0.01))")
        }
        truth.noise.append("examzone 10:02 slow chat requests (p95 > 2 s)")
        // A GPU Xid on jobzone's node in the afternoon, and a disk warning in skillprepai.
        kernel("jobzone", day.at(16, 40, 12), "warn", "NVRM: Xid (PCI:0000:38:00): 13, pid='<unknown>', name=<unknown>, Graphics SM Warp Exception on (GPC 9, TPC 1, SM 1): Out Of Range Address")
        truth.noise.append("jobzone 16:40 NVRM Xid 13")
        backend("skillprepai", day.at(12, 0, 4), "WARNING", "app.health", "Disk usage above 85% on /var/lib/docker (87.2% used)")
        truth.noise.append("skillprepai 12:00 disk usage warning")
        // Two lone 500s in the incident's own zone, far from the incident.
        for t in [day.at(3, 14, 9), day.at(20, 40, 51)] {
            access(day.incidentZone, t, "198.51.100.77 - - [\(Self.commonLogTime(t))] \"GET /api/v1/models HTTP/1.1\" 500 182 \"-\" \"\(Self.agents[3])\" 0.012 0.011")
        }
        truth.noise.append("\(day.incidentZone) 03:14 and 20:40 single 500s")
    }

    mutating func alertPayloads() {
        func payload(_ status: String, _ alerts: [String]) -> String {
            """
            {"version":"4","groupKey":"{}:{alertname=\\"HighErrorRate\\"}","truncatedAlerts":0,"status":"\(status)","receiver":"mclog","groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate","severity":"critical"},"commonAnnotations":{},"externalURL":"http://alertmanager:9093","alerts":[\(alerts.joined(separator: ","))]}
            """
        }
        let z = day.incidentZone
        func alert(_ status: String, ends: String) -> String {
            """
            {"status":"\(status)","labels":{"alertname":"HighErrorRate","severity":"critical","zone":"\(z)","service":"api"},"annotations":{"summary":"5xx rate above 5% in \(z)","runbook_url":"runbook#high-error-rate"},"startsAt":"\(CivilDate.rfc3339(truth.alertFiredAt))","endsAt":"\(ends)","generatorURL":"http://prometheus:9090/graph","fingerprint":"5f1c3a7b9e2d4c60"}
            """
        }
        alerts.firing = payload("firing", [alert("firing", ends: "0001-01-01T00:00:00Z")]) + "\n"
        alerts.resolved = payload("resolved", [alert("resolved", ends: CivilDate.rfc3339(truth.alertResolvedAt))]) + "\n"
    }

    // MARK: Time formats

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parts(_ t: Int64) -> (Int, Int, Int, Int, Int, Int, Int) {
        let (y, m, d) = CivilDate.ymd(ofUnixNanos: t)
        let ns = ((t % CivilDate.nanosPerDay) + CivilDate.nanosPerDay) % CivilDate.nanosPerDay
        let s = Int(ns / 1_000_000_000)
        return (y, m, d, s / 3600, s / 60 % 60, s % 60, Int(ns % 1_000_000_000))
    }

    /// `21/Nov/2025:14:02:15 +0000`
    static func commonLogTime(_ t: Int64) -> String {
        let (y, m, d, h, mi, s, _) = parts(t)
        return "\(pad(d, 2))/\(months[m - 1])/\(y):\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)) +0000"
    }

    /// `2025/11/21 14:02:15`
    static func slashTime(_ t: Int64) -> String {
        let (y, m, d, h, mi, s, _) = parts(t)
        return "\(y)/\(pad(m, 2))/\(pad(d, 2)) \(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))"
    }

    /// `2025-11-21 14:02:15,123`
    static func pythonTime(_ t: Int64) -> String {
        let (y, m, d, h, mi, s, ns) = parts(t)
        return "\(y)-\(pad(m, 2))-\(pad(d, 2)) \(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)),\(pad(ns / 1_000_000, 3))"
    }

    /// `11-21 14:02:15`
    static func vllmTime(_ t: Int64) -> String {
        let (_, m, d, h, mi, s, _) = parts(t)
        return "\(pad(m, 2))-\(pad(d, 2)) \(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))"
    }

    /// `2025-11-21T14:02:15,123456+00:00` (`dmesg --time-format iso`)
    static func isoKernelTime(_ t: Int64) -> String {
        let (y, m, d, h, mi, s, ns) = parts(t)
        return "\(y)-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)),\(pad(ns / 1000, 6))+00:00"
    }
}
