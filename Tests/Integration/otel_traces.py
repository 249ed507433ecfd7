#!/usr/bin/env python3
"""Sends traces with the OpenTelemetry Python SDK and its OTLP/HTTP exporter (protobuf, as shipped) to a running
`mclog serve`, then reads them back through the Tempo API.

Usage: otel_traces.py http://127.0.0.1:API_PORT http://127.0.0.1:OTLP_PORT

- export: opentelemetry-sdk's TracerProvider + BatchSpanProcessor + OTLPSpanExporter to the OTLP listener
  (one trace with an error and an exception event; a second trace in another export, minutes "later");
- a log line carrying the trace id in structured metadata is pushed to the Loki API (for `mclog trace`);
- read: /api/traces/<id> (JSON batches and protobuf), /api/v2/traces/<id>, /api/search with TraceQL and with
  logfmt tags, /api/search/tags, /api/v2/search/tag/<name>/values, /api/echo.
Prints `TRACE <id>` and `OK: N checks`; exits non-zero with a message on the first failed check.
"""
import base64
import json
import sys
import time

import requests
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.trace.v1 import trace_pb2
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

API = sys.argv[1].rstrip("/")
OTLP = sys.argv[2].rstrip("/")
checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def export_trace(service):
    provider = TracerProvider(resource=Resource.create({"service.name": service, "deployment.environment": "ci"}))
    exporter = OTLPSpanExporter(endpoint=OTLP + "/v1/traces", timeout=10)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracer = provider.get_tracer("mclog.integration", "1.0")
    with tracer.start_as_current_span("GET /checkout", kind=trace.SpanKind.SERVER) as root:
        root.set_attribute("http.method", "GET")
        with tracer.start_as_current_span("charge card", kind=trace.SpanKind.CLIENT) as child:
            child.set_attribute("http.status_code", 502)
            child.set_attribute("retry.count", 2)
            try:
                raise ConnectionError("payment gateway refused the connection")
            except ConnectionError as e:
                child.record_exception(e)
                child.set_status(Status(StatusCode.ERROR, "gateway unavailable"))
            time.sleep(0.01)
        with tracer.start_as_current_span("render receipt"):
            time.sleep(0.005)
        trace_id = format(root.get_span_context().trace_id, "032x")
    check(provider.force_flush(10_000), "the exporter flushed its spans")
    provider.shutdown()
    return trace_id


trace_id = export_trace("checkout")
other_id = export_trace("inventory")
print(f"TRACE {trace_id}")

# A log line of the same request, with the trace id in structured metadata.
now_ns = str(time.time_ns())
push = {"streams": [{"stream": {"job": "checkout"},
                     "values": [[now_ns, "payment failed: gateway unavailable", {"trace_id": trace_id}]]}]}
r = requests.post(API + "/loki/api/v1/push", json=push, timeout=10)
check(r.status_code == 204, f"log push: {r.status_code} {r.text}")

# By id: Tempo's batches form with base64 ids.
r = requests.get(f"{API}/api/traces/{trace_id}", timeout=10)
check(r.status_code == 200, f"trace by id: {r.status_code} {r.text}")
batches = r.json()["batches"]
spans = [s for b in batches for ss in b["scopeSpans"] for s in ss["spans"]]
check(len(spans) == 3, f"3 spans, got {len(spans)}")
check({s["name"] for s in spans} == {"GET /checkout", "charge card", "render receipt"}, "span names")
check(all(base64.b64decode(s["traceId"]).hex() == trace_id for s in spans), "base64 trace ids")
charge = next(s for s in spans if s["name"] == "charge card")
check(charge["status"] == {"message": "gateway unavailable", "code": "STATUS_CODE_ERROR"}, f"status {charge['status']}")
check(charge["kind"] == "SPAN_KIND_CLIENT", "kind")
check(any(e.get("name") == "exception" for e in charge.get("events", [])), "exception event")
check({"key": "http.status_code", "value": {"intValue": "502"}} in charge["attributes"], "int attribute")
scope = batches[0]["scopeSpans"][0]["scope"]
check(scope.get("name") == "mclog.integration" and scope.get("version") == "1.0", f"scope {scope}")

# The same as protobuf, parsed by the official OTLP classes (tempopb.Trace has ResourceSpans at field 1).
r = requests.get(f"{API}/api/traces/{trace_id}", headers={"Accept": "application/protobuf"}, timeout=10)
data = trace_pb2.TracesData()
data.ParseFromString(r.content)
check(sum(len(ss.spans) for rs in data.resource_spans for ss in rs.scope_spans) == 3, "protobuf trace")

r = requests.get(f"{API}/api/v2/traces/{trace_id}", timeout=10)
check(len(r.json()["trace"]["resourceSpans"]) >= 1, "v2 trace")

# Search: TraceQL and logfmt tags.
q = '{ resource.service.name = "checkout" && span.http.status_code >= 500 && status = error }'
r = requests.get(f"{API}/api/search", params={"q": q}, timeout=10)
check(r.status_code == 200, f"search: {r.status_code} {r.text}")
found = r.json()["traces"]
check([t["traceID"] for t in found] == [trace_id], f"TraceQL search found {found}")
check(found[0]["rootServiceName"] == "checkout" and found[0]["rootTraceName"] == "GET /checkout", "root")
check(found[0]["spanSet"]["matched"] == 1, "one matched span")
q = '{ resource.service.name = "checkout" } >> { name = "render receipt" }'
r = requests.get(f"{API}/api/search", params={"q": q}, timeout=10)
check([t["traceID"] for t in r.json()["traces"]] == [trace_id], "structural search")
r = requests.get(f"{API}/api/search", params={"tags": "service.name=inventory http.method=GET", "limit": "5"}, timeout=10)
check([t["traceID"] for t in r.json()["traces"]] == [other_id], f"tags search {r.text}")
r = requests.get(f"{API}/api/search", params={"q": "{ .a = 1 } | count() > 1"}, timeout=10)
check(r.status_code == 400 and "pipeline" in r.json()["message"], f"unsupported TraceQL: {r.text}")

r = requests.get(f"{API}/api/search/tags", timeout=10)
check("http.status_code" in r.json()["tagNames"], "tag names")
r = requests.get(f"{API}/api/v2/search/tag/resource.service.name/values", timeout=10)
values = {v["value"] for v in r.json()["tagValues"]}
check(values == {"checkout", "inventory"}, f"tag values {values}")
check(requests.get(f"{API}/api/echo", timeout=10).text == "echo", "echo")

print(f"OK: {checks} checks")
