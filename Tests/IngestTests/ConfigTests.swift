import LogStore
import Storage
import Testing

@testable import Ingest

@Suite struct ConfigTests {
    @Test func minimalFormFromTheIssueWorks() throws {
        let yaml = """
            data: ./data
            sources:
              - path: logs/edge-proxy-01/access.log*
                format: nginx-access
                labels: {job: nginx, host: edge-proxy-01}
            """
        let c = try IngestConfig.parse(yaml: yaml, baseDirectory: "/etc/mclog")
        #expect(c.dataDirectory == "/etc/mclog/data")
        #expect(c.listen == "127.0.0.1:3100")
        #expect(c.positionsFile == "/etc/mclog/data/ingest-positions")
        #expect(c.sources.count == 1)
        let s = c.sources[0]
        #expect(s.paths == ["/etc/mclog/logs/edge-proxy-01/access.log*"])
        #expect(s.format == .nginxAccess)
        #expect(s.labels == [Label("job", "nginx"), Label("host", "edge-proxy-01")])
        #expect(s.tenant == "fake")
        #expect(s.multiline.kind == .none)
        #expect(s.levelLabel)
    }

    @Test func everyKey() throws {
        let yaml = #"""
            data: /var/lib/mclog
            listen: 0.0.0.0:3200
            tenant: platform
            positions: state/positions
            limits:
              max_line_size: 128KiB
              max_streams_per_tenant: 100
              ingestion_rate: 8MB
              retention: 30d
              retention_by_tenant: {audit: 365d}
            traces:
              retention: 14d
              retention_by_tenant: {audit: 90d}
              compaction_interval: 5m
            tailer:
              poll_interval: 100ms
              batch_size: 1MiB
              partial_line_timeout: 2s
              rotate_wait: 10s
              fingerprint_bytes: 512
            sources:
              - name: backend
                path: [/var/log/app/*.log, /var/log/app/*.log.1]
                exclude: ["*.gz", "debug-*.log"]
                format: python
                tenant: team-a
                labels: {job: backend, zone: kzone}
                level_label: false
                filename_label: true
                timestamp: {from: line, timezone: "+03:30"}
                multiline: {rule: python, max_bytes: 64KiB, max_lines: 200, max_wait: 1s}
                metadata: [trace_id, status]
                trace_id_regex: 'req=([0-9a-f]{16})'
              - path: /var/log/nginx/access.log
                format: nginx-access
                labels: {job: nginx}
                zone:
                  map: {"*.kzone.example": kzone, "api.bzone.example": bzone}
                  default: unknown
                trace_id_regex: ""
            """#
        let c = try IngestConfig.parse(yaml: yaml, baseDirectory: "/etc/mclog")
        #expect(c.listen == "0.0.0.0:3200")
        #expect(c.defaultTenant == "platform")
        #expect(c.positionsFile == "/etc/mclog/state/positions")
        #expect(c.limits.maxLineSize == 128 << 10)
        #expect(c.limits.maxStreamsPerTenant == 100)
        #expect(c.limits.ingestionRateBytesPerSecond == 8_000_000)
        #expect(c.limits.retentionSeconds == 30 * 86400)
        #expect(c.limits.retentionByTenant == ["audit": 365 * 86400])
        #expect(c.traces.retentionSeconds == 14 * 86400)
        #expect(c.traces.retentionByTenant == ["audit": 90 * 86400])
        #expect(c.traces.compactionIntervalSeconds == 300)
        #expect(c.tailer.pollIntervalNanos == 100_000_000)
        #expect(c.tailer.batchBytes == 1 << 20)
        #expect(c.tailer.fingerprintBytes == 512)
        let b = c.sources[0]
        #expect(b.name == "backend")
        #expect(b.paths == ["/var/log/app/*.log", "/var/log/app/*.log.1"])
        #expect(b.exclude == ["*.gz", "debug-*.log"])
        #expect(b.tenant == "team-a")
        #expect(!b.levelLabel && b.filenameLabel)
        #expect(b.timestamp.zoneOffsetSeconds == 12600)
        #expect(b.multiline.kind == .pythonTraceback && b.multiline.maxBytes == 64 << 10)
        #expect(b.multiline.maxLines == 200 && b.multiline.maxWaitNanos == 1_000_000_000)
        #expect(b.metadataFields == [.traceID, .status])
        #expect(b.traceIDPattern == "req=([0-9a-f]{16})")
        let n = c.sources[1]
        #expect(n.tenant == "platform")
        #expect(n.traceIDPattern == nil)
        #expect(n.derivedLabel?.name == "zone")
        #expect(n.derivedLabel?.map.map(\.value) == ["kzone", "bzone"])
        #expect(n.derivedLabel?.defaultValue == "unknown")
    }

    /// Each bad configuration must fail with the line, the key path and the problem.
    @Test(arguments: [
        ("sources: []\n", "mclog.yaml:1:1: missing the required key \"data\""),
        ("data: d\nlisten: nowhere\n", "mclog.yaml:2:9: listen: \"nowhere\" is not host:port"),
        ("data: d\nsources:\n  - path: a\n    format: ngnix\n", "mclog.yaml:4:13: sources[0].format: unknown format \"ngnix\""),
        ("data: d\nsources:\n  - path: a\n    format: json\n    lables: {a: b}\n", "mclog.yaml:5:5: sources[0].lables: unknown key"),
        ("data: d\nsources:\n  - format: json\n", "mclog.yaml:3:5: sources[0]: missing the required key \"path\""),
        ("data: d\nsources:\n  - path: a\n    format: json\n    labels: {0bad: x}\n", "mclog.yaml:5:20: sources[0].labels.0bad: invalid label name"),
        ("data: d\nsources:\n  - path: a\n    format: json\n    multiline: {start: '(unclosed'}\n", "mclog.yaml:5:24: sources[0].multiline.start: invalid regex"),
        ("data: d\ntailer:\n  poll_interval: soon\n", "mclog.yaml:3:18: tailer.poll_interval: \"soon\" is not a duration"),
        ("data: d\nlimits:\n  max_line_size: 1MiB\nsources:\n  - path: a\n    format: json\n    multiline: {rule: java, max_bytes: 2MiB}\n",
         "mclog.yaml:7:40: sources[0].multiline.max_bytes: 2097152 bytes exceeds limits.max_line_size=1048576"),
        ("data: d\nsources:\n  - path: a\n    format: json\n    timestamp: {timezone: Mars/Olympus}\n", "mclog.yaml:5:27: sources[0].timestamp.timezone: \"Mars/Olympus\" is not UTC"),
        ("data: [d\n", "mclog.yaml:2:1: YAML syntax"),
        ("data: d\nsources:\n  - path: a\n    format: nginx-access\n    labels: {zone: k}\n    zone: {map: {a: b}}\n",
         "mclog.yaml:6:11: sources[0].zone: the label \"zone\" is also a static label"),
        ("data: d\ndata: e\n", "mclog.yaml:2:1: data: the key is given twice"),
        ("data: d\nserver:\n  query_timeout: soon\n", "mclog.yaml:3:18: server.query_timeout: \"soon\" is not a duration"),
        ("data: d\nserver:\n  max_concurent_queries: 4\n", "mclog.yaml:3:3: server.max_concurent_queries: unknown key"),
        ("data: d\nserver:\n  auth: {}\n", "mclog.yaml:3:9: server.auth: no credentials"),
        ("data: d\nserver:\n  auth:\n    basic_users: {grafana: {tenant: ops}}\n",
         "mclog.yaml:4:28: server.auth.basic_users.grafana: missing the required key \"password\""),
        ("data: d\nserver:\n  auth:\n    bearer_tokens: {abc: 'bad tenant!'}\n", "mclog.yaml:4:26: server.auth.bearer_tokens.abc: "),
        ("data: d\nmetastore: mysql://db/mclog\n", "mclog.yaml:2:12: metastore: \"mysql://db/mclog\" is neither \"embedded\" nor a postgres:// URL"),
        ("data: d\nmetastore: postgres://db:5x/mclog\n", "mclog.yaml:2:12: metastore: port \"5x\" is not a number"),
        ("data: d\nmetastore: postgres://db/mclog?sslmod=require\n", "mclog.yaml:2:12: metastore: invalid URI query parameter"),
        ("data: d\nmetastore: {url: x}\n", "mclog.yaml:2:12: metastore: expected a single value"),
        ("data: d\nincidents:\n  interval: 500ms\n", "mclog.yaml:3:13: incidents.interval: must be at least 1s"),
        ("data: d\nincidents:\n  interval: often\n", "mclog.yaml:3:13: incidents.interval: \"often\" is not a duration"),
        ("data: d\nincidents:\n  window: 30s\n", "mclog.yaml:3:11: incidents.window: must be at least 1m"),
        ("data: d\nincidents:\n  rules: ''\n", "mclog.yaml:3:10: incidents.rules: must not be empty"),
        ("data: d\nincidents:\n  rule: queries\n", "mclog.yaml:3:3: incidents.rule: unknown key"),
        ("data: d\nincidents: queries\n", "mclog.yaml:2:12: incidents: expected a mapping"),
        ("data: d\ntraces:\n  compaction_interval: 10ms\n", "mclog.yaml:3:24: traces.compaction_interval: must be at least 1s"),
        ("data: d\ntraces:\n  retention: forever\n", "mclog.yaml:3:14: traces.retention: \"forever\" is not a duration"),
        ("data: d\ntraces:\n  block_retention: 1d\n", "mclog.yaml:3:3: traces.block_retention: unknown key"),
    ])
    func errorsNameLineAndKeyPath(_ yaml: String, _ expected: String) {
        do {
            _ = try IngestConfig.parse(yaml: yaml, baseDirectory: "/x")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".hasPrefix(expected), "got: \(error)")
        }
    }

    @Test func serverSectionSetsQueryLimitsAndAuth() throws {
        let yaml = """
            data: d
            server:
              query_timeout: 30s
              max_query_series: 1000
              max_query_length: 0
              max_concurrent_queries: 2
              max_queued_queries: 8
              max_recv_msg_size: 16MiB
              enforce_ingestion_rate: false
              auth:
                bearer_tokens: {tok-ops: ops, tok-ml: ml}
                basic_users:
                  grafana: {password: "pw:1", tenant: ops}
            """
        let s = try IngestConfig.parse(yaml: yaml, baseDirectory: "/x").server
        #expect(s.queryTimeoutNanos == 30_000_000_000)
        #expect(s.maxQuerySeries == 1000)
        #expect(s.maxQueryLengthNanos == 0)
        #expect(s.maxConcurrentQueries == 2)
        #expect(s.maxQueuedQueries == 8)
        #expect(s.maxBodyBytes == 16 << 20)
        #expect(s.enforceIngestionRate == false)
        #expect(s.auth?.bearerTokens == ["tok-ops": "ops", "tok-ml": "ml"])
        #expect(s.auth?.basicUsers == ["grafana:pw:1": "ops"])
        #expect(try IngestConfig.parse(yaml: "data: d\n", baseDirectory: "/x").server == ServerSettings())
    }

    @Test func durationsAndSizes() {
        #expect(ConfigValues.durationNanos("250ms") == 250_000_000)
        #expect(ConfigValues.durationNanos("1m30s") == 90_000_000_000)
        #expect(ConfigValues.durationNanos("2") == 2_000_000_000)
        #expect(ConfigValues.durationNanos("5 s") == nil)
        #expect(ConfigValues.bytes("256KiB") == 262_144)
        #expect(ConfigValues.bytes("4MB") == 4_000_000)
        #expect(ConfigValues.bytes("lots") == nil)
        #expect(ConfigValues.zoneOffset("-08:00") == -28800)
        #expect(ConfigValues.zoneOffset("+0530") == 19800)
        #expect(ConfigValues.zoneOffset("+25:00") == nil)
    }

    @Test(arguments: [
        ("", MetastoreLocation.embedded),
        ("metastore: embedded\n", .embedded),
        ("metastore: postgres://mclog@db.example:5432/mclog?sslmode=require\n",
         .postgres("postgres://mclog@db.example:5432/mclog?sslmode=require")),
        ("metastore: 'host=/run/postgresql dbname=mclog'\n", .postgres("host=/run/postgresql dbname=mclog")),
    ])
    func metastoreIsEmbeddedOrPostgres(_ line: String, _ expected: MetastoreLocation) throws {
        let c = try IngestConfig.parse(yaml: "data: d\n" + line, baseDirectory: "/x")
        #expect(c.metastore == expected)
    }

    @Test func exampleConfigIsValid() throws {
        let path = fixturePath("../../mclog.example.yaml")
        let c = try IngestConfig.load(path: path)
        #expect(c.sources.count >= 5)
        let jobs = Set(c.sources.compactMap { s in s.labels.first { $0.name == "job" }.map(\.value) })
        #expect(jobs.isSuperset(of: ["nginx", "backend", "ai-engine"]))
    }
}

@Suite struct PositionsTests {
    @Test func roundTrip() throws {
        var p = Positions()
        p.files = [Positions.Entry(device: 64768, inode: 123, offset: 4096, fingerprint: Fingerprint(length: 256, hash: 0xdead_beef),
                                   carryTimestamp: 1_763_720_103_000_000_000, path: "/var/log/nginx/access log.1"),
                   Positions.Entry(device: 1, inode: 2, offset: 0, fingerprint: Fingerprint(length: 10, hash: 7),
                                   carryTimestamp: nil, path: "/x")]
        p.batchTime = 42
        p.intents = [Positions.Intent(device: 1, inode: 2, from: 0, to: 100, fingerprint: Fingerprint(length: 10, hash: 7),
                                      carryTimestamp: nil, path: "/x")]
        let back = try Positions.decode(p.encoded(), file: "pos")
        #expect(back == p)
    }

    @Test(arguments: [
        ("garbage\n", "pos:1: not a positions file"),
        ("mclog-positions 1\nfile 1 2 x 10 7 - /x\n", "pos:2: malformed file record"),
        ("mclog-positions 1\nintent 1 2 0 5 10 7 - /x\n", "pos:2: intent before its batch record"),
        ("mclog-positions 1\nwhat\n", "pos:2: unknown record"),
    ])
    func corruptFilesAreReportedWithTheLine(_ text: String, _ expected: String) {
        do {
            _ = try Positions.decode(text, file: "pos")
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".hasPrefix(expected), "got: \(error)")
        }
    }
}
