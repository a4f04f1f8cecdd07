"""Benchmark: `python -m analytics run` vs GoAccess vs a bare Python regex loop.

    .venv/bin/python bench/bench_analytics.py [--lines 2000000] [--skip-goaccess]

Generates (once) bench/data/generated_<N>.log with `python -m analytics.generate` (seed
1995): NASA-like Common Log Format lines, Zipf-distributed hosts and endpoints, timestamps
rising through July 1995 (-0400). Then times, side by side on the same file, each tool end
to end (process start to exit) and prints lines/s and the ratios.
This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "data"
CLF = re.compile(rb'^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)')
sys.path.insert(0, str(ROOT))

from analytics.generate import generate  # noqa: E402


def data_file(lines: int) -> Path:
    """bench/data/generated_<N>.log, made once and reused by all three benchmarks."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"generated_{lines}.log"
    if not path.exists():
        s = generate(path, lines)
        print(f"generated {path} ({s['bytes'] / 1e6:.0f} MB) in {s['seconds']:.1f} s", flush=True)
    return path


def goaccess_cmd(binary: str, log: Path, report: Path) -> list[str]:
    """GoAccess on a Common Log Format file, writing a JSON report. --no-ip-validation: the
    generated hosts are names, as in NASA's log, and without it GoAccess counts about 3 lines
    in 4 as invalid and skips them, which is less work than ours."""
    return [binary, str(log), "--log-format=COMMON", "--no-ip-validation", "--no-global-config",
            "-o", str(report)]


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

    log = data_file(args.lines)
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
        secs, res = timed(goaccess_cmd(goaccess, log, OUT / "goaccess.json"))
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
