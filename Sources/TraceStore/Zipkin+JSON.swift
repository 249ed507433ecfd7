import Foundation

/// Zipkin v2 JSON (`POST /api/v2/spans`): an array of spans with microsecond timestamps, 64- or 128-bit hex ids,
/// string tags and annotations. Spans are grouped into one `ResourceSpans` per `localEndpoint.serviceName`, as the
/// OpenTelemetry Collector's Zipkin receiver does: tags become span attributes, annotations events, the
/// `error` tag an error status, and the remote endpoint `peer.service` / `net.peer.ip` / `net.peer.port`.
public enum ZipkinJSON {
    public static func decode(_ body: [UInt8]) throws -> [ResourceSpans] { try body.withUnsafeBytes { try decode($0) } }

    public static func decode(_ body: UnsafeRawBufferPointer) throws -> [ResourceSpans] {
        guard let list = try JSONDecoding.parse(body) as? [Any] else { throw TraceDecodeError("Zipkin v2: want a JSON array of spans") }
        var order: [String] = []
        var byService: [String: [Span]] = [:]
        for (i, item) in list.enumerated() {
            let path = "span[\(i)]"
            guard let o = item as? [String: Any] else { throw TraceDecodeError("\(path): want an object") }
            guard let tid = o["traceId"] as? String, [16, 32].contains(tid.utf8.count), let traceID = TraceID(hex: tid),
                !traceID.isZero
            else { throw TraceDecodeError("\(path).traceId: want 16 or 32 hex digits") }
            guard let sid = o["id"] as? String, sid.utf8.count == 16, let spanID = SpanID(hex: sid), !spanID.isZero else {
                throw TraceDecodeError("\(path).id: want 16 hex digits")
            }
            var parent = SpanID(0)
            if let p = o["parentId"] as? String, !p.isEmpty {
                guard p.utf8.count == 16, let id = SpanID(hex: p) else {
                    throw TraceDecodeError("\(path).parentId: want 16 hex digits")
                }
                parent = id
            }
            let micros = try JSONDecoding.int64(o["timestamp"], path: path + ".timestamp")
            let duration = try JSONDecoding.int64(o["duration"], path: path + ".duration")
            var s = Span(traceID: traceID, spanID: spanID, parentSpanID: parent, name: o["name"] as? String ?? "",
                         start: micros &* 1000, end: (micros &+ duration) &* 1000)
            switch (o["kind"] as? String)?.uppercased() {
            case "CLIENT": s.kind = .client
            case "SERVER": s.kind = .server
            case "PRODUCER": s.kind = .producer
            case "CONSUMER": s.kind = .consumer
            case nil: s.kind = .internal
            case let k?: throw TraceDecodeError("\(path).kind: unknown kind \"\(k)\"")
            }
            if let tags = o["tags"] as? [String: Any] {
                for key in tags.keys.sorted() {
                    let v = tags[key] as? String ?? "\(tags[key]!)"
                    if key == "error" {
                        s.status = .error
                        s.statusMessage = v
                    } else {
                        s.attributes.append(Attribute(key, .string(v)))
                    }
                }
            }
            if let remote = o["remoteEndpoint"] as? [String: Any] {
                if let n = remote["serviceName"] as? String { s.attributes.append(Attribute("peer.service", .string(n))) }
                if let ip = (remote["ipv4"] ?? remote["ipv6"]) as? String {
                    s.attributes.append(Attribute("net.peer.ip", .string(ip)))
                }
                if let port = remote["port"] as? NSNumber { s.attributes.append(Attribute("net.peer.port", .int(port.int64Value))) }
            }
            for (j, a) in (o["annotations"] as? [Any] ?? []).enumerated() {
                guard let a = a as? [String: Any] else { throw TraceDecodeError("\(path).annotations[\(j)]: want an object") }
                let t = try JSONDecoding.int64(a["timestamp"], path: "\(path).annotations[\(j)].timestamp")
                s.events.append(SpanEvent(time: t &* 1000, name: a["value"] as? String ?? ""))
            }
            let local = o["localEndpoint"] as? [String: Any]
            let service = (local?["serviceName"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "unknown_service"
            if byService[service] == nil { order.append(service) }
            byService[service, default: []].append(s)
        }
        return order.map { name in
            ResourceSpans(resource: [Attribute("service.name", .string(name))],
                          scopes: [ScopeSpans(scope: InstrumentationScope(name: "zipkin"), spans: byService[name]!)])
        }
    }
}
