import Foundation

/// OTLP/HTTP JSON (`application/json`): ids in hex as the OTLP spec says (case-insensitive), 64-bit integers as
/// strings or numbers, enums as numbers or names. Also accepts protobuf-JSON's snake_case field names.
public enum OTLPJSON {
    public static func decode(_ body: UnsafeRawBufferPointer) throws -> [ResourceSpans] {
        guard let obj = try JSONDecoding.parse(body) as? [String: Any] else { throw TraceDecodeError("OTLP JSON: want an object at the top") }
        let list = JSONDecoding.field(obj, "resourceSpans", "resource_spans") as? [Any] ?? []
        return try list.enumerated().map { i, rs in
            guard let rs = rs as? [String: Any] else { throw TraceDecodeError("resourceSpans[\(i)]: want an object") }
            return try resourceSpans(rs, path: "resourceSpans[\(i)]")
        }
    }

    public static func decode(_ body: [UInt8]) throws -> [ResourceSpans] { try body.withUnsafeBytes { try decode($0) } }

    static func resourceSpans(_ o: [String: Any], path: String) throws -> ResourceSpans {
        var rs = ResourceSpans(resource: [], scopes: [])
        if let res = o["resource"] as? [String: Any] {
            rs.resource = try attributes(res["attributes"], path: path + ".resource.attributes")
        }
        let scopes = (JSONDecoding.field(o, "scopeSpans", "scope_spans") ?? JSONDecoding.field(
            o, "instrumentationLibrarySpans", "instrumentation_library_spans")) as? [Any] ?? []
        for (i, s) in scopes.enumerated() {
            let p = path + ".scopeSpans[\(i)]"
            guard let s = s as? [String: Any] else { throw TraceDecodeError("\(p): want an object") }
            var ss = ScopeSpans(spans: [])
            if let sc = (s["scope"] ?? JSONDecoding.field(s, "instrumentationLibrary", "instrumentation_library"))
                as? [String: Any]
            {
                ss.scope.name = sc["name"] as? String ?? ""
                ss.scope.version = sc["version"] as? String ?? ""
                ss.scope.attributes = try attributes(sc["attributes"], path: p + ".scope.attributes")
            }
            for (j, sp) in (s["spans"] as? [Any] ?? []).enumerated() {
                guard let sp = sp as? [String: Any] else { throw TraceDecodeError("\(p).spans[\(j)]: want an object") }
                ss.spans.append(try span(sp, path: p + ".spans[\(j)]"))
            }
            rs.scopes.append(ss)
        }
        return rs
    }

