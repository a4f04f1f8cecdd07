"""Synthetic NASA-like access logs, millions of lines in seconds.

    python -m analytics.generate OUT_FILE --lines N [--seed S] [--format common|combined]
                                 [--malformed F] [--days D] [--zipf A] [--start TIME]

Lines look like the NASA Kennedy Space Center logs of July 1995::

    in24.inetnebr.com - - [01/Jul/1995:00:00:01 -0400] "GET /shuttle/countdown/ HTTP/1.0" 200 4324

Hosts and endpoints follow a Zipf law over their pools (rank k drawn with weight k**-A);
statuses are mostly 200, then 304, 302, about 1 % 404 (drawn from a pool of missing
paths), rarely 403 and 500; timestamps rise monotonically through D days from --start.
``--malformed F`` replaces exactly round(F * N) lines by truncated lines, garbage, bad
timestamps, a ``-`` status or blank lines, all of which :func:`analytics.parse.parse`
rejects. The same seed and arguments give byte-identical output (numpy is pinned in
requirements.txt because numpy does not promise the same random streams across releases).
``--malformed`` and ``--format`` leave the other lines unchanged: each has its own stream.

From Python: ``generate(path, lines, seed=...)`` returns a summary dict.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

DEFAULT_START = "01/Jul/1995:00:00:00 -0400"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHUNK = 100_000  # lines per write; part of the output's definition (the draws are per chunk)

# (status, probability); 200 takes the rest. Close to NASA Jul95, with 404 a little higher.
STATUSES = ((304, 0.07), (302, 0.025), (404, 0.01), (403, 0.0005), (500, 0.0005))
# request shapes: GET ... HTTP/1.0 takes the rest
REQUESTS = (("HEAD", " HTTP/1.0", 0.004), ("POST", " HTTP/1.0", 0.001), ("GET", "", 0.001))
DASH_200 = 0.002  # 200s logged without a size, as some CGI replies were
MALFORMED_KINDS = ("truncated", "garbage", "bad timestamp", "bad status", "blank")
# indexes of the drawn categories: 0 is the leftover (200, GET ... HTTP/1.0)
STATUS_TEXT = ("200", *(str(s) for s, _ in STATUSES))
OK, REDIRECT, NOT_FOUND = (STATUS_TEXT.index(s) for s in ("200", "302", "404"))
HEAD = 1 + [m for m, _, _ in REQUESTS].index("HEAD")

# The head of NASA's endpoint ranking, with the sizes the real files had; the rest of the
# pool is generated and shuffled behind them.
TOP_ENDPOINTS = (
    ("/images/NASA-logosmall.gif", 786), ("/images/KSC-logosmall.gif", 1204),
    ("/images/MOSAIC-logosmall.gif", 363), ("/images/USA-logosmall.gif", 234),
    ("/images/WORLD-logosmall.gif", 669), ("/images/ksclogo-medium.gif", 5866),
    ("/ksc.html", 7280), ("/history/apollo/images/apollo-logo1.gif", 1173),
    ("/images/launch-logo.gif", 1713), ("/", 7280), ("/images/ksclogosmall.gif", 3635),
    ("/shuttle/countdown/", 4324), ("/shuttle/missions/missions.html", 8677),
    ("/images/launchmedium.gif", 11853), ("/htbin/cdt_main.pl", 3092),
    ("/shuttle/countdown/count.gif", 40310), ("/shuttle/missions/sts-71/mission-sts-71.html", 13450),
    ("/history/apollo/apollo-13/apollo-13.html", 18114), ("/history/apollo/apollo.html", 3260),
    ("/shuttle/countdown/liftoff.html", 4538), ("/history/history.html", 1602),
    ("/shuttle/missions/sts-70/mission-sts-70.html", 10771),
)
TOP_MISSING = (
    "/pub/winvn/readme.txt", "/pub/winvn/release.txt", "/shuttle/missions/STS-69/mission-STS-69.html",
    "/images/nasa-logo.gif", "/shuttle/missions/sts-68/ksc-upclose.gif",
    "/history/apollo/sa-1/sa-1-patch-small.gif", "/images/crawlerway-logo.gif",
    "/elv/DELTA/uncons.htm", "/history/apollo/a-001/a-001-patch-small.gif",
    "/shuttle/resources/orbiters/atlantis.gif", "/history/apollo/pad-abort-test-1/images/",
)
TOP_HOSTS = ("piweba3y.prodigy.com", "piweba4y.prodigy.com", "alyssa.prodigy.com",
             "piweba1y.prodigy.com", "siltb10.orl.mmc.com", "edams.ksc.nasa.gov")
HOST_PREFIXES = ("ppp", "slip", "pm", "dial", "port", "ts", "max", "line", "ip", "async", "news", "gw")
HOST_WORDS = ("titan", "zeus", "orion", "mac", "pc", "sun", "hp", "vax", "lab", "dec", "sparc", "unix")
SYLLABLES = ("net", "com", "tel", "link", "star", "web", "sys", "info", "data", "cyber", "north",
             "south", "tech", "uni", "city", "inter", "micro", "ix", "bay", "sky", "delta", "pro")
TLDS = ("com", "com", "com", "net", "net", "edu", "edu", "gov", "org", "de", "co.uk", "ca",
        "ac.jp", "com.au", "fr", "se", "nl", "it", "ch", "mil")
AGENTS = (
    "Mozilla/1.1N (Windows; I; 16bit)", "Mozilla/1.0N (Windows)", "NCSA Mosaic/2.0 (Windows x86)",
    "Mozilla/1.1N (Macintosh; I; 68K)", "Mozilla/1.1N (X11; I; SunOS 4.1.3 sun4m)",
    "NCSA_Mosaic/2.6 (X11;IRIX 5.3 IP22)", "Lynx/2.3 BETA libwww/2.14", "IBM WebExplorer DLL /v1.03",
    "Mozilla/1.22 (compatible; MSIE 2.0; Windows 95)", "MacWeb/1.00ALPHA3  libwww/2.13",
    "Enhanced_Mosaic/2.00 Win32 Spyglass/7", "Prodigy-WB/1.3e", "AIR_Mosaic(16bit)/v3.10",
    "WebCrawler/3.0 Robot libwww/3.0", "Lycos_Spider_(T-Rex)", "Mozilla/2.0b1 (X11; I; Linux 1.2.8 i486)",
)
REFERRERS = ("http://www.yahoo.com/Science/Space/", "http://www.nasa.gov/",
             "http://webcrawler.com/cgi-bin/WebQuery", "http://www.lycos.com/cgi-bin/pursuit")
GARBAGE = ("Connection reset by peer", "<html><head><title>400 Bad Request</title></head>",
           "\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00", "-- MARK --", "GET /index.html HTTP/1.0",
           "[error] [client 128.159.1.1] File does not exist: /usr/local/etc/httpd/htdocs")


def _zipf_cdf(n: int, a: float) -> np.ndarray:
    """Cumulative probabilities of ranks 1..n under a power law with exponent a: a finite
    support, so the top rank's share is what the pool size and a make it (numpy's zipf
    is unbounded and needs a > 1)."""
    cdf = np.cumsum(np.arange(1, n + 1, dtype=np.float64) ** -a)
    return cdf / cdf[-1]


def _draw(rng: np.random.Generator, cdf: np.ndarray, k: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(k), side="right"), len(cdf) - 1)


def _choices(rng: np.random.Generator, items, k: int) -> list:
    return [items[i] for i in rng.integers(0, len(items), k)]


def _unique(make, n: int, rng: np.random.Generator, first=()) -> list[str]:
    """n distinct strings: ``first``, then batches of ``make(rng, k)`` until there are n."""
    seen = dict.fromkeys(first)
    while len(seen) < n:
        seen.update(dict.fromkeys(make(rng, n - len(seen))))
    return list(seen)[:n]


def _hosts(rng: np.random.Generator, n: int) -> list[str]:
    """Dial-up and campus names, IPv4 addresses and a few bare names, as in NASA's logs."""
    domains = [f"{a}{b}.{t}" for a, b, t in zip(_choices(rng, SYLLABLES, 3000),
                                                 _choices(rng, SYLLABLES, 3000), _choices(rng, TLDS, 3000))]

    def make(rng, k):
        kind = rng.random(k)
        num = rng.integers(1, 1000, (k, 4)).tolist()
        pre, word, dom = _choices(rng, HOST_PREFIXES, k), _choices(rng, HOST_WORDS, k), _choices(rng, domains, k)
        out = []
        for i in range(k):
            a, b, c, d = num[i]
            if kind[i] < 0.30:
                out.append(f"{pre[i]}{a}.{['dialup', 'ix', 'slip'][b % 3]}{c % 50}.{dom[i]}")
            elif kind[i] < 0.60:
                out.append(f"{word[i]}{a % 100:02d}.{dom[i]}")
            elif kind[i] < 0.95:
                out.append(f"{a % 254 + 1}.{b % 256}.{c % 256}.{d % 254 + 1}")
            else:
                out.append(f"{word[i]}{a % 100:02d}{'abcdefgh'[b % 8]}")  # no dot, like titan02f
        return out

    return _unique(make, n, rng, TOP_HOSTS)


