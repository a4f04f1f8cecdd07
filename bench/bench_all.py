#!/usr/bin/env python3
"""The whole pipeline benchmarked in one run on one generated log: a table and a JSON file.

    .venv/bin/python bench/bench_all.py [--lines N] [--feed-seconds 60] [--feed-rate 20000]
                                        [--skip-goaccess] [--output-json PATH]

Needs the local stack (`make up`). On bench/data/generated_<N>.log (made once by
analytics.generate, seed 1995), in order:

  1. GoAccess, the baseline: median of 3 runs.
  2. python -m analytics run (batch) into a fresh HDFS folder: median of 3 runs, each in
     its own process (a cold Spark driver); `report` of it, cold, median of 3.
  3. kafka_producer.py alone: 1 line per message; 100 lines per message; and the original
     design (a flush after every line) on the first min(N, 20,000) lines.
  4. spark_stream.py --available-now draining the 100-lines-per-message topic of 3; what a
     user gets by default: `SPARK_CONF_DIR=conf spark-submit spark_stream.py` draining the
     1-line-per-message topic, then the packed one; through a Spark Connect server (started
     for them if `make connect` is not up): `analytics run`, `report` and the packed drain,
     median of 3 each; the packed drain on the two-worker Spark cluster (started for it if
     `make spark-cluster` is not up).
  5. End to end: the producer (100 lines per message), then the drain, timed from the
     producer's start to the drain's exit.
  6. Steady state: the stream runs at the 10 s trigger; once it has started, the producer
     feeds --feed-rate lines/s (100 per message, for --feed-seconds, or until the file
     ends).

Every stage but the Connect ones runs in its own process: a cold Spark driver.

Seconds are wall clock, process start to exit (Python and JVM start included), unless
the row says otherwise. Ratios are lines/s divided by GoAccess's lines/s in this same run.
Peak memory: the largest sum of the resident memory of a launched process and all its
descendants (the JVM of pyspark too), sampled every 0.2 s, so a run shorter than that
shows little more than its start. The Kafka topics and HDFS folders made are deleted.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stack  # noqa: E402
from bench_analytics import data_file, goaccess_cmd  # noqa: E402
from bench_producer import create_topic, delete_topics, producer_cmd, summary  # noqa: E402
from bench_stream import SPARK_SUBMIT, SPARK_SUBMIT_ENV, delete_outputs, drain, steady_state  # noqa: E402

PACK = 100                # lines per message of the packed producer runs
ORIGINAL_SLICE = 20_000   # the original producer manages ~1,000 lines/s: a slice is enough
PAGE = os.sysconf("SC_PAGE_SIZE")
# the original design's loop, run in its own process so that its memory is measured too
ORIGINAL = ("import sys, bench_producer as b; "
            "print(b.original(b.read_lines(b.Path(sys.argv[1]), int(sys.argv[2])), sys.argv[3]))")


def tree_rss(roots: list[int]) -> dict[int, int]:
    """Resident bytes of each root process plus all its descendants, from one pass over /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()  # after "(name)", which may hold spaces
        except OSError:
            continue  # it exited meanwhile
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # field 4 of stat: the parent pid
        rss[pid] = int(fields[21]) * PAGE                     # field 24: resident pages
    totals = {}
    for root in roots:
        todo, totals[root] = [root], 0
        while todo:
            pid = todo.pop()
            totals[root] += rss.get(pid, 0)
            todo += children.get(pid, [])
    return totals


def program(cmd: list[str]) -> str:
    """How a command is named in the figures: its Python script or its binary."""
    return Path(cmd[1] if cmd[0] == sys.executable else cmd[0]).stem


@dataclass
class Watched:
    name: str
    proc: subprocess.Popen
    peak: int = 0  # bytes


