#!/usr/bin/env python3
"""Drives a running `mclog serve` with real Loki clients from PyPI and checks what comes back.

Usage: loki_clients.py http://127.0.0.1:PORT

- push (JSON): python-logging-loki-v2's LokiHandler, as an application would log;
- push (protobuf + snappy): a logproto.PushRequest encoded by Google's protobuf runtime and compressed by
  libsnappy (python-snappy) -- the wire format of Promtail and Grafana Alloy;
- query: python-loki-client (grafana_loki_client), whose models require every field of Loki's `stats` object
  (it models log results only; metric results are read as plain JSON);
- tail: websocket-client on /loki/api/v1/tail.
Exits non-zero with a message on the first failed check.
"""
import json
import logging
import sys
import time

import requests
import snappy
import websocket
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2  # noqa: F401

import logging_loki
from grafana_loki_client import Client
from grafana_loki_client.api.query_range import get_loki_api_v1_query_range

BASE = sys.argv[1].rstrip("/")
checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def push_request_class():
    """logproto.PushRequest (pkg/push/push.proto) built at run time, no protoc needed."""
    f = descriptor_pb2.FileDescriptorProto(name="push.proto", package="logproto", syntax="proto3",
                                           dependency=["google/protobuf/timestamp.proto"])
    T = descriptor_pb2.FieldDescriptorProto
    pair = f.message_type.add(name="LabelPairAdapter")
    pair.field.add(name="name", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    pair.field.add(name="value", number=2, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    entry = f.message_type.add(name="EntryAdapter")
    entry.field.add(name="timestamp", number=1, type=T.TYPE_MESSAGE, label=T.LABEL_OPTIONAL,
                    type_name=".google.protobuf.Timestamp")
    entry.field.add(name="line", number=2, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    entry.field.add(name="structuredMetadata", number=3, type=T.TYPE_MESSAGE, label=T.LABEL_REPEATED,
                    type_name=".logproto.LabelPairAdapter")
    stream = f.message_type.add(name="StreamAdapter")
    stream.field.add(name="labels", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    stream.field.add(name="entries", number=2, type=T.TYPE_MESSAGE, label=T.LABEL_REPEATED,
                     type_name=".logproto.EntryAdapter")
    stream.field.add(name="hash", number=3, type=T.TYPE_UINT64, label=T.LABEL_OPTIONAL)
    req = f.message_type.add(name="PushRequest")
    req.field.add(name="streams", number=1, type=T.TYPE_MESSAGE, label=T.LABEL_REPEATED,
                  type_name=".logproto.StreamAdapter")
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(descriptor_pb2.FileDescriptorProto(
        name="google/protobuf/timestamp.proto", package="google.protobuf", syntax="proto3",
        message_type=[descriptor_pb2.DescriptorProto(name="Timestamp", field=[
            T(name="seconds", number=1, type=T.TYPE_INT64, label=T.LABEL_OPTIONAL),
            T(name="nanos", number=2, type=T.TYPE_INT32, label=T.LABEL_OPTIONAL)])]).SerializeToString())
    pool.AddSerializedFile(f.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("logproto.PushRequest"))


def query_range(client, query, start, end, **kw):
    r = get_loki_api_v1_query_range.sync_detailed(client=client, query=query, start=start, end=end, **kw)
    check(r.status_code == 200, f"query_range {query}: HTTP {r.status_code} {r.content[:300]!r}")
    check(r.parsed is not None, f"query_range {query}: python-loki-client could not parse {r.content[:300]!r}")
    return r.parsed


def main():
    t_start = time.time_ns() - 10**9
    ready = requests.get(BASE + "/ready", timeout=5)
    check(ready.status_code == 200, f"/ready: {ready.status_code}")

    # 1. JSON push through the logging handler, as a FastAPI backend would log.
    handler = logging_loki.LokiHandler(url=BASE + "/loki/api/v1/push", tags={"job": "backend-api", "zone": "kzone"},
                                       version="1")
    log = logging.getLogger("integration")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    for i in range(5):
        log.error("upstream timed out request_id=%d", i)  # the handler raises unless mclog answers 204
    handler.close()

    # 2. Protobuf + snappy push with structured metadata, as Promtail/Alloy send it.
    PushRequest = push_request_class()
    req = PushRequest()
    s = req.streams.add(labels='{job="ai-engine", zone="kzone", engine="vllm"}')
    now = time.time_ns()
    for i in range(3):
        e = s.entries.add(line=f"torch.OutOfMemoryError: CUDA out of memory (attempt {i})")
        e.timestamp.seconds, e.timestamp.nanos = divmod(now + i, 10**9)
        e.structuredMetadata.add(name="trace_id", value=f"4bf92f3577b34da6a3ce929d0e0e473{i}")
    body = snappy.compress(req.SerializeToString())
    r = requests.post(BASE + "/loki/api/v1/push", data=body,
                      headers={"Content-Type": "application/x-protobuf"}, timeout=10)
    check(r.status_code == 204, f"protobuf push: {r.status_code} {r.text}")
    bad = requests.post(BASE + "/loki/api/v1/push", data=b"\x05\x08ab",
                        headers={"Content-Type": "application/x-protobuf"}, timeout=10)
    check(bad.status_code == 400 and "message" in bad.json(), f"corrupt push: {bad.status_code} {bad.text}")

    # 3. Queries through python-loki-client, which requires Loki's full stats object.
    client = Client(base_url=BASE, timeout=10)
    end = time.time_ns() + 10**9
    res = query_range(client, '{job="backend-api"} |= "upstream timed out"', t_start, end, limit=100)
    lines = [v[1] for st in res.data.result for v in st.values]
    check(len(lines) == 5, f"backend lines: {lines}")
    check(res.data.stats.summary.total_entries_returned == 5, "stats.summary.totalEntriesReturned")
    res = query_range(client, '{job="ai-engine"} |= "CUDA out of memory"', t_start, end, limit=100)
    got = sorted(v[1] for st in res.data.result for v in st.values)
    check(got == [f"torch.OutOfMemoryError: CUDA out of memory (attempt {i})" for i in range(3)], f"OOM lines: {got}")
    # python-loki-client models only the streams result type; metric results are checked as plain JSON.
    m = requests.get(BASE + "/loki/api/v1/query_range", params={
        "query": 'sum by (zone) (count_over_time({zone="kzone"}[1m]))', "start": t_start, "end": end, "step": 1},
        timeout=10).json()
    check(m["data"]["resultType"] == "matrix", f"metric query result type: {m}")
    peak = max(float(v[1]) for st in m["data"]["result"] for v in st["values"])
    check(peak == 8, f"count_over_time peak over 1m should be 8 lines, got {peak}")

    # 4. Live tail over WebSocket: a line pushed after connecting arrives.
    ws_url = BASE.replace("http://", "ws://") + "/loki/api/v1/tail?query=" + requests.utils.quote('{job="tail-test"}')
    ws = websocket.create_connection(ws_url, timeout=10)
    marker = f"tail marker {time.time_ns()}"
    r = requests.post(BASE + "/loki/api/v1/push", json={"streams": [{"stream": {"job": "tail-test"},
                      "values": [[str(time.time_ns()), marker]]}]}, timeout=10)
    check(r.status_code == 204, f"push for tail: {r.status_code}")
    seen = []
    deadline = time.time() + 10
    while time.time() < deadline and marker not in seen:
        msg = json.loads(ws.recv())
        check("streams" in msg and "dropped_entries" in msg, f"tail message shape: {msg}")
        seen += [v[1] for st in msg["streams"] for v in st["values"]]
    ws.close()
    check(marker in seen, f"tail did not deliver the pushed line: {seen}")

    print(f"OK: {checks} checks against {BASE}")


if __name__ == "__main__":
    main()
