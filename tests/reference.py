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
from decimal import Decimal

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
# a method is an HTTP token (RFC 9110); the bytes of a TLS handshake are none
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", re.ASCII)
COLUMNS = ["host", "ident", "user", "timestamp", "date", "hour", "method", "endpoint",
           "protocol", "status", "content_size", "referrer", "user_agent",
           "vhost", "port", "time_served_us", "forwarded_for"]
EXTRA = {"vhost": None, "port": None, "time_served_us": None, "forwarded_for": None}

# The named formats that are not Common/Combined, as their servers' documentation writes
# them (Apache's mod_log_config "Common Log Format with Virtual Host", Debian's
# vhost_combined; Traefik's CLF with its request count, router, server and duration; IIS's
# default W3C fields; CloudFront's standard log fields; the AWS Classic and Application
# Load Balancer entries), in Apache's directives, with %{hostport}h (host:port, the host
# kept), %{absolute}r (http://host:port/path: host and port are the vhost's) and the
# W3C/CloudFront date and time fields.
NAMED = {
    "vcommon": '%v %h %l %u %t "%r" %>s %b',
    "vcombined": '%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
    "traefikclf": '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %k "%{router}e" "%{server}e" %{ms}Tms',
    "w3c": "%{%Y-%m-%d}t %{%H:%M:%S}t %A %m %U %q %p %u %h %{User-Agent}i %{Referer}i %>s %{sub}e %{win32}e %{ms}T",
    "cloudfront": "\t".join(["%{%Y-%m-%d}t", "%{%H:%M:%S}t", "%{x}e", "%O", "%h", "%m", "%{x}e", "%U", "%>s",
                             "%{Referer}i", "%{User-Agent}i", "%q", "%{x}e", "%{x}e", "%{x}e", "%V", "%{x}e",
                             "%{x}e", "%T", "%{X-Forwarded-For}i", "%{x}e", "%{x}e", "%{x}e", "%H"]),
    "awselb": '%{%Y-%m-%dT%H:%M:%S%z}t %{x}e %{hostport}h %{x}e %{x}e %T %{x}e %>s %{x}e %{x}e %O '
              '"%{absolute}r" "%{User-Agent}i"',
    "awsalb": '%{x}e %{%Y-%m-%dT%H:%M:%S%z}t %{x}e %{hostport}h %{x}e %{x}e %T %{x}e %>s %{x}e %{x}e %O '
              '"%{absolute}r" "%{User-Agent}i"',
}
#: formats whose files carry # header lines (#Version:, #Fields:), which are not entries
HEADERS = {"w3c", "cloudfront"}


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


def parse_line(line: str, log_format: str = "combined") -> dict | None:
    """The record of one line in ``log_format`` (``combined``/``common``, a name of
    :data:`NAMED`, or an Apache ``LogFormat`` / nginx ``log_format`` string), or None
    when the line is rejected."""
    if line.endswith("\r"):
        line = line[:-1]
    if log_format in HEADERS and line.startswith("#"):
        return None
    if log_format in ("caddy", "nginx-json"):
        return _parse_json(line, log_format)
    if log_format not in ("combined", "common"):
        return _parse_by_format(line, NAMED.get(log_format, log_format))
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

    method, endpoint, protocol = _request(request)
    combined = referrer is not None
    return {
        "host": host, "ident": ident, "user": user, "timestamp": instant,
        "date": local.date(), "hour": local.hour, "method": method, "endpoint": endpoint,
        "protocol": protocol, "status": int(status),
        "content_size": None if size == "-" else int(size),
        "referrer": referrer if combined else None, "user_agent": agent if combined else None,
        **EXTRA,
    }


def _request(request: str) -> tuple:
    method = endpoint = protocol = None
    if request not in ("", "-"):
        words = request.split(" ")
        method = words[0] if TOKEN.fullmatch(words[0]) else None
        if len(words) >= 2:
            if len(words) >= 3 and words[-1].startswith("HTTP/"):
                protocol = words[-1]
                endpoint = " ".join(words[1:-1])
            else:
                endpoint = " ".join(words[1:])
            endpoint = endpoint or None
    return method, endpoint, protocol


# A format string becomes one regex: each directive a named group, the text between them
# literal. Which group a directive fills (the rest are skipped):
APACHE_FIELDS = {"h": "host", "a": "host", "l": "ident", "u": "user", "t": "clf_time", "r": "request",
                 "s": "status", "b": "size", "B": "size", "O": "size", "v": "vhost", "V": "vhost",
                 "p": "port", "D": "served_us", "T": "served_s", "m": "method", "U": "uri", "q": "query",
                 "H": "protocol",
                 "{referer}i": "referrer", "{user-agent}i": "user_agent", "{x-forwarded-for}i": "forwarded_for",
                 "{ms}T": "served_ms", "{us}T": "served_us", "{s}T": "served_s", "{sec}t": "epoch_s",
                 "{msec}t": "epoch_ms", "{usec}t": "epoch_us", "{host}i": "vhost",
                 "{%Y-%m-%d}t": "w3c_date", "{%H:%M:%S}t": "w3c_time", "{%Y-%m-%dT%H:%M:%S%z}t": "iso_time",
                 "{hostport}h": "hostport", "{absolute}r": "absolute"}