class PeakMemory:
    """Starts processes and keeps the peak resident memory of each one's process tree."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.lock = threading.Lock()
        self.watched: list[Watched] = []
        threading.Thread(target=self._sample, daemon=True).start()

    def popen(self, cmd: list[str], name: str | None = None, **kwargs) -> subprocess.Popen:
        """subprocess.Popen, watched until it exits; named after its script or binary."""
        proc = subprocess.Popen(cmd, **kwargs)
        with self.lock:
            self.watched.append(Watched(name or program(cmd), proc))
        return proc

    def take(self) -> dict[str, int]:
        """Peak MiB of the processes started since the last take, by name (the largest of a
        name). A process still running stays watched, for the next take."""
        with self.lock:
            done = self.watched
            self.watched = [w for w in done if w.proc.poll() is None]
        peaks: dict[str, int] = {}
        for w in done:
            if w.proc.poll() is None:
                continue
            peaks[w.name] = max(peaks.get(w.name, 0), round(w.peak / 2**20))
        return peaks

    def _sample(self) -> None:
        while True:
            with self.lock:
                live = [w for w in self.watched if w.proc.returncode is None]
            if live:
                sizes = tree_rss([w.proc.pid for w in live])
                for w in live:
                    w.peak = max(w.peak, sizes[w.proc.pid])
            time.sleep(self.interval)


class Scratch:
    """This run's Kafka topics and HDFS folders, all deleted at the end."""

    def __init__(self):
        self.id = uuid.uuid4().hex[:8]
        self.folder = f"{stack.HDFS_URI}/bench/all-{self.id}"
        self.topics: list[str] = []

    def topic(self, stage: str) -> str:
        self.topics.append(f"bench-all-{self.id}-{stage}")
        return self.topics[-1]

    def output(self, stage: str) -> str:
        return f"{self.folder}/{stage}"

    def delete(self) -> None:
        if self.topics:
            delete_topics(self.topics)
        delete_outputs([self.folder])


def run(memory: PeakMemory, cmd: list[str], name: str | None = None, **kwargs) -> tuple[float, str]:
    """Run a command to its end, watched: (wall clock seconds, its stdout). Stops everything on failure."""
    started = time.monotonic()
    proc = memory.popen(cmd, name, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, **kwargs)
    stdout, stderr = proc.communicate()
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"{name or program(cmd)} failed (exit {proc.returncode}):\n{stderr[-2000:]}")
    return seconds, stdout


def row(label: str, seconds: float | None, lines: int | None, peak: dict[str, int] | None, **extra) -> dict:
    return {"stage": label, "seconds": None if seconds is None else round(seconds, 2), "lines": lines,
            "lines_per_s": round(lines / seconds) if seconds and lines else None, "peak_mib": peak, **extra}


def goaccess(memory: PeakMemory, log: Path, lines: int, skip: bool) -> dict:
    binary = shutil.which("goaccess")
    if skip or not binary:
        if not skip:
            print("  goaccess not found: no GoAccess figures and no ratios (Debian: apt-get install goaccess)")
        return row("GoAccess (skipped)" if skip else "GoAccess (not installed)", None, None, None)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[2].rstrip(".")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "goaccess.json"
        for i in range(3):
            seconds, _ = run(memory, goaccess_cmd(binary, log, report))
            runs.append(seconds)
            print(f"  run {i + 1}: {seconds:.2f} s", flush=True)
        valid = json.loads(report.read_text())["general"]["valid_requests"]
    if valid != lines:
        print(f"  warning: GoAccess counted {valid:,} of the {lines:,} lines as valid")
    return row(f"GoAccess {version}, median of 3", statistics.median(runs), lines, memory.take(),
               runs=[round(s, 2) for s in runs], valid_requests=valid)


def batch(memory: PeakMemory, log: Path, lines: int, output: str, label: str, env: dict | None = None) -> dict:
    runs = []
    for i in range(3):  # about 20 s a run at 2M lines, and runs differ by up to 10 %
        seconds, out = run(memory, [sys.executable, "-m", "analytics", "run", str(log), "--output", output,
                                    "--overwrite"], name="analytics run", env={**os.environ, **(env or {})})
        runs.append(seconds)
        print(f"  run {i + 1}: {seconds:.1f} s ({out.strip()})", flush=True)
    return row(f"{label}, median of 3", statistics.median(runs), lines, memory.take(), runs=[round(s, 2) for s in runs])


