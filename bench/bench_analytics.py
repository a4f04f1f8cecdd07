"""Benchmark: `python -m analytics run` vs GoAccess vs a bare Python regex loop.

    .venv/bin/python bench/bench_analytics.py [--lines 2000000] [--skip-goaccess]

Generates (once) bench/data/nasa_style_<N>.log: NASA-style Common Log Format lines made by
resampling real requests (status, size) from the NASA and elastic files in
../shared/data, with hosts drawn from a skewed pool of ~60k names and addresses and
timestamps advancing through July 1995 (-0400). Then times, side by side on the same
file, each tool end to end (process start to exit) and prints lines/s and the ratios.
This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("LOG_ANALYTICS_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench" / "data"
CLF = re.compile(rb'^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)')
MONTH_DAYS = 31


def real_requests() -> list[tuple[str, str, str]]:
    """(request, status, size) of every real NASA and elastic line."""
    out = []
    for name in ("nasa_Aug95_first100.log.gz", "elastic_apache_logs_2015-05.log.gz"):
        with gzip.open(DATA / name, "rb") as fh:
            for raw in fh:
                m = CLF.match(raw)
                if m:
                    out.append((m.group(5).decode(), m.group(6).decode(), m.group(7).decode()))
    return out


def host_pool(rng: random.Random, n: int = 60000) -> list[str]:
    tlds = ["com", "net", "edu", "gov", "org", "de", "uk", "ca", "jp", "au"]
    words = ["ppp", "dialup", "slip", "pm", "gw", "proxy", "www", "ix", "mac", "pc", "host"]
    hosts = []
    for i in range(n):
        r = rng.random()
        if r < 0.45:
            hosts.append(f"{rng.choice(words)}{rng.randint(1, 999)}.{rng.choice(words)}{i % 997}.{rng.choice(tlds)}")
        elif r < 0.95:
            hosts.append(".".join(str(rng.randint(1, 254)) for _ in range(4)))
        else:
            hosts.append(f"{rng.choice(words)}{i}")  # hosts without a dot, as in NASA's logs
    return hosts


def generate(path: Path, lines: int, seed: int = 1995) -> None:
    rng = random.Random(seed)
    reqs = real_requests()
    hosts = host_pool(rng)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(hosts))]
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    step = MONTH_DAYS * 86400 / lines
    t = 0.0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        batch = []
        chosen_hosts = rng.choices(hosts, cum_weights=cum, k=lines)
        chosen_reqs = rng.choices(reqs, k=lines)
        for i in range(lines):
            t += rng.expovariate(1.0 / step)
            s = int(t)
            day, rem = divmod(s, 86400)
            day = min(day, MONTH_DAYS - 1)
            hh, rem = divmod(rem, 3600)
            mm, ss = divmod(rem, 60)
            req, status, size = chosen_reqs[i]
            batch.append(f'{chosen_hosts[i]} - - [{day + 1:02d}/Jul/1995:{hh:02d}:{mm:02d}:{ss:02d} -0400] '
                         f'"{req}" {status} {size}\n')
            if len(batch) >= 100000:
                fh.writelines(batch)
                batch.clear()
        fh.writelines(batch)
    tmp.rename(path)


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.monotonic() - start, res


def python_regex_loop(path: Path) -> tuple[float, int]:
    start = time.monotonic()
    n = 0
    with open(path, "rb") as fh:
        for raw in fh:
            m = CLF.match(raw)
            if m:
                m.groups()
                n += 1
    return time.monotonic() - start, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--skip-goaccess", action="store_true")
    args = ap.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"nasa_style_{args.lines}.log"
    if not log.exists():
        t = time.monotonic()
        generate(log, args.lines)
        print(f"generated {log} ({log.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - t:.0f}s")
    n = args.lines
    results = {}

    out = OUT / "out"
    shutil.rmtree(out, ignore_errors=True)
    secs, res = timed([sys.executable, "-m", "analytics", "run", str(log), "--output", str(out)], cwd=ROOT)
    if res.returncode != 0:
        print(res.stdout, res.stderr, file=sys.stderr)
        return 1
    print(f"analytics run: {res.stdout.strip()}")
    results["analytics run (Spark local[2], wall clock incl. JVM start)"] = secs
    inner = re.search(r"seconds=([\d.]+)", res.stdout)

    goaccess = shutil.which("goaccess")
    if goaccess and not args.skip_goaccess:
        secs, res = timed([goaccess, str(log), "--log-format=COMMON", "--no-global-config",
                           "-o", str(OUT / "goaccess.json")])
        if res.returncode == 0:
            results["GoAccess (--log-format=COMMON, JSON report)"] = secs
        else:
            print("goaccess failed:", res.stderr.strip()[:300], file=sys.stderr)
    elif not args.skip_goaccess:
        print("goaccess not installed (apt-get install -y goaccess); skipped", file=sys.stderr)

    secs, matched = python_regex_loop(log)
    results["bare Python regex loop (fields only, no analytics)"] = secs

    print(f"\n{n:,} lines, {log.stat().st_size / 1e6:.0f} MB, {os.cpu_count()} cores")
    base = results.get("GoAccess (--log-format=COMMON, JSON report)")
    for name, secs in results.items():
        ratio = f"  {n / secs / (n / base):.2f}x GoAccess" if base else ""
        print(f"  {name:58s} {secs:7.1f}s {n / secs:12,.0f} lines/s{ratio}")
    if inner:
        print(f"  (analytics run's own timer, from Spark start: {float(inner.group(1)):.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
