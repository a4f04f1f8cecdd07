#!/usr/bin/env python3
"""The highest multiple of GoAccess's rate that a running stream keeps up with.

    .venv/bin/python bench/bench_sustained.py [--lines 1000000] [--multiples 0.25,0.5,1,2,3]
                                              [--feed-seconds 30] [--trigger-seconds 10]

Needs the local stack (`make up`) and GoAccess (`make goaccess`). GoAccess reads the
generated bench file (bench/data/generated_<lines>.log) three times; its median rate R is
the unit. Then, for each multiple k, smallest first: a fresh `python spark_stream.py`
(the defaults: 10 s trigger, warm-up) starts on an empty topic; once its query runs,
kafka_producer.py feeds it k x R lines/s, 100 lines per message (the file again and again
if the feed needs more lines than it has), for --feed-seconds; then the stream is watched
until it has caught up (a batch that ends with no message behind), for at most 60 s.

A multiple is *kept up* when every batch after the first ends within the trigger and the
stream catches up within 20 s of the feed's end. The first batch is left out: it starts
when the feed does. Prints each run's batches, its verdict, and the highest multiple kept
up; the multiples after the first one not kept up are not run. Writes
bench/results/sustained-<lines>.json. Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stack  # noqa: E402
from bench_all import machine  # noqa: E402
from bench_analytics import data_file, goaccess_cmd  # noqa: E402
from bench_producer import create_topic, delete_topics, producer_cmd  # noqa: E402
from bench_stream import delete_outputs, stream  # noqa: E402

PACK = 100
CATCH_UP_S = 20  # the stream must have caught up this soon after the feed ends
WATCH_S = 60     # how long to wait for it after the feed
BATCH = re.compile(r"^batch (\d+): ([\d,]+) lines, ([\d,]+) rejected, ([\d.]+) s, [\d,]+ lines/s"
                   r"(?:, ([\d,]+) messages behind)?")


def goaccess_rate(log: Path, lines: int) -> tuple[float, list[float]]:
    binary = shutil.which("goaccess")
    if not binary:
        sys.exit("goaccess not found: `make goaccess` (Debian: apt-get install goaccess)")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            started = time.monotonic()
            subprocess.run(goaccess_cmd(binary, log, Path(tmp) / "goaccess.json"), check=True, capture_output=True)
            runs.append(time.monotonic() - started)
    return lines / statistics.median(runs), runs


class Lines(threading.Thread):
    """The job's stdout, each line with the monotonic time it arrived."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe, self.seen = pipe, []

    def run(self) -> None:
        for line in self.pipe:
            self.seen.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, prefix: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(line.startswith(prefix) for _, line in self.seen):
                return True
            time.sleep(0.2)
        return False

    def batches(self) -> list[dict]:
        found = []
        for at, line in self.seen:
            if match := BATCH.match(line):
                found.append({"batch": int(match[1]), "lines": int(match[2].replace(",", "")),
                              "seconds": float(match[4]), "at": at,
                              "behind": None if match[5] is None else int(match[5].replace(",", ""))})
        return found