def report(memory: PeakMemory, output: str, label: str, env: dict | None = None) -> dict:
    runs = []
    for _ in range(3):
        seconds, _ = run(memory, [sys.executable, "-m", "analytics", "report", "--output", output, "--format", "json"],
                         name="analytics report", env={**os.environ, **(env or {})})
        runs.append(seconds)
    print(f"  report: {', '.join(f'{s:.2f}' for s in runs)} s", flush=True)
    return row(f"{label}, median of 3", statistics.median(runs), None, memory.take(), runs=[round(s, 2) for s in runs])


def producer(memory: PeakMemory, log: Path, topic: str, label: str, *flags) -> dict:
    seconds, out = run(memory, producer_cmd(log, topic, *flags))
    own = summary(out)
    print(f"  {label}: {seconds:.1f} s, {own['rate']:,.0f} lines/s by its own timer", flush=True)
    return row(label, seconds, own["lines"], memory.take(), messages=own["messages"],
               own_seconds=own["elapsed"], own_lines_per_s=round(own["rate"]))


def original(memory: PeakMemory, log: Path, lines: int, topic: str) -> dict:
    n = min(lines, ORIGINAL_SLICE)
    create_topic(topic)
    seconds, out = run(memory, [sys.executable, "-c", ORIGINAL, str(log), str(n), topic], name="original",
                       env={**os.environ, "PYTHONPATH": str(ROOT / "bench")})
    print(f"  original: {seconds:.1f} s for {n:,} lines, {float(out):,.0f} lines/s in its send loop", flush=True)
    return row(f"original producer (flush per line, {n:,}-line slice)", seconds, n, memory.take(),
               loop_lines_per_s=round(float(out)))


def drains(memory: PeakMemory, topic: str, lines: int, outputs: list[str], label: str, **how) -> list[dict]:
    """Drain the topic into each output in turn: a row for the median wall clock and one for
    the median time inside the batches. ``how``: :func:`bench_stream.drain`'s env, flags, launcher."""
    walls, inside = [], []
    for i, output in enumerate(outputs):
        wall, in_batches = drain(topic, output, lines, popen=memory.popen, **how)
        walls.append(wall)
        inside.append(in_batches)
        print(f"  drain {i + 1}: {wall:.1f} s wall clock, {in_batches:.1f} s in its batches", flush=True)
    times = f"median of {len(walls)}" if len(walls) > 1 else "one run"
    return [row(f"{label}, {times}", statistics.median(walls), lines, memory.take(),
                runs=[round(s, 2) for s in walls]),
            row("  same, time inside its batches", statistics.median(inside), lines, None,
                runs=[round(s, 2) for s in inside])]


def end_to_end(memory: PeakMemory, log: Path, lines: int, topic: str, output: str, label: str) -> dict:
    """The producer (packed), then the drain: seconds from the producer's start to the drain's exit."""
    started = time.monotonic()
    run(memory, producer_cmd(log, topic, "--lines-per-message", PACK))
    produced = time.monotonic() - started
    drain(topic, output, lines, popen=memory.popen)
    seconds = time.monotonic() - started
    print(f"  {label}: {seconds:.1f} s ({produced:.1f} s producing, {seconds - produced:.1f} s draining)",
          flush=True)
    return row(f"end to end, {label}", seconds, lines, memory.take(), producing_seconds=round(produced, 2))