def _endpoints(rng: np.random.Generator) -> tuple[list[str], list[int]]:
    """The site's pages and images, ranked (TOP_ENDPOINTS first), with a fixed size each."""
    paths = []
    for m in range(1, 78):
        base = f"/shuttle/missions/sts-{m}/"
        paths += [base, f"{base}mission-sts-{m}.html", f"{base}sts-{m}-patch-small.gif",
                  f"{base}sts-{m}-patch.jpg", f"{base}sts-{m}-info.html", f"{base}news/", f"{base}images/"]
        paths += [f"{base}news/sts-{m}-mcc-{k:02d}.txt" for k in range(1, 16)]
        paths += [f"{base}images/KSC-95EC-{k:04d}.gif" for k in rng.integers(1, 2000, 8)]
    for m in range(1, 18):
        base = f"/history/apollo/apollo-{m}/"
        paths += [base, f"{base}apollo-{m}.html", f"{base}apollo-{m}-patch-small.gif",
                  f"{base}apollo-{m}-info.html", f"{base}images/", f"{base}docs/", f"{base}sounds/"]
    for orbiter in ("columbia", "challenger", "discovery", "atlantis", "endeavour", "enterprise"):
        paths += [f"/shuttle/resources/orbiters/{orbiter}.html", f"/shuttle/resources/orbiters/{orbiter}-logo.gif"]
    paths += [f"/facilities/{f}.html" for f in ("lc39a", "lc39b", "vab", "mlp", "tour", "spsc", "oc")]
    paths += [f"/elv/{r}/{r.lower()}.html" for r in ("ATLAS_CENTAUR", "DELTA", "TITAN", "SCOUT")]
    paths += [f"/history/mercury/ma-{m}/ma-{m}.html" for m in range(3, 10)]
    paths += [f"/history/gemini/gemini-{m}/gemini-{m}.html" for m in range(1, 13)]
    paths += [f"/shuttle/technology/sts-newsref/{s}.html" for s in ("stsref-toc", "sts_asm", "mission_profile",
                                                                    "sts-eclss-wm", "sts-rcs", "sts-gnc")]
    paths += [f"/software/winvn/{s}" for s in ("winvn.html", "winvn.gif", "wvsmall.gif", "bluemarb.gif")]
    top = [p for p, _ in TOP_ENDPOINTS]
    rest = [p for p in dict.fromkeys(paths) if p not in top]
    rest = [rest[i] for i in rng.permutation(len(rest))]
    # median bytes and spread (log scale) by kind of file
    shape = {".gif": (4000, 1.0), ".jpg": (60000, 0.6), ".txt": (2500, 0.4), ".html": (6000, 0.6), "/": (4000, 0.4)}
    sizes = []
    for p in rest:
        median, sigma = next(v for k, v in shape.items() if p.endswith(k))
        sizes.append(int(median * math.exp(sigma * rng.standard_normal())) + 100)
    return top + rest, [s for _, s in TOP_ENDPOINTS] + sizes


