"""An independent, pure-Python reference implementation of the report.

Used by the differential test: it shares no code with ``analytics`` (Python ``re`` and
``datetime`` instead of Spark; ``collections.Counter`` instead of DataFrames). It encodes
the documented rules of ``analytics.parse`` (see its module docstring) from scratch.

    python tests/reference.py FILE [FILE ...]   # prints the report JSON
"""

from __future__ import annotations

import gzip
import json
import math
import re
import statistics
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}

QUOTED = r'"((?:[^"\\]|\\.)*)"'
LINE = re.compile(
    r"([^\s\"]\S*) (\S+) (\S+) "
    r"\[(\d\d)/([A-Za-z]{3})/([1-9]\d\d\d):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\] "
    + QUOTED + r" (\d{3}) (\d{1,15}|-)"
    r"(?: " + QUOTED + " " + QUOTED + r"(?:\s.*)?)?\s*",
    re.ASCII | re.DOTALL,
)
COLUMNS = ["host", "ident", "user", "timestamp", "date", "hour", "method", "endpoint",
           "protocol", "status", "content_size", "referrer", "user_agent"]


def read_lines(path: str) -> list[str]:
    """Lines split on \\n only (a final \\n ends the last line), invalid UTF-8 replaced."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p.decode("utf-8", errors="replace") for p in parts]


def parse_line(line: str) -> dict | None:
    """The record of one line, or None when the line is rejected."""
    if line.endswith("\r"):
        line = line[:-1]
    m = LINE.fullmatch(line)
    if not m:
        return None
    (host, ident, user, dd, mon, yyyy, hh, mi, ss, sign, oh, om,
     request, status, size, referrer, agent) = m.groups()
    month = MONTHS.get(mon.lower())
    offset = int(oh) * 3600 + int(om) * 60
    if month is None or int(om) > 59 or offset > 18 * 3600:
        return None
    try:
        local = datetime(int(yyyy), month, int(dd), int(hh), int(mi), int(ss))
    except ValueError:
        return None
    offset = -offset if sign == "-" else offset
    instant = (local - timedelta(seconds=offset)).replace(tzinfo=timezone.utc)

    method = endpoint = protocol = None
    if request not in ("", "-"):
        words = request.split(" ")
        method = words[0] or None
        if len(words) >= 2:
            if len(words) >= 3 and words[-1].startswith("HTTP/"):
                protocol = words[-1]
                endpoint = " ".join(words[1:-1])
            else:
                endpoint = " ".join(words[1:])
            endpoint = endpoint or None
    combined = referrer is not None
    return {
        "host": host, "ident": ident, "user": user, "timestamp": instant,
        "date": local.date(), "hour": local.hour, "method": method, "endpoint": endpoint,
        "protocol": protocol, "status": int(status),
        "content_size": None if size == "-" else int(size),
        "referrer": referrer if combined else None, "user_agent": agent if combined else None,
    }


def _ranked(counter: Counter, label: str, top: int) -> list[dict]:
    items = sorted(((k, n) for k, n in counter.items() if k is not None), key=lambda kv: (-kv[1], kv[0]))
    return [{label: k, "count": n} for k, n in items[:top]]


def report(paths: list[str], top: int | None = None) -> dict:
    """The report JSON (as a dict) for the given files, by the documented rules."""
    return report_of_text([line for p in paths for line in read_lines(p)], top)


def report_for_lines(lines: list[bytes], top: int | None = None, first=None, last=None) -> dict:
    """The report JSON for raw lines (bytes, without their \\n), invalid UTF-8 replaced."""
    return report_of_text([line.decode("utf-8", errors="replace") for line in lines], top, first, last)


def report_of_text(lines: list[str], top: int | None = None, first=None, last=None) -> dict:
    """The report of ``lines``; with ``first``/``last`` (datetime.date, inclusive), of
    the records of those days only, while rejected lines, which have no date, stay
    counted over all of ``lines``."""
    recs, rejected = [], 0
    for line in lines:
        r = parse_line(line)
        if r is None:
            rejected += 1
        elif (first is None or r["date"] >= first) and (last is None or r["date"] <= last):
            recs.append(r)

    sizes = [r["content_size"] for r in recs if r["content_size"] is not None]
    hosts = Counter(r["host"] for r in recs)
    endpoints = Counter(r["endpoint"] for r in recs)
    errors = Counter(r["endpoint"] for r in recs if r["status"] != 200)
    day_hosts = defaultdict(set)
    day_requests = Counter()
    for r in recs:
        day_hosts[r["date"]].add(r["host"])
        day_requests[r["date"]] += 1
    nf = [r for r in recs if r["status"] == 404]
    nf_days = Counter(r["date"] for r in nf)
    nf_hours = Counter(r["hour"] for r in nf)
    status = Counter(r["status"] for r in recs)

    missing = {c: sum(1 for r in recs if r[c] is None) for c in COLUMNS}
    missing["rejected_lines"] = rejected
    span = {}
    if first or last:
        span["range"] = {"from": first and first.isoformat(), "to": last and last.isoformat(),
                         "whole_input": ["lines.rejected", "lines.total", "missing_values.rejected_lines"]}
    return {
        **span,
        "lines": {"total": len(recs) + rejected, "records": len(recs), "rejected": rejected},
        "content_size_stats": {
            "count": len(sizes),
            "null_count": len(recs) - len(sizes),
            "sum": sum(sizes),
            "mean": sum(sizes) / len(sizes) if sizes else None,
            "stddev": statistics.stdev(sizes) if len(sizes) >= 2 else None,
            "min": min(sizes) if sizes else None,
            "max": max(sizes) if sizes else None,
        },
        "missing_values": missing,
        "status_codes": {str(k): n for k, n in sorted(status.items(), key=lambda kv: (-kv[1], kv[0]))},
        "frequent_hosts": _ranked(hosts, "host", top or 10),
        "frequent_endpoints": _ranked(endpoints, "endpoint", top or 20),
        "top_error_endpoints": _ranked(errors, "endpoint", top or 10),
        "unique_hosts": len(hosts),
        "daily_unique_hosts": [
            {"date": d.isoformat(), "unique_hosts": len(h)} for d, h in sorted(day_hosts.items())
        ],
        "daily_requests_per_host": [
            {"date": d.isoformat(), "requests": day_requests[d], "unique_hosts": len(day_hosts[d]),
             "avg_requests_per_host": day_requests[d] / len(day_hosts[d])}
            for d in sorted(day_hosts)
        ],
        "not_found": {
            "count": len(nf),
            "top_endpoints": _ranked(Counter(r["endpoint"] for r in nf), "endpoint", top or 20),
            "top_hosts": _ranked(Counter(r["host"] for r in nf), "host", top or 20),
            "daily": [{"date": d.isoformat(), "count": n} for d, n in sorted(nf_days.items())],
            "hourly": [{"hour": h, "count": n} for h, n in sorted(nf_hours.items())],
        },
    }



def assert_same(got, want, path="report"):
    """Exact equality, except floats: relative tolerance 1e-12."""
    if isinstance(want, float) or isinstance(got, float):
        assert got is not None and math.isclose(got, want, rel_tol=1e-12), path
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), path
        for k in want:
            assert_same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]")
    else:
        assert got == want, path

if __name__ == "__main__":
    print(json.dumps(report(sys.argv[1:]), indent=2, ensure_ascii=False))
