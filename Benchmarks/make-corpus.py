#!/usr/bin/env python3
"""Generate a large nginx/apache "combined" access-log corpus for the mclog benchmarks.

The corpus is the real Elastic example access log (10,000 lines from 2015) repeated until each zone
file reaches its share of --size-mb, with every repetition made distinct:

  * timestamps are rewritten so that every file spans --days days ending 2026-11-01T00:00:00Z, at
    second resolution, non-decreasing within a file (line i of N gets start + i*span//N);
  * the client IP's last octet is perturbed per line from a seeded RNG keyed by (seed, zone, repetition),
    uniformly over 1..254, so a given full IP recurs rarely and the output is reproducible;
  * exactly RARE_COUNT lines (total, over all files) with the client IP 203.0.113.77 (TEST-NET-3, absent
    from the source) are inserted at deterministic places, each carrying the timestamp of the line it
    precedes, so a rare-literal query has a known answer.

Writes DIR/<zone>.log for each zone and DIR/corpus.json (written last: its presence marks a complete
corpus), and prints the same JSON summary to stdout. Stdlib only.

Usage: make-corpus.py --out DIR --size-mb 1024 [--zones 9] [--days 30] [--seed 42] [--source FILE]
"""

import argparse
import calendar
import json
import os
import random
import re
import sys
import time

DEFAULT_SOURCE = "/work/shared/data/logs/elastic-examples/apache_access_combined.log"
ZONE_NAMES = ["univprepai", "collegeprepai", "skillprepai", "kzone",
              "medprepai", "lawprepai", "mbaprepai", "examzone", "jobzone"]
RARE_IP = b"203.0.113.77"
RARE_COUNT = 5
END_EPOCH = calendar.timegm((2026, 11, 1, 0, 0, 0, 0, 0, 0))  # 2026-11-01T00:00:00Z
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CHUNK_LINES = 32768  # ~7.5 MiB per write

# client IP (first three octets + dot) | last octet | " - user [" | %t | "] request status bytes ref ua"
LINE_RE = re.compile(
    rb"^(\d{1,3}\.\d{1,3}\.\d{1,3}\.)(\d{1,3})( [^\[\n]*\[)"
    rb"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}(\].*)$")


def load_source(path):
    """Splits each source line once (the only regex use); lines that do not parse are dropped."""
    pre, octs, mid, rest = [], [], [], []
    dropped = 0
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n")
            m = LINE_RE.match(line)
            if not m or RARE_IP in line:
                dropped += 1
                continue
            p = m.group(1)
            pre.append(p)
            # A source address in 203.0.113.0/24 could be perturbed into the rare IP: keep it out of .77.
            octs.append(int(m.group(2)) % 254 if p != b"203.0.113." else -1)
            mid.append(m.group(3))
            rest.append(m.group(4) + b"\n")
    if not pre:
        sys.exit(f"make-corpus: no parsable combined-log lines in {path}")
    return pre, octs, mid, rest, dropped


