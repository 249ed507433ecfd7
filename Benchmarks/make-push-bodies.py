#!/usr/bin/env python3
"""Writes Loki push bodies for Benchmarks/http.sh: the real apache_access_combined.log lines, repeated with
timestamps spread over the last day, in nine zone streams, in batches of ~1 MiB of raw lines (Promtail's default
batch size). Each batch is written twice: as JSON (`NNNN.json`) and as snappy-compressed protobuf (`NNNN.pb`),
the format Promtail and Alloy send. Also writes `lines.log` (the same lines, for the `mclog import` reference)
and `raw-bytes` (total raw line bytes, newlines excluded).

Usage: make-push-bodies.py SOURCE_LOG OUT_DIR MIB
Needs the packages of Tests/Integration/requirements.txt (protobuf, python-snappy).
"""
import json
import os
import sys
import time

import snappy

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Integration"))
from loki_clients import push_request_class  # noqa: E402

source, out, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
with open(source, "rb") as f:
    lines = [l.rstrip(b"\n").decode("utf-8", "replace") for l in f if l.strip()]
zones = ["univprepai", "collegeprepai", "skillprepai", "kzone", "gradprepai", "jobprepai", "kidsprepai",
         "langprepai", "testprepai"]
PushRequest = push_request_class()
target = mib << 20
batch_bytes = 1 << 20
now = time.time_ns()
start = now - 86400 * 10**9
step = max(1, 86400 * 10**9 // max(1, target // 200))
written = raw = n = i = 0
with open(os.path.join(out, "lines.log"), "w") as all_lines:
    while raw < target:
        zone = zones[n % len(zones)]
        values, size = [], 0
        while size < batch_bytes:
            line = lines[i % len(lines)]
            ts = start + i * step
            values.append([str(ts), line])
            all_lines.write(line + "\n")
            size += len(line.encode())
            i += 1
        raw += size
        body = {"streams": [{"stream": {"job": "nginx", "zone": zone}, "values": values}]}
        with open(os.path.join(out, f"{n:05d}.json"), "w") as f:
            json.dump(body, f, separators=(",", ":"))
        req = PushRequest()
        s = req.streams.add(labels=f'{{job="nginx", zone="{zone}"}}')
        for ts, line in values:
            e = s.entries.add(line=line)
            e.timestamp.seconds, e.timestamp.nanos = divmod(int(ts), 10**9)
        with open(os.path.join(out, f"{n:05d}.pb"), "wb") as f:
            f.write(snappy.compress(req.SerializeToString()))
        n += 1
with open(os.path.join(out, "raw-bytes"), "w") as f:
    f.write(str(raw))
print(f"{n} bodies, {raw} raw bytes, {i} lines", file=sys.stderr)