def steady(memory: PeakMemory, scratch: Scratch, stage: str, log: Path, rate: int, seconds: int, label: str) -> list[dict]:
    found = steady_state(scratch.topic(stage), scratch.output(stage), log, rate, seconds, PACK,
                         popen=memory.popen)
    for batch_id, lines, took in found:
        print(f"  batch {batch_id}: {lines:,} lines in {took:.1f} s", flush=True)
    durations = [took for _, lines, took in found if lines]
    if not durations:
        sys.exit("steady state: the stream reported no batch with lines")
    return [row(f"steady state, {label}: median batch", statistics.median(durations), None, memory.take(),
                batches=[{"batch": b, "lines": lines, "seconds": took} for b, lines, took in found]),
            row("  same, slowest batch", max(durations), None, None)]


def machine() -> dict:
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line for line in f if line.startswith("MemTotal:")).split()[1])
    java = Path(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else "java"  # as pyspark
    java_version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.split("\n")[0]
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT)
    return {"cores": os.cpu_count(), "memory_gib": round(mem_kib / 2**20, 1), "os": platform.platform(),
            "python": platform.python_version(), "java": java_version, "commit": commit.stdout.strip(),
            "load_average_start": round(os.getloadavg()[0], 2)}


def print_table(rows: list[dict]) -> None:
    print(f"\n{'stage':<76} {'seconds':>8} {'lines/s':>10} {'vs GoAccess':>11}  peak MiB")
    for r in rows:
        seconds = "-" if r["seconds"] is None else f"{r['seconds']:.1f}"
        rate = "-" if r["lines_per_s"] is None else f"{r['lines_per_s']:,}"
        ratio = "-" if r.get("ratio_vs_goaccess") is None else f"{r['ratio_vs_goaccess']:.3f}x"
        peaks = r["peak_mib"] or {}
        # a row with two processes names them: the producer's and the stream's peaks
        peak = f"{next(iter(peaks.values())):,}" if len(peaks) == 1 else \
            ", ".join(f"{name} {mib:,}" for name, mib in peaks.items()) or "-"
        print(f"{r['stage']:<76} {seconds:>8} {rate:>10} {ratio:>11}  {peak}")


