import LogStore

/// Reading the sections of `mclog.yaml`: limits, tailer and sources.
extension YAMLCursor {
    func limits() throws -> Limits {
        var l = Limits()
        let k = try mapping(allowed: ["max_line_size", "max_label_names_per_stream", "max_streams_per_tenant",
                                      "max_entries_per_query", "ingestion_rate", "ingestion_burst",
                                      "max_structured_metadata_size", "retention", "retention_by_tenant"])
        if let v = k["max_line_size"] { l.maxLineSize = try v.bytes() }
        if let v = k["max_label_names_per_stream"] { l.maxLabelNamesPerStream = try v.int(min: 1) }
        if let v = k["max_streams_per_tenant"] { l.maxStreamsPerTenant = try v.int(min: 1) }
        if let v = k["max_entries_per_query"] { l.maxEntriesPerQuery = try v.int(min: 1) }
        if let v = k["ingestion_rate"] { l.ingestionRateBytesPerSecond = try v.bytes() }
        if let v = k["ingestion_burst"] { l.ingestionBurstBytes = try v.bytes() }
        if let v = k["max_structured_metadata_size"] { l.maxStructuredMetadataSize = try v.bytes() }
        if let v = k["retention"] { l.retentionSeconds = try v.duration() / 1_000_000_000 }
        if let v = k["retention_by_tenant"] {
            for (tenant, d) in try v.pairs() {
                do { try Tenant.validate(tenant) } catch { throw d.error("\(error)") }
                l.retentionByTenant[tenant] = try d.duration() / 1_000_000_000
            }
        }
        return l
    }

    func tailer() throws -> TailerSettings {
        var t = TailerSettings()
        let k = try mapping(allowed: ["poll_interval", "batch_size", "partial_line_timeout", "rotate_wait",
                                      "fingerprint_bytes"])
        if let v = k["poll_interval"] {
            t.pollIntervalNanos = try v.duration()
            if t.pollIntervalNanos < 1_000_000 { throw v.error("must be at least 1ms") }
        }
        if let v = k["batch_size"] { t.batchBytes = try v.bytes(min: 4096) }
        if let v = k["partial_line_timeout"] { t.partialLineTimeoutNanos = try v.duration() }
        if let v = k["rotate_wait"] { t.rotateWaitNanos = try v.duration() }
        if let v = k["fingerprint_bytes"] {
            t.fingerprintBytes = try v.int(min: 16)
            if t.fingerprintBytes > 4096 { throw v.error("must be at most 4096") }
        }
        return t
    }