def run_at(log: Path, file_lines: int, rate: int, feed_seconds: int, trigger: int) -> dict:
    """One fresh stream fed ``rate`` lines/s for ``feed_seconds``: its batches and verdict."""
    topic = f"bench-sustained-{uuid.uuid4().hex[:8]}"
    output = f"{stack.HDFS_URI}/bench/{topic}"
    create_topic(topic)
    copies = max(1, math.ceil(rate * feed_seconds / file_lines))
    try:
        with tempfile.TemporaryFile("w+") as spark_log:
            job = subprocess.Popen(stream(topic, output, "--trigger-seconds", str(trigger)), stdout=subprocess.PIPE,
                                   stderr=spark_log, text=True, cwd=ROOT, start_new_session=True)
            out = Lines(job.stdout)
            out.start()
            if not out.wait_for(f"stream: {topic} at ", 300):
                job.kill()
                spark_log.seek(0)
                sys.exit(f"the stream did not start:\n{spark_log.read()[-2000:]}")
            fed_at = time.monotonic()
            feeder = subprocess.Popen(producer_cmd(log, topic, "--rate", rate, "--lines-per-message", PACK,
                                                   *[log] * (copies - 1)),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                feeder.wait(feed_seconds)
            except subprocess.TimeoutExpired:
                feeder.send_signal(signal.SIGTERM)
                feeder.wait(60)
            fed_until = time.monotonic()
            deadline = fed_until + WATCH_S
            while time.monotonic() < deadline and not any(
                    b["at"] > fed_until and b["behind"] == 0 for b in out.batches()):
                time.sleep(0.5)
            job.send_signal(signal.SIGTERM)
            job.wait(120)
            out.join(10)
    finally:
        delete_topics([topic])
        delete_outputs([output])
    done = [b for b in out.batches() if b["lines"]]
    warmed = next((float(m[1]) for _, line in out.seen if (m := re.match(r"stream: warmed up in ([\d.]+) s", line))), None)
    caught = next((b["at"] - fed_until for b in done if b["at"] > fed_until and b["behind"] == 0), None)
    after_first = done[1:]
    fed = sum(b["lines"] for b in done)
    kept_up = (bool(after_first) and all(b["seconds"] <= trigger for b in after_first)
               and caught is not None and caught <= CATCH_UP_S)
    return {"rate": rate, "warm_up_s": warmed, "fed_lines": fed, "feed_seconds": round(fed_until - fed_at, 1),
            "fed_rate": round(fed / (fed_until - fed_at)), "caught_up_after_feed_s": None if caught is None else round(caught, 1),
            "kept_up": kept_up,
            "batches": [{k: b[k] for k in ("batch", "lines", "seconds", "behind")} for b in done]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, metavar="N",
                        help="lines of the generated bench file (default 1,000,000)")
    parser.add_argument("--multiples", default="0.25,0.5,1,2,3", metavar="K,K,...",
                        help="multiples of GoAccess's rate to feed, smallest first (default 0.25,0.5,1,2,3)")
    parser.add_argument("--feed-seconds", type=int, default=30, help="how long each feed lasts (default 30)")
    parser.add_argument("--trigger-seconds", type=int, default=10, help="the stream's trigger (default 10)")
    args = parser.parse_args()
    if not (stack.kafka_ready() and stack.hdfs_ready()):
        sys.exit("the local stack is not up: `make up` first")
    multiples = sorted(float(k) for k in args.multiples.split(","))
    log = data_file(args.lines)

    unit, runs = goaccess_rate(log, args.lines)
    print(f"GoAccess on {log.relative_to(ROOT)}: {', '.join(f'{s:.1f}' for s in runs)} s -> {unit:,.0f} lines/s "
          f"(the unit)", flush=True)
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "lines": args.lines, "goaccess_seconds": [round(s, 2) for s in runs], "goaccess_lines_per_s": round(unit),
               "feed_seconds": args.feed_seconds, "trigger_seconds": args.trigger_seconds, "runs": []}
    best = None
    for k in multiples:
        rate = round(k * unit)
        print(f"{k:g}x GoAccess: {rate:,} lines/s for {args.feed_seconds} s", flush=True)
        run = {"multiple": k, **run_at(log, args.lines, rate, args.feed_seconds, args.trigger_seconds)}
        results["runs"].append(run)
        for b in run["batches"]:
            print(f"  batch {b['batch']}: {b['lines']:,} lines in {b['seconds']:.1f} s, {b['behind']} messages behind")
        print(f"  warm-up {run['warm_up_s']} s; fed {run['fed_lines']:,} lines in {run['feed_seconds']} s "
              f"({run['fed_rate']:,} lines/s); caught up "
              f"{run['caught_up_after_feed_s']} s after the feed; {'kept up' if run['kept_up'] else 'NOT kept up'}",
              flush=True)
        if not run["kept_up"]:
            break
        best = k
    results["highest_multiple_kept_up"] = best
    print(f"sustained: the highest multiple of GoAccess kept up is {best if best is not None else 'none'}"
          f"{f'x ({best * unit:,.0f} lines/s)' if best else ''}")
    path = ROOT / "bench" / "results" / f"sustained-{args.lines}.json"
    path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