@contextlib.contextmanager
def running(group: str):
    """The stack's ``group`` ("connect", "spark-cluster") running for the block: started for
    it, and stopped after, unless it was running already."""
    ready = {"connect": stack.services.connect_ready, "spark-cluster": stack.services.spark_cluster_ready}[group]
    started = not ready()
    if started:
        stack.services.up(group=group)
    try:
        yield
    finally:
        if started:
            for service in reversed(stack.services.services((group,))):
                stack.services.stop(service)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=2_000_000, metavar="N",
                        help="lines of the generated log every stage uses (make: SCALE; default 2,000,000)")
    parser.add_argument("--feed-seconds", type=int, default=60,
                        help="how long the steady-state feed lasts (make: FEED_SECONDS; default 60)")
    parser.add_argument("--feed-rate", type=int, default=20_000, metavar="LINES_PER_S",
                        help="lines/s fed during the steady state (default 20,000)")
    parser.add_argument("--skip-goaccess", action="store_true", help="no GoAccess runs, so no ratios")
    parser.add_argument("--output-json", type=Path, metavar="PATH",
                        help="where the results go (default bench/results/bench-<N>.json)")
    args = parser.parse_args()
    output_json = args.output_json or ROOT / "bench" / "results" / f"bench-{args.lines}.json"
    if not (stack.kafka_ready() and stack.hdfs_ready()):
        sys.exit("the local stack is not up: `make up` first")

    log = data_file(args.lines)
    n = args.lines
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "lines": n,
               "input": {"file": str(log.relative_to(ROOT)), "bytes": log.stat().st_size},
               "machine": machine(),
               "settings": {"lines_per_message": PACK, "feed_rate": args.feed_rate,
                            "feed_seconds": args.feed_seconds, "trigger_seconds": 10}}
    print(f"input: {log.relative_to(ROOT)}, {n:,} lines; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    memory, scratch = PeakMemory(), Scratch()
    try:
        print("[1/6] GoAccess, 3 runs", flush=True)
        rows = [goaccess(memory, log, n, args.skip_goaccess)]

        print("[2/6] python -m analytics run (batch) into HDFS", flush=True)
        batch_output = scratch.output("batch")
        rows.append(batch(memory, log, n, batch_output, "python -m analytics run (batch)"))
        rows.append(report(memory, batch_output, "python -m analytics report, cold (no Spark: pyarrow and WebHDFS)"))
        print("[3/6] kafka_producer.py alone", flush=True)
        one = scratch.topic("one")
        rows.append(producer(memory, log, one, "kafka_producer.py, 1 line/message"))
        packed = scratch.topic("packed")
        rows.append(producer(memory, log, packed, f"kafka_producer.py, {PACK} lines/message",
                             "--lines-per-message", PACK))
        rows.append(original(memory, log, n, scratch.topic("original")))

        print(f"[4/6] spark_stream.py --available-now draining the {PACK}-lines/message topic", flush=True)
        rows += drains(memory, packed, n, [scratch.output("drain")],
                       "python spark_stream.py --available-now, drain")
        print("[4/6] the defaults a user gets: spark-submit, cold, the 1-line-per-message topic; then packed",
              flush=True)
        submit = {"launcher": SPARK_SUBMIT, "env": {**os.environ, **SPARK_SUBMIT_ENV}}
        rows += drains(memory, one, n, [scratch.output("drain-submit")],
                       "SPARK_CONF_DIR=conf spark-submit spark_stream.py --available-now, 1 line/message", **submit)
        rows += drains(memory, packed, n, [scratch.output("drain-submit-packed")],
                       f"same, the {PACK}-lines/message topic", **submit)
        print("[4/6] through a Spark Connect server: analytics run and the packed drain, 3 of each", flush=True)
        with running("connect"):
            through_connect = {**os.environ, "SPARK_REMOTE": stack.services.SPARK_REMOTE}
            rows.append(batch(memory, log, n, scratch.output("batch-connect"),
                              "python -m analytics run through Spark Connect (SPARK_REMOTE, a warm server)",
                              env=through_connect))
            rows.append(report(memory, scratch.output("batch-connect"), "python -m analytics report with SPARK_REMOTE set (pyarrow "
                               "either way: no Spark), cold", env=through_connect))
            rows += drains(memory, packed, n, [scratch.output(f"drain-connect-{i}") for i in range(3)],
                           "spark_stream.py --available-now through Spark Connect, packed topic",
                           env=through_connect)
        print("[4/6] on the two-worker Spark cluster: the packed drain", flush=True)
        with running("spark-cluster"):
            rows += drains(memory, packed, n, [scratch.output("drain-cluster")],
                           "spark_stream.py --available-now on the two-worker cluster, packed topic",
                           flags=("--master", stack.services.SPARK_MASTER))

        print(f"[5/6] end to end: the producer ({PACK} lines/message), then the drain", flush=True)
        rows.append(end_to_end(memory, log, n, scratch.topic("e2e"), scratch.output("e2e"),
                               "stream"))

        fed = min(n, args.feed_rate * args.feed_seconds)
        print(f"[6/6] steady state: {args.feed_rate:,} lines/s fed for {args.feed_seconds} s, 10 s trigger",
              flush=True)
        if fed < args.feed_rate * args.feed_seconds:
            print(f"  the file ends first: {fed:,} lines, {fed / args.feed_rate:.1f} s of feed")
        rows += steady(memory, scratch, "steady", log, args.feed_rate, args.feed_seconds,
                       f"{args.feed_rate:,} lines/s fed, stream")
    finally:
        scratch.delete()

    base = rows[0]["lines_per_s"]
    for r in rows:
        r["ratio_vs_goaccess"] = round(r["lines_per_s"] / base, 4) if base and r["lines_per_s"] else None
    results["machine"]["load_average_end"] = round(os.getloadavg()[0], 2)
    results["stages"] = rows
    print_table(rows)
    output_json.parent.mkdir(parents=True, exist_ok=True)
    output_json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwritten: {output_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