def _missing(rng: np.random.Generator, endpoints: list[str]) -> list[str]:
    """Paths that 404: NASA's usual suspects, then misspellings of real ones."""
    def make(rng, k):
        mangle = (lambda p: p.upper(), lambda p: p.replace(".html", ".htm"),
                  lambda p: p.replace("sts-", "sts"), lambda p: p.rstrip("/") + "~")
        return [mangle[i](endpoints[j]) for i, j in zip(rng.integers(0, len(mangle), k),
                                                         rng.integers(1, len(endpoints), k))]

    found = set(endpoints)
    return [p for p in _unique(make, 400, rng, TOP_MISSING) if p not in found]


def _parse_start(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        raise ValueError(f"start must look like {DEFAULT_START!r}, got {text!r}") from None


class _Pools:
    """Everything drawn once per seed: hosts (with a browser each), endpoints, sizes."""

    def __init__(self, rng: np.random.Generator, zipf: float, hosts: int):
        self.hosts = np.array(_hosts(rng, hosts), dtype=object)
        self.host_cdf = _zipf_cdf(hosts, zipf)
        good, sizes = _endpoints(rng)
        missing = _missing(rng, good)
        self.n_good = len(good)
        self.good_cdf, self.missing_cdf = _zipf_cdf(len(good), zipf), _zipf_cdf(len(missing), zipf)
        paths = good + missing
        self.sizes = np.array(sizes + [0] * len(missing), dtype=np.int64)
        # one request string per (shape, path): index shape * len(paths) + path
        shapes = [("GET", " HTTP/1.0")] + [(m, p) for m, p, _ in REQUESTS]
        self.requests = np.array([f'"{m} {p}{proto}"' for m, proto in shapes for p in paths], dtype=object)
        self.n_paths = len(paths)
        agents = np.array([f'"{a}"' for a in AGENTS], dtype=object)
        self.agent_of_host = agents[_draw(rng, _zipf_cdf(len(AGENTS), 1.0), hosts)]  # one browser per host
        pages = [p for p in good if p.endswith(("/", ".html"))]
        self.referrers = np.array(['"-"'] + [f'"http://www.ksc.nasa.gov{p}"' for p in pages]
                                  + [f'"{r}"' for r in REFERRERS], dtype=object)
        self.referrer_cdf = _zipf_cdf(len(self.referrers) - 1, zipf)


def _category(rng: np.random.Generator, probs: np.ndarray, k: int) -> np.ndarray:
    """i + 1 with probability probs[i], 0 with the probability left over."""
    i = np.searchsorted(np.cumsum(probs), rng.random(k), side="right")
    return np.where(i < len(probs), i + 1, 0)


def _mangle(rng: np.random.Generator, kind: int, host: str, day: str, clock: str, request: str,
            rest: str) -> str:
    """A malformed line, built from the pieces of the normal one it replaces."""
    name = MALFORMED_KINDS[kind]
    if name == "truncated":  # cut before the status: any such prefix is incomplete
        head = f"{host} - - [{day}{clock}{request}"
        return head[: int(rng.integers(1, len(head)))]
    if name == "garbage":
        return GARBAGE[int(rng.integers(0, len(GARBAGE)))]
    if name == "bad timestamp":  # day 32, hour 24 or minute 60: the right shape, no real instant
        which = int(rng.integers(0, 3))
        if which == 0:
            day = "32" + day[2:]
        else:
            clock = ("24" + clock[2:]) if which == 1 else (clock[:3] + "60" + clock[5:])
        return f"{host} - - [{day}{clock}{request} {rest}"
    if name == "bad status":
        return f"{host} - - [{day}{clock}{request} - {rest.split(' ', 1)[1]}"
    return ""


@contextmanager
def _output(path):
    """A binary stream to ``path``: stdout for ``-``; a ``.gz`` path is gzip with a fixed
    header (no name, mtime 0) so that it is byte-identical too. A file is written under a
    temporary name and renamed at the end: an interrupted run leaves no half file that a
    cache (bench/) would take for a finished one."""
    if str(path) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as raw:
            if path.name.endswith(".gz"):
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
                    yield gz
            else:
                yield raw
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _time_tables(first: datetime, last_second: int) -> tuple[np.ndarray, np.ndarray]:
    """Text of every day (``01/Jul/1995:``) the span touches and of every second of a day
    (``00:00:01 -0400] ``): a timestamp is two lookups instead of a strftime."""
    midnight = first.replace(hour=0, minute=0, second=0)
    first_second = first.hour * 3600 + first.minute * 60 + first.second
    days = [midnight + timedelta(days=k) for k in range((first_second + last_second) // 86400 + 1)]
    zone = first.strftime("%z")
    return (np.array([f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}:" for d in days], dtype=object),
            np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} {zone}] " for s in range(86400)],
                     dtype=object))


def generate(path, lines: int, seed: int = 1995, *, format: str = "common", malformed: float = 0.0,
             days: float = 31, zipf: float = 1.05, start: str = DEFAULT_START, hosts: int = 80_000) -> dict:
    """Write ``lines`` synthetic log lines to ``path`` (``-`` is stdout, ``*.gz`` gzip);
    ``hosts`` is the size of the host pool. Returns ``{"lines", "malformed",
    "malformed_kinds", "bytes", "seconds", "path"}``; ``bytes`` is the uncompressed size."""
    began = time.monotonic()
    if lines < 0:
        raise ValueError("lines must be >= 0")
    if not 0.0 <= malformed <= 1.0:
        raise ValueError("malformed must be in [0, 1]")
    if not (days > 0 and math.isfinite(days)):
        raise ValueError("days must be > 0")
    if not (zipf >= 0 and math.isfinite(zipf)):
        raise ValueError("zipf must be >= 0")
    if format not in ("common", "combined"):
        raise ValueError("format must be 'common' or 'combined'")
    if seed < 0 or hosts < len(TOP_HOSTS):
        raise ValueError(f"seed must be >= 0 and hosts >= {len(TOP_HOSTS)}")
    first = _parse_start(start)
    streams = np.random.SeedSequence(seed).spawn(4)
    pool_rng, line_rng, extra_rng, bad_rng = (np.random.default_rng(s) for s in streams)
    pools = _Pools(pool_rng, zipf, hosts)
    span = days * 86400.0
    last_second = math.ceil(span) - 1
    day_text, clock_text = _time_tables(first, last_second)
    first_second = first.hour * 3600 + first.minute * 60 + first.second
    status_p = np.array([p for _, p in STATUSES])
    shape_p = np.array([p for _, _, p in REQUESTS])

    n_bad = round(malformed * lines)
    bad_at = np.sort(bad_rng.choice(lines, n_bad, replace=False)) if n_bad else np.zeros(0, np.int64)
    bad_kind = bad_rng.integers(0, len(MALFORMED_KINDS), n_bad)
    kinds = dict.fromkeys(MALFORMED_KINDS, 0)
    written = 0
    with _output(path) as out:
        for lo in range(0, lines, CHUNK):
            k = min(CHUNK, lines - lo)
            # Stratified: each chunk covers its share of the span, with sorted uniform
            # draws inside it. Monotonic, even in expectation, and no pass over all N lines.
            t0, t1 = span * lo / lines, span * (lo + k) / lines
            second = np.minimum((t0 + np.sort(line_rng.random(k)) * (t1 - t0)).astype(np.int64), last_second)
            second += first_second
            host = _draw(line_rng, pools.host_cdf, k)
            status = _category(line_rng, status_p, k)
            path_i = np.where(status == NOT_FOUND, pools.n_good + _draw(line_rng, pools.missing_cdf, k),
                              _draw(line_rng, pools.good_cdf, k))
            shape = _category(line_rng, shape_p, k)
            size = np.where(status == OK, np.where(shape == HEAD, 0, pools.sizes[path_i]), -1)
            size[(status == OK) & (line_rng.random(k) < DASH_200)] = -1
            size = np.where(status == REDIRECT, line_rng.integers(80, 320, k), size)  # a short body
            size_text = size.astype(object)
            size_text[size < 0] = "-"
            rest = [f"{STATUS_TEXT[s]} {z}" for s, z in zip(status.tolist(), size_text.tolist())]
            if format == "combined":
                ref = np.where(extra_rng.random(k) < 0.5, 0, 1 + _draw(extra_rng, pools.referrer_cdf, k))
                rest = [f"{r} {f} {a}" for r, f, a in zip(rest, pools.referrers[ref].tolist(),
                                                          pools.agent_of_host[host].tolist())]
            cols = (pools.hosts[host].tolist(), day_text[second // 86400].tolist(),
                    clock_text[second % 86400].tolist(), pools.requests[shape * pools.n_paths + path_i].tolist())
            text = [f"{h} - - [{d}{c}{r} {t}" for h, d, c, r, t in zip(*cols, rest)]
            for j in range(np.searchsorted(bad_at, lo), np.searchsorted(bad_at, lo + k)):
                i, kind = int(bad_at[j]) - lo, int(bad_kind[j])
                text[i] = _mangle(bad_rng, kind, *(c[i] for c in cols), rest[i])
                kinds[MALFORMED_KINDS[kind]] += 1
            data = ("\n".join(text) + "\n").encode()
            out.write(data)
            written += len(data)
    return {"lines": lines, "malformed": n_bad, "malformed_kinds": kinds, "bytes": written,
            "seconds": round(time.monotonic() - began, 3), "path": str(path)}


def _arg(kind, check, message):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {kind.__name__} value: {text!r}") from None
        if not check(value):
            raise argparse.ArgumentTypeError(f"{message}, got {text}")
        return value
    return parse


def _start(text):
    try:
        _parse_start(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m analytics.generate",
        description="Write synthetic NASA-like access-log lines (Common or Combined Log Format): "
                    "Zipf-distributed hosts and endpoints, a realistic status mix, timestamps rising "
                    "through --days from --start, optionally a fraction of malformed lines. "
                    "The same seed and arguments give byte-identical output.")
    ap.add_argument("out", metavar="OUT_FILE", help="file to write; '-' for stdout; a .gz name is gzipped")
    ap.add_argument("--lines", required=True, type=_arg(int, lambda v: v >= 0, "must be >= 0"),
                    help="number of lines")
    ap.add_argument("--seed", type=_arg(int, lambda v: v >= 0, "must be >= 0"), default=1995,
                    help="random seed (default 1995)")
    ap.add_argument("--format", choices=("common", "combined"), default="common",
                    help="common: NASA's format; combined: plus quoted referrer and user agent (default common)")
    ap.add_argument("--malformed", type=_arg(float, lambda v: 0 <= v <= 1, "must be in [0, 1]"), default=0.0,
                    metavar="F", help="fraction of lines to make malformed: truncated, garbage, bad timestamp, "
                                      "status '-', blank (default 0)")
    ap.add_argument("--days", type=_arg(float, lambda v: 0 < v < math.inf, "must be > 0"), default=31.0,
                    help="days the timestamps span (default 31)")
    ap.add_argument("--zipf", type=_arg(float, lambda v: 0 <= v < math.inf, "must be >= 0"), default=1.05,
                    metavar="A",
                    help="Zipf exponent of the host and endpoint popularity; 0 is uniform (default 1.05)")
    ap.add_argument("--start", type=_start, default=DEFAULT_START, metavar="TIME",
                    help=f"first timestamp, in the log's own format (default {DEFAULT_START!r})")
    args = ap.parse_args(argv)
    try:
        s = generate(args.out, args.lines, args.seed, format=args.format, malformed=args.malformed,
                     days=args.days, zipf=args.zipf, start=args.start)
    except BrokenPipeError:  # e.g. piped into head: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:
        print(f"generate: {e}", file=sys.stderr)
        return 1
    print(f"generate: {s['lines']:,} lines ({s['malformed']:,} malformed), {s['bytes']:,} bytes in "
          f"{s['seconds']:.1f} s -> {s['path']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