NGINX_FIELDS = {"remote_addr": "host", "remote_user": "user", "time_local": "clf_time_bare",
                "time_iso8601": "iso_time", "msec": "epoch_s", "request": "request", "status": "status",
                "body_bytes_sent": "size", "bytes_sent": "size", "http_referer": "referrer",
                "http_user_agent": "user_agent", "http_x_forwarded_for": "forwarded_for",
                "request_time": "served_s", "host": "vhost", "server_name": "vhost", "http_host": "vhost",
                "server_port": "port", "request_method": "method", "request_uri": "uri", "uri": "uri",
                "args": "query", "server_protocol": "protocol"}
DIRECTIVE = re.compile(r"%[<>!0-9,]*(\{[^}]*\})?([a-zA-Z%])|\$\{?([A-Za-z0-9_]+)\}?")


def format_regex(fmt: str) -> re.Pattern:
    """The regex of an Apache or nginx format string (``\\"`` in an Apache string is a quote)."""
    apache = "%" in fmt
    if apache:
        fmt = fmt.replace('\\"', '"')
    pieces = []  # ("lit", text) or ("field", group name or None)
    at = 0
    for m in DIRECTIVE.finditer(fmt):
        if apache and m.group(3) or not apache and m.group(3) is None:
            continue
        pieces.append(("lit", fmt[at:m.start()]))
        at = m.end()
        if apache and m.group(2) == "%":
            pieces.append(("lit", "%"))
            continue
        if apache:
            name, letter = m.group(1), m.group(2)
            group = APACHE_FIELDS.get(name.lower() + letter if name and letter in "ie" else (name or "") + letter)
            group = group or (APACHE_FIELDS.get(letter) if name is None else None)
            if letter == "t" and name is None:
                group = "clf_time"
        else:
            group = NGINX_FIELDS.get(m.group(3))
        pieces.append(("field", group))
    pieces.append(("lit", fmt[at:]))
    pieces = [p for p in pieces if p != ("lit", "")]
    out, seen = [], set()
    for k, (kind, value) in enumerate(pieces):
        if kind == "lit":
            out.append(re.escape(value))
            continue
        before = pieces[k - 1][1] if k and pieces[k - 1][0] == "lit" else ""
        after = pieces[k + 1][1] if k + 1 < len(pieces) and pieces[k + 1][0] == "lit" else ""
        if value == "clf_time":
            pre, inner, post = r"\[", r"[^\]]{26}", r"\]"
        elif value == "clf_time_bare":
            pre, inner, post = "", r".{26}", ""
        elif before.endswith('"') and after.startswith('"'):
            pre, inner, post = "", r'(?:[^"\\]|\\.)*', ""
        else:
            pre, inner, post = "", rf"[^\s{re.escape(after[0]) if after else ''}]*", ""
        named = value and value not in seen
        seen.add(value)
        body = pre + (f"(?P<{value}>" if named else "(?:") + inner + ")" + post
        out.append(body)
    return re.compile("".join(out) + r"(?:\s.*)?", re.DOTALL | re.ASCII)


def _clf_time(text: str):
    m = re.fullmatch(r"(\d\d)/([A-Za-z]{3})/([1-9]\d\d\d):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)", text, re.ASCII)
    if not m:
        return None
    dd, mon, yyyy, hh, mi, ss, sign, oh, om = m.groups()
    month = MONTHS.get(mon.lower())
    if month is None or int(om) > 59 or int(oh) * 60 + int(om) > 18 * 60:
        return None
    try:
        local = datetime(int(yyyy), month, int(dd), int(hh), int(mi), int(ss))
    except ValueError:
        return None
    offset = (int(oh) * 3600 + int(om) * 60) * (-1 if sign == "-" else 1)
    return local, (local - timedelta(seconds=offset)).replace(tzinfo=timezone.utc)