def zone_names(n):
    return ZONE_NAMES[:n] if n <= len(ZONE_NAMES) else ZONE_NAMES + [f"zone{i + 1}" for i in range(len(ZONE_NAMES), n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--size-mb", type=float, required=True, help="total size of all files, MiB")
    ap.add_argument("--zones", type=int, default=9, help="number of zone files (default 9)")
    ap.add_argument("--days", type=int, default=30, help="days spanned, ending 2026-11-01 (default 30)")
    ap.add_argument("--seed", type=int, default=42, help="RNG seed (default 42)")
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="combined-format source log")
    a = ap.parse_args()
    if a.size_mb <= 0 or a.zones < 1 or a.days < 1:
        ap.error("--size-mb must be > 0, --zones and --days >= 1")

    t0 = time.perf_counter()
    pre, octs, mid, rest, dropped = load_source(a.source)
    L = len(pre)
    # Expected output line length: the octet becomes 1..254 uniformly (mean 2.575 digits); the rest keeps
    # its length (the timestamp is rewritten in the same 26-character form).
    src_bytes = sum(len(pre[j]) + len(mid[j]) + 26 + len(rest[j]) for j in range(L))
    avg_len = src_bytes / L + (9 * 1 + 90 * 2 + 155 * 3) / 254
    zones = zone_names(a.zones)
    target = a.size_mb * 1024 * 1024
    nlines = [max(1, round(target / a.zones / avg_len))] * a.zones

    span = a.days * 86400
    start = END_EPOCH - span  # midnight, since span is whole days
    days = []
    for d in range(a.days + 1):
        y, mo, dd = time.gmtime(start + d * 86400)[:3]
        days.append(b"%02d/%s/%04d:" % (dd, MONTHS[mo - 1].encode(), y))
    hms = [b"%02d:%02d:%02d +0000" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
    # Octet table indexed by (original octet mod 254) + random byte: always 1..254. Sources in
    # 203.0.113.0/24 (marked -1) index oct_safe by the random byte alone, which never yields 77.
    oct_tab = [b"%d" % (k % 254 + 1) for k in range(254 + 256)]
    oct_safe = [o if o != b"77" else b"78" for o in oct_tab]

    # Rare lines: zones spread evenly over the list (0,1,3,5,7 of 9 — kzone included), distinct positions.
    rng = random.Random(f"{a.seed}:rare")
    rare = {z: set() for z in range(a.zones)}
    for k in range(RARE_COUNT):
        z = (k * a.zones) // RARE_COUNT
        while True:
            p = rng.randrange(nlines[z])
            if p not in rare[z]:
                rare[z].add(p)
                break
    # (A zone with fewer lines than its rare insertions cannot occur at any useful size.)

    os.makedirs(a.out, exist_ok=True)
    summary_path = os.path.join(a.out, "corpus.json")
    if os.path.exists(summary_path):
        os.remove(summary_path)
    files, per_file = [], []
    total_bytes = total_lines = rare_lines = 0

    for z, zone in enumerate(zones):
        n = nlines[z]
        offset = (z * L) // a.zones  # each zone starts at a different place in the source
        path = os.path.join(a.out, zone + ".log")
        fbytes = frare = 0
        cur_rep, offs = -1, None
        with open(path, "wb") as f:
            i = 0
            while i < n:
                i1 = min(n, i + CHUNK_LINES)
                pieces = []
                ext = pieces.extend
                special = [p for p in rare[z] if i <= p < i1]
                k = offset + i
                while i < i1:
                    rep, j = divmod(k, L)
                    if rep != cur_rep:
                        cur_rep = rep
                        offs = random.Random(f"{a.seed}:{z}:{rep}").randbytes(L)
                    jend = min(L, j + (i1 - i))
                    if special:
                        for jj in range(j, jend):
                            ii = i + (jj - j)
                            d, s = divmod(ii * span // n, 86400)
                            o = octs[jj]
                            ip = pre[jj] + (oct_tab[o + offs[jj]] if o >= 0 else oct_safe[offs[jj]])
                            if ii in special:
                                ext((RARE_IP, mid[jj], days[d], hms[s], rest[jj]))
                            ext((ip, mid[jj], days[d], hms[s], rest[jj]))
                    else:
                        for jj in range(j, jend):
                            d, s = divmod((i + jj - j) * span // n, 86400)
                            o = octs[jj]
                            ext((pre[jj], oct_tab[o + offs[jj]] if o >= 0 else oct_safe[offs[jj]],
                                 mid[jj], days[d], hms[s], rest[jj]))
                    i += jend - j
                    k += jend - j
                buf = b"".join(pieces)
                f.write(buf)
                fbytes += len(buf)
                if special or RARE_IP in buf:
                    frare += sum(1 for ln in buf.split(b"\n") if RARE_IP in ln)
        flines = n + len(rare[z])
        files.append(path)
        per_file.append({"zone": zone, "path": path, "bytes": fbytes, "lines": flines, "rare_ip_lines": frare})
        total_bytes += fbytes
        total_lines += flines
        rare_lines += frare

    secs = time.perf_counter() - t0
    summary = {
        "files": files,
        "zones": zones,
        "bytes": total_bytes,
        "lines": total_lines,
        "rare_ip": RARE_IP.decode(),
        "rare_ip_lines": rare_lines,
        "size_mb": a.size_mb,
        "days": a.days,
        "seed": a.seed,
        "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
        "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(END_EPOCH)),
        "source": a.source,
        "source_lines": L,
        "source_lines_dropped": dropped,
        "per_file": per_file,
        "seconds": round(secs, 3),
        "mb_per_s": round(total_bytes / 1e6 / max(secs, 1e-9), 1),
    }
    if rare_lines != RARE_COUNT:
        sys.exit(f"make-corpus: internal error: {rare_lines} lines contain {RARE_IP.decode()}, expected {RARE_COUNT}")
    text = json.dumps(summary, indent=2)
    with open(summary_path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.replace(summary_path + ".tmp", summary_path)
    print(text)


if __name__ == "__main__":
    main()