    static func span(_ o: [String: Any], path: String) throws -> Span {
        guard let tid = JSONDecoding.field(o, "traceId", "trace_id") as? String, tid.utf8.count == 32,
            let traceID = TraceID(hex: tid), !traceID.isZero
        else { throw TraceDecodeError("\(path).traceId: want 32 hex digits") }
        guard let sid = JSONDecoding.field(o, "spanId", "span_id") as? String, sid.utf8.count == 16,
            let spanID = SpanID(hex: sid), !spanID.isZero
        else { throw TraceDecodeError("\(path).spanId: want 16 hex digits") }
        var parent = SpanID(0)
        if let p = JSONDecoding.field(o, "parentSpanId", "parent_span_id") as? String, !p.isEmpty {
            guard p.utf8.count == 16, let id = SpanID(hex: p) else {
                throw TraceDecodeError("\(path).parentSpanId: want 16 hex digits or empty")
            }
            parent = id
        }
        var s = Span(
            traceID: traceID, spanID: spanID, parentSpanID: parent, name: o["name"] as? String ?? "",
            start: try JSONDecoding.int64(JSONDecoding.field(o, "startTimeUnixNano", "start_time_unix_nano"),
                                          path: path + ".startTimeUnixNano"),
            end: try JSONDecoding.int64(JSONDecoding.field(o, "endTimeUnixNano", "end_time_unix_nano"),
                                        path: path + ".endTimeUnixNano"))
        s.traceState = JSONDecoding.field(o, "traceState", "trace_state") as? String ?? ""
        s.kind = try enumValue(o["kind"], prefix: "SPAN_KIND_", names: SpanKind.allCases.map(\.name), path: path + ".kind")
            .flatMap { SpanKind(rawValue: $0) } ?? .unspecified
        s.attributes = try attributes(o["attributes"], path: path + ".attributes")
        for (i, e) in (o["events"] as? [Any] ?? []).enumerated() {
            guard let e = e as? [String: Any] else { throw TraceDecodeError("\(path).events[\(i)]: want an object") }
            s.events.append(SpanEvent(
                time: try JSONDecoding.int64(JSONDecoding.field(e, "timeUnixNano", "time_unix_nano"),
                                             path: "\(path).events[\(i)].timeUnixNano"),
                name: e["name"] as? String ?? "",
                attributes: try attributes(e["attributes"], path: "\(path).events[\(i)].attributes")))
        }
        for (i, l) in (o["links"] as? [Any] ?? []).enumerated() {
            guard let l = l as? [String: Any],
                let t = TraceID(hex: JSONDecoding.field(l, "traceId", "trace_id") as? String ?? ""),
                let sp = SpanID(hex: JSONDecoding.field(l, "spanId", "span_id") as? String ?? "")
            else { throw TraceDecodeError("\(path).links[\(i)]: want an object with hex traceId and spanId") }
            s.links.append(SpanLink(traceID: t, spanID: sp, traceState: l["traceState"] as? String ?? "",
                                    attributes: try attributes(l["attributes"], path: "\(path).links[\(i)].attributes")))
        }
        if let st = o["status"] as? [String: Any] {
            s.status = try enumValue(st["code"], prefix: "STATUS_CODE_", names: StatusCode.allCases.map(\.name),
                                     path: path + ".status.code").flatMap { StatusCode(rawValue: $0) } ?? .unset
            s.statusMessage = st["message"] as? String ?? ""
        }
        if let f = o["flags"] { s.flags = UInt32(truncatingIfNeeded: try JSONDecoding.int64(f, path: path + ".flags")) }
        return s
    }

    /// An enum given as a number or as its name (`SPAN_KIND_SERVER`).
    static func enumValue(_ v: Any?, prefix: String, names: [String], path: String) throws -> UInt8? {
        guard let v else { return nil }
        if let s = v as? String {
            let lower = s.hasPrefix(prefix) ? String(s.dropFirst(prefix.count)).lowercased() : s.lowercased()
            guard let i = names.firstIndex(of: lower) else { throw TraceDecodeError("\(path): unknown value \"\(s)\"") }
            return UInt8(i)
        }
        if let n = v as? NSNumber { return UInt8(truncatingIfNeeded: n.intValue) }
        throw TraceDecodeError("\(path): want a number or an enum name")
    }

    static func attributes(_ v: Any?, path: String) throws -> [Attribute] {
        guard let list = v as? [Any] else { return [] }
        return try list.enumerated().map { i, kv in
            guard let kv = kv as? [String: Any], let key = kv["key"] as? String else {
                throw TraceDecodeError("\(path)[\(i)]: want {\"key\": …, \"value\": …}")
            }
            return Attribute(key, try anyValue(kv["value"], path: "\(path)[\(i)].value"))
        }
    }