def _iso_time(text: str):
    """(local time as written, instant) of ``yyyy-mm-ddTHH:MM:SS[.f][Z|+hh:mm|+hhmm]``."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(Z|[+-]\d\d:?\d\d)?", text,
                     re.ASCII)
    if not m:
        return None
    yyyy, mo, dd, hh, mi, ss, zone = m.groups()
    if int(yyyy) < 1000:
        return None
    try:
        local = datetime(int(yyyy), int(mo), int(dd), int(hh), int(mi), int(ss))
    except ValueError:
        return None
    offset = 0
    if zone and zone != "Z":
        oh, om = int(zone[1:3]), int(zone[-2:])
        if om > 59 or oh * 60 + om > 18 * 60:
            return None
        offset = (oh * 3600 + om * 60) * (-1 if zone[0] == "-" else 1)
    return local, (local - timedelta(seconds=offset)).replace(tzinfo=timezone.utc)


def _micros(text: str, unit: int):
    """A decimal count of units as whole microseconds (digits past the microsecond dropped)."""
    if not re.fullmatch(r"\d{1,15}(?:\.\d{1,18})?", text, re.ASCII):
        return None
    return int(Decimal(text) * unit)


def _parse_json(line: str, log_format: str) -> dict | None:
    """A JSON line by Python's json module: Caddy's keys, or nginx's named as its variables."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None

    def text(v):
        if isinstance(v, list):
            v = v[0] if v else None
        if v is None or isinstance(v, (dict, list)):
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        return v if isinstance(v, str) else json.dumps(v)

    def get(*path):
        v = obj
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        return text(v)

    if log_format == "caddy":
        ts, request = get("ts"), ["request"]
        micros = _micros(ts, 10**6) if ts else None
        if micros is None:
            return None
        instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=micros // 10**6)
        local = instant.replace(tzinfo=None)
        fields = dict(host=get(*request, "client_ip") or get(*request, "remote_ip"), user=get("user_id") or None,
                      method=get(*request, "method") or None, endpoint=get(*request, "uri") or None,
                      protocol=get(*request, "proto") or None, status=get("status"), size=get("size"),
                      referrer=get(*request, "headers", "Referer"), user_agent=get(*request, "headers", "User-Agent"),
                      forwarded_for=get(*request, "headers", "X-Forwarded-For"), vhost=get(*request, "host"),
                      served=get("duration"), port=None)
    else:
        if get("time_local") is not None:
            t = _clf_time(get("time_local"))
        elif get("time_iso8601") is not None:
            t = _iso_time(get("time_iso8601"))
        elif get("msec") is not None and _micros(get("msec"), 10**6) is not None:
            instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=_micros(get("msec"), 10**6) // 10**6)
            t = instant.replace(tzinfo=None), instant
        else:
            t = None
        if t is None:
            return None
        local, instant = t
        if get("request") is not None:
            method, endpoint, protocol = _request(get("request"))
        else:
            method, endpoint, protocol = (None if v in (None, "", "-") else v for v in
                                          (get("request_method"), get("request_uri") or get("uri"),
                                           get("server_protocol")))
        fields = dict(host=get("remote_addr"), user=get("remote_user") or None, method=method, endpoint=endpoint,
                      protocol=protocol, status=get("status"),
                      size=get("body_bytes_sent") if get("body_bytes_sent") is not None else get("bytes_sent"),
                      referrer=get("http_referer") if get("http_referer") is not None else get("http_referrer"),
                      user_agent=get("http_user_agent"), forwarded_for=get("http_x_forwarded_for"),
                      vhost=get("host") or get("server_name") or get("http_host"), served=get("request_time"),
                      port=get("server_port"))
    status, size = fields["status"], fields["size"]
    if status is None or not re.fullmatch(r"\d{3}", status, re.ASCII):
        return None
    if size is not None and size != "-" and not re.fullmatch(r"\d{1,15}", size, re.ASCII):
        return None
    vhost = fields["vhost"]
    port = int(fields["port"]) if fields["port"] and re.fullmatch(r"\d{1,5}", fields["port"], re.ASCII) else None
    if vhost is not None:
        v = re.fullmatch(r"(.+):(\d{1,5})", vhost, re.ASCII | re.DOTALL)
        if v and (":" not in v.group(1) or v.group(1).startswith("[")):
            vhost, port = v.group(1), int(v.group(2))
    served = _micros(fields["served"], 10**6) if fields["served"] is not None else None
    return {
        "host": fields["host"], "ident": None, "user": fields["user"], "timestamp": instant, "date": local.date(),
        "hour": local.hour, "method": fields["method"], "endpoint": fields["endpoint"], "protocol": fields["protocol"],
        "status": int(status), "content_size": None if size in (None, "-") else int(size),
        "referrer": fields["referrer"], "user_agent": fields["user_agent"], "vhost": vhost, "port": port,
        "time_served_us": served, "forwarded_for": fields["forwarded_for"],
    }


def _host(g: dict):
    """The client: %h as written, or the host of a host:port."""
    if g.get("hostport") is None:
        return g.get("host")
    m = re.fullmatch(r"(.+):(\d{1,5})", g["hostport"], re.ASCII | re.DOTALL)
    return m.group(1) if m else g["hostport"]