    func source(index: Int, defaultTenant: String, limits: Limits, resolve: (String) -> String) throws -> SourceConfig {
        let k = try mapping(allowed: ["name", "path", "exclude", "format", "tenant", "labels", "level_label",
                                      "filename_label", "timestamp", "multiline", "metadata", "trace_id_regex",
                                      "zone"])
        guard let pathNode = k["path"] else { throw error("missing the required key \"path\" (a glob or a list of them)") }
        let patterns = try pathNode.stringList()
        guard let formatNode = k["format"] else { throw error("missing the required key \"format\" (one of \(LogFormat.names))") }
        let formatName = try formatNode.string()
        guard let format = LogFormat(rawValue: formatName) else {
            throw formatNode.error("unknown format \"\(formatName)\"; use one of \(LogFormat.names)")
        }
        var s = SourceConfig(name: try k["name"]?.nonEmptyString() ?? patterns[0], paths: patterns.map(resolve),
                             format: format, tenant: try k["tenant"]?.tenant() ?? defaultTenant)
        if let v = k["exclude"] { s.exclude = try v.stringList() }
        if let v = k["labels"] {
            var labels: [Label] = []
            for (name, value) in try v.pairs() {
                let text = try value.nonEmptyString()
                do { try LabelSet.validateName(name, limits: limits) } catch { throw value.error("\(error)") }
                if name == "level" || name == "filename" {
                    throw value.error("\"\(name)\" is set per line; use level_label / filename_label")
                }
                labels.append(Label(name, text))
            }
            do { _ = try LabelSet(labels, limits: limits) } catch { throw v.error("\(error)") }
            s.labels = labels
        }
        if let v = k["level_label"] { s.levelLabel = try v.bool() }
        if let v = k["filename_label"] { s.filenameLabel = try v.bool() }
        if let v = k["timestamp"] { s.timestamp = try v.timestampSettings() }
        if let v = k["multiline"] { s.multiline = try v.multiline(default: s.multiline, limits: limits) }
        if let v = k["metadata"] {
            s.metadataFields = try v.sequence().map { item in
                let name = try item.string()
                guard let f = MetadataField(rawValue: name) else {
                    throw item.error("unknown field \"\(name)\"; use \(MetadataField.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return f
            }
        }
        if let v = k["trace_id_regex"] {
            let off = try v.isNull || v.string().isEmpty
            s.traceIDPattern = off ? nil : try v.regex()
        }
        if let v = k["zone"] {
            let d = try v.derivedLabel(limits: limits)
            if s.labels.contains(where: { $0.name == d.name }) {
                throw v.error("the label \"\(d.name)\" is also a static label of this source; drop one of them")
            }
            s.derivedLabel = d
        }
        return s
    }

    func timestampSettings() throws -> TimestampSettings {
        var t = TimestampSettings()
        let k = try mapping(allowed: ["from", "timezone"])
        if let v = k["from"] {
            switch try v.string() {
            case "line": t.fromLine = true
            case "ingest": t.fromLine = false
            default: throw v.error("expected line or ingest")
            }
        }
        if let v = k["timezone"] {
            let s = try v.string()
            guard let o = ConfigValues.zoneOffset(s) else { throw v.error("\"\(s)\" is not UTC or an offset like +02:00") }
            t.zoneOffsetSeconds = o
        }
        return t
    }

    /// `multiline: python | java | timestamp | none`, or a mapping with `rule` or `start` and the limits.
    func multiline(default d: MultilineRule, limits: Limits) throws -> MultilineRule {
        var rule = d
        func kind(_ c: YAMLCursor) throws -> MultilineRule.Kind {
            switch try c.string() {
            case "none": return .none
            case "python": return .pythonTraceback
            case "java": return .javaStackTrace
            case "timestamp": return .timestamped
            case let other: throw c.error("unknown multiline rule \"\(other)\"; use python, java, timestamp or none")
            }
        }
        if case .scalar = node {
            rule.kind = try kind(self)
            return rule
        }
        let k = try mapping(allowed: ["rule", "start", "max_bytes", "max_lines", "max_wait"])
        if k["rule"] != nil && k["start"] != nil { throw error("give either rule or start, not both") }
        if let v = k["rule"] { rule.kind = try kind(v) }
        if let v = k["start"] { rule.kind = .startPattern(try v.regex()) }
        if let v = k["max_bytes"] {
            rule.maxBytes = try v.bytes()
            if rule.maxBytes > limits.maxLineSize {
                throw v.error("\(rule.maxBytes) bytes exceeds limits.max_line_size=\(limits.maxLineSize)")
            }
        }
        rule.maxBytes = min(rule.maxBytes, limits.maxLineSize)
        if let v = k["max_lines"] { rule.maxLines = try v.int(min: 1) }
        if let v = k["max_wait"] { rule.maxWaitNanos = try v.duration() }
        return rule
    }

    func derivedLabel(limits: Limits) throws -> DerivedLabel {
        let k = try mapping(allowed: ["label", "regex", "map", "default"])
        let name = try k["label"]?.nonEmptyString() ?? "zone"
        do { try LabelSet.validateName(name, limits: limits) } catch { throw (k["label"] ?? self).error("\(error)") }
        let pattern = try k["regex"]?.regex() ?? DerivedLabel.defaultPattern
        guard let mapNode = k["map"] else { throw error("missing the required key \"map\" (host pattern: value)") }
        let map = try mapNode.pairs().map { (p, v) in (pattern: p, value: try v.nonEmptyString()) }
        let def = try k["default"]?.nonEmptyString()
        return DerivedLabel(name: name, pattern: pattern, map: map, defaultValue: def)
    }
}