    static func anyValue(_ v: Any?, path: String) throws -> AttributeValue {
        guard let o = v as? [String: Any] else { return .string("") }
        if let s = JSONDecoding.field(o, "stringValue", "string_value") { return .string(s as? String ?? "\(s)") }
        if let b = JSONDecoding.field(o, "boolValue", "bool_value") {
            guard let n = b as? NSNumber else { throw TraceDecodeError("\(path).boolValue: want true or false") }
            return .bool(n.boolValue)
        }
        if let i = JSONDecoding.field(o, "intValue", "int_value") {
            return .int(try JSONDecoding.int64(i, path: path + ".intValue"))
        }
        if let d = JSONDecoding.field(o, "doubleValue", "double_value") {
            if let n = d as? NSNumber { return .double(n.doubleValue) }
            if let s = d as? String, let x = Double(s) { return .double(x) }
            throw TraceDecodeError("\(path).doubleValue: want a number")
        }
        if let b = JSONDecoding.field(o, "bytesValue", "bytes_value") {
            guard let s = b as? String, let bytes = base64Decode(s) else {
                throw TraceDecodeError("\(path).bytesValue: want base64")
            }
            return .bytes(bytes)
        }
        if let a = JSONDecoding.field(o, "arrayValue", "array_value") as? [String: Any] {
            return .array(try (a["values"] as? [Any] ?? []).enumerated().map {
                try anyValue($0.element, path: "\(path).arrayValue.values[\($0.offset)]")
            })
        }
        if let m = JSONDecoding.field(o, "kvlistValue", "kvlist_value") as? [String: Any] {
            return .map(try attributes(m["values"], path: path + ".kvlistValue.values"))
        }
        return .string("")
    }

    // MARK: Encoding

    /// How ids are written: hex (the OTLP spec) or base64 (protobuf JSON, what Tempo's trace endpoints return).
    public enum IDEncoding: Sendable { case hex, base64 }

    /// `[ResourceSpans…]` as a JSON array of OTLP/JSON objects.
    public static func encode(_ batches: [ResourceSpans], ids: IDEncoding) -> String {
        var out = "["
        for (i, b) in batches.enumerated() {
            if i > 0 { out += "," }
            out += "{\"resource\":{\"attributes\":" + attributesJSON(b.resource) + "},\"scopeSpans\":["
            for (j, ss) in b.scopes.enumerated() {
                if j > 0 { out += "," }
                out += "{\"scope\":{"
                var parts: [String] = []
                if !ss.scope.name.isEmpty { parts.append("\"name\":" + jsonQuote(ss.scope.name)) }
                if !ss.scope.version.isEmpty { parts.append("\"version\":" + jsonQuote(ss.scope.version)) }
                if !ss.scope.attributes.isEmpty { parts.append("\"attributes\":" + attributesJSON(ss.scope.attributes)) }
                out += parts.joined(separator: ",") + "},\"spans\":["
                out += ss.spans.map { spanJSON($0, ids: ids) }.joined(separator: ",")
                out += "]}"
            }
            out += "]}"
        }
        return out + "]"
    }

    static func id(_ bytes: [UInt8], _ hex: String, _ e: IDEncoding) -> String {
        jsonQuote(e == .hex ? hex : base64(bytes))
    }

    static func spanJSON(_ s: Span, ids: IDEncoding) -> String {
        var f: [String] = [
            "\"traceId\":" + id(s.traceID.bytes, s.traceID.description, ids),
            "\"spanId\":" + id(s.spanID.bytes, s.spanID.description, ids),
        ]
        if !s.traceState.isEmpty { f.append("\"traceState\":" + jsonQuote(s.traceState)) }
        if !s.parentSpanID.isZero { f.append("\"parentSpanId\":" + id(s.parentSpanID.bytes, s.parentSpanID.description, ids)) }
        f.append("\"name\":" + jsonQuote(s.name))
        f.append("\"kind\":\"" + s.kind.otlpName + "\"")
        f.append("\"startTimeUnixNano\":\"\(s.start)\"")
        f.append("\"endTimeUnixNano\":\"\(s.end)\"")
        if !s.attributes.isEmpty { f.append("\"attributes\":" + attributesJSON(s.attributes)) }
        if !s.events.isEmpty {
            f.append("\"events\":[" + s.events.map { e in
                var ef = ["\"timeUnixNano\":\"\(e.time)\""]
                if !e.name.isEmpty { ef.append("\"name\":" + jsonQuote(e.name)) }
                if !e.attributes.isEmpty { ef.append("\"attributes\":" + attributesJSON(e.attributes)) }
                return "{" + ef.joined(separator: ",") + "}"
            }.joined(separator: ",") + "]")
        }
        if !s.links.isEmpty {
            f.append("\"links\":[" + s.links.map { l in
                var lf = ["\"traceId\":" + id(l.traceID.bytes, l.traceID.description, ids),
                          "\"spanId\":" + id(l.spanID.bytes, l.spanID.description, ids)]
                if !l.attributes.isEmpty { lf.append("\"attributes\":" + attributesJSON(l.attributes)) }
                return "{" + lf.joined(separator: ",") + "}"
            }.joined(separator: ",") + "]")
        }
        var st: [String] = []
        if !s.statusMessage.isEmpty { st.append("\"message\":" + jsonQuote(s.statusMessage)) }
        if s.status != .unset { st.append("\"code\":\"" + s.status.otlpName + "\"") }
        f.append("\"status\":{" + st.joined(separator: ",") + "}")
        if s.flags != 0 { f.append("\"flags\":\(s.flags)") }
        return "{" + f.joined(separator: ",") + "}"
    }