def _parse_by_format(line: str, fmt: str) -> dict | None:
    m = format_regex(fmt).fullmatch(line)
    if not m or not line.strip():
        return None
    g = m.groupdict()
    if g.get("clf_time") is not None or g.get("clf_time_bare") is not None:
        t = _clf_time(g.get("clf_time") or g.get("clf_time_bare"))
        if t is None:
            return None
        local, instant = t
    elif g.get("w3c_date") is not None:
        clock = "00:00:00" if g.get("w3c_time") is None else g["w3c_time"]  # None: the format has no time field
        t = _iso_time(f"{g['w3c_date']}T{clock}Z")
        if t is None or len(g["w3c_date"]) != 10 or len(clock) != 8:
            return None
        local, instant = t
    elif g.get("iso_time") is not None:
        t = _iso_time(g["iso_time"])
        if t is None:
            return None
        local, instant = t
    else:
        unit = {"epoch_s": 10**6, "epoch_ms": 10**3, "epoch_us": 1}
        name = next(n for n in unit if g.get(n) is not None)
        micros = _micros(g[name], unit[name])
        if micros is None:
            return None
        instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=micros // 10**6)
        local = instant.replace(tzinfo=None)
    status = g.get("status")
    if status is not None and not re.fullmatch(r"\d{3}", status, re.ASCII):
        return None
    size = g.get("size")
    if size is not None and size != "-" and not re.fullmatch(r"\d{1,15}", size, re.ASCII):
        return None
    served = None
    for name, unit in (("served_us", 1), ("served_ms", 1000), ("served_s", 10**6)):
        if g.get(name) not in (None, "-", "-1"):  # -1: AWS's "no response to time"
            served = _micros(g[name], unit)
            if served is None:
                return None
    vhost, port = g.get("vhost"), g.get("port")
    if "request" in g:
        method, endpoint, protocol = _request(g["request"])
    elif "absolute" in g:
        method, endpoint, protocol = _request(g["absolute"])
        url = re.fullmatch(r"https?://([^/]*)(/.*)?", endpoint or "", re.DOTALL)
        if url:
            vhost, endpoint = url.group(1), url.group(2) or "/"
    else:
        method, protocol = g.get("method"), g.get("protocol")
        method, protocol = (None if v in ("", "-") else v for v in (method, protocol))
        endpoint = None if g.get("uri") in (None, "", "-") else g["uri"]
        query = g.get("query")
        if endpoint and query not in (None, "", "-"):
            endpoint += query if query.startswith("?") else "?" + query
    port = int(port) if port is not None and re.fullmatch(r"\d{1,5}", port, re.ASCII) else None
    if vhost is not None:
        v = re.fullmatch(r"(.+):(\d{1,5})", vhost, re.ASCII | re.DOTALL)
        if v and (":" not in v.group(1) or v.group(1).startswith("[")):
            vhost, port = v.group(1), int(v.group(2))
    return {
        "host": _host(g), "ident": g.get("ident"), "user": g.get("user"), "timestamp": instant,
        "date": local.date(), "hour": local.hour, "method": method, "endpoint": endpoint,
        "protocol": protocol, "status": None if status is None else int(status),
        "content_size": None if size in (None, "-") else int(size),
        "referrer": g.get("referrer"), "user_agent": g.get("user_agent"),
        "vhost": vhost, "port": port, "time_served_us": served, "forwarded_for": g.get("forwarded_for"),
    }


def _ranked(counter: Counter, label: str, top: int) -> list[dict]:
    items = sorted(((k, n) for k, n in counter.items() if k is not None), key=lambda kv: (-kv[1], kv[0]))
    return [{label: k, "count": n} for k, n in items[:top]]


def report(paths: list[str], top: int | None = None, log_format: str = "combined") -> dict:
    """The report JSON (as a dict) for the given files in ``log_format``, by the documented rules."""
    return report_of_text([line for p in paths for line in read_lines(p)], top, log_format=log_format)


def report_for_lines(lines: list[bytes], top: int | None = None, first=None, last=None) -> dict:
    """The report JSON for raw lines (bytes, without their \\n), invalid UTF-8 replaced."""
    return report_of_text([line.decode("utf-8", errors="replace") for line in lines], top, first, last)


def report_of_text(lines: list[str], top: int | None = None, first=None, last=None,
                   log_format: str = "combined") -> dict:
    """The report of ``lines``; with ``first``/``last`` (datetime.date, inclusive), of
    the records of those days only, while rejected lines, which have no date, stay
    counted over all of ``lines``."""
    recs, rejected = [], 0
    for line in lines:
        r = parse_line(line, log_format)
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