    public static func attributesJSON(_ attrs: [Attribute]) -> String {
        "[" + attrs.map { "{\"key\":" + jsonQuote($0.key) + ",\"value\":" + valueJSON($0.value) + "}" }
            .joined(separator: ",") + "]"
    }

    public static func valueJSON(_ v: AttributeValue) -> String {
        switch v {
        case .string(let s): "{\"stringValue\":" + jsonQuote(s) + "}"
        case .int(let i): "{\"intValue\":\"\(i)\"}"
        case .double(let d): "{\"doubleValue\":" + (d.isFinite ? "\(d)" : jsonQuote("\(d)")) + "}"
        case .bool(let b): "{\"boolValue\":\(b)}"
        case .bytes(let b): "{\"bytesValue\":" + jsonQuote(base64(b)) + "}"
        case .array(let a): "{\"arrayValue\":{\"values\":[" + a.map(valueJSON).joined(separator: ",") + "]}}"
        case .map(let m): "{\"kvlistValue\":{\"values\":" + attributesJSON(m) + "}}"
        }
    }
}

/// Helpers for the JSON decoders (OTLP, Zipkin).
enum JSONDecoding {
    /// The body as Foundation JSON objects; invalid JSON is a `TraceDecodeError` saying where.
    static func parse(_ body: UnsafeRawBufferPointer) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw TraceDecodeError("invalid JSON: \(describe(error))")
        }
    }

    static func field(_ o: [String: Any], _ a: String, _ b: String) -> Any? {
        if let v = o[a], !(v is NSNull) { return v }
        if let v = o[b], !(v is NSNull) { return v }
        return nil
    }

    /// An int64 given as a JSON number or a decimal string (protobuf JSON writes 64-bit integers as strings).
    static func int64(_ v: Any?, path: String) throws -> Int64 {
        guard let v else { return 0 }
        if let s = v as? String {
            if let n = Int64(s) { return n }
            if let n = UInt64(s) { return Int64(bitPattern: n) }
            throw TraceDecodeError("\(path): \"\(s)\" is not an integer")
        }
        if let n = v as? NSNumber {
            // Integers arrive exactly as Int64 (no rounding through Double); fractions are truncated.
            return n.int64Value
        }
        throw TraceDecodeError("\(path): want an integer")
    }

    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

/// JSON string literal of `s` (RFC 8259 escaping).
public func jsonQuote(_ s: String) -> String {
    var out: [UInt8] = [0x22]
    out.reserveCapacity(s.utf8.count + 2)
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    for c in s.utf8 {
        switch c {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x0A: out += [0x5C, UInt8(ascii: "n")]
        case 0x0D: out += [0x5C, UInt8(ascii: "r")]
        case 0x09: out += [0x5C, UInt8(ascii: "t")]
        case 0..<0x20: out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]]
        default: out.append(c)
        }
    }
    out.append(0x22)
    return String(decoding: out, as: UTF8.self)
}
