#!/usr/bin/env python3
"""Does a micro-batch's cost grow with the history? Small batches before and after a large one.

    .venv/bin/python bench/bench_history.py [--days 6] [--lines-per-day 1000000]
                                            [--small-batches 10] [--small-batch-lines 1000] [--keep]

Needs the local stack (`make up`). Everything goes into ONE fresh HDFS output,
<HDFS>/bench/history-<id>, fed by one fresh Kafka topic (2 partitions), both deleted at
the end (the output is kept with --keep). One topic for the three runs: the stream's
checkpoint, <output>/_checkpoint, is bound to its topic, and the state's version=N
directories are numbered by batch id, which only a single checkpoint keeps increasing.
Each run publishes its lines first, then drains them with spark_stream.py --available-now
in its own process, so the runs' batch ids follow each other.

  1. Empty history: --small-batches x --small-batch-lines lines of day D0, one line per
     Kafka message, drained with --max-offsets-per-trigger --small-batch-lines, so one
     batch per --small-batch-lines lines.
  2. The history: --days days (D1..Dn) x --lines-per-day lines, every line with its own host
     (h<day>-<i>), so the state holds days x lines-per-day (date, host) keys. Published
     100 lines per message, day after day, and drained with --max-offsets-per-trigger
     set to one day's messages: each batch is one day (1,000,000 lines at the defaults).
  3. A new day D(n+1) after the history: the same small batches as run 1, same output.
  4. The report over the whole history, then --from D --to D for the last day of the
     history (--lines-per-day keys), each in its own (cold) process.

Prints the median of the last five small batches of run 1 and run 3 and their ratio
(run 3 / run 1, target <= 1.2), the peak memory of each run's process tree (the Python
driver plus its JVM: the largest sum of their resident memory, sampled every 0.2 s) and
its ratio (target <= 1.2), the wall clock times, and the report times. Asserts nothing.
Log lines are NCSA Common Log Format, -0400, timestamps spread over each line's own day.
The results go to bench/results/history-<days x lines-per-day>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stack  # noqa: E402
from bench_all import PeakMemory, machine  # noqa: E402
from bench_producer import BOOTSTRAP, create_topic, delete_topics  # noqa: E402
from bench_stream import batches, delete_outputs, stream  # noqa: E402

PACK = 100           # lines per Kafka message of run 2
PARTITIONS = 2
FIRST_DAY = dt.date(1995, 7, 1)  # D0, run 1's day; the history follows it, then run 3's day
ZONE = "-0400"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
ENDPOINTS = [f"/page/{k}.html" for k in range(40)] + [f"/images/{k}.gif" for k in range(20)] + ["/", "/history/"]


# --- the lines -------------------------------------------------------------------

def status_and_size(i: int) -> str:
    """Mostly 200; some 304 (no size), 404 and 500."""
    k = i % 100
    if k < 2:
        return "404 -"
    if k == 2:
        return f"500 {i % 700}"
    if k < 10:
        return "304 -"
    return f"200 {1000 + i % 9000}"


def day_lines(tag: int, day: dt.date, n: int):
    """n Common Log Format lines of ``day``, each from its own host h<tag>-<i>, their local
    times (as written) spread evenly over the day and increasing."""
    stamp = f"{day.day:02d}/{MONTHS[day.month - 1]}/{day.year}:"
    for i in range(n):
        yield (f'h{tag}-{i} - - [{stamp}{CLOCK[i * 86400 // n]} {ZONE}] '
               f'"GET {ENDPOINTS[i % len(ENDPOINTS)]} HTTP/1.0" {status_and_size(i)}')


def packed(lines, per_message: int):
    """The lines, ``per_message`` to a message joined by \\n, as bytes."""
    while chunk := list(islice(lines, per_message)):
        yield "\n".join(chunk).encode()


def publish(topic: str, values) -> tuple[int, float]:
    """Send the messages, alternating between the partitions (so that a cap on messages
    per trigger takes the same share of each, in order): (messages, seconds)."""
    from kafka import KafkaProducer
    started = time.monotonic()
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=20, batch_size=1 << 20,
                             compression_type="lz4", max_request_size=10 << 20, max_block_ms=120_000)
    sent = 0
    for sent, value in enumerate(values, 1):
        producer.send(topic, value, partition=sent % PARTITIONS)
    producer.flush()
    producer.close()
    return sent, time.monotonic() - started


# --- the stream and the report --------------------------------------------------------

def run_watched(memory: PeakMemory, name: str, cmd: list[str]) -> tuple[float, str, int]:
    """Run to its end in its own process tree, watched: (wall clock s, stdout, peak MiB)."""
    started = time.monotonic()
    proc = memory.popen(cmd, name, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"{name} failed (exit {proc.returncode}):\n{stderr[-3000:]}")
    return wall, stdout, memory.take()[name]


def drain(memory: PeakMemory, name: str, topic: str, output: str, lines: int, per_trigger: int) -> dict:
    wall, stdout, peak = run_watched(memory, name, stream(topic, output, "--available-now",
                                                          "--max-offsets-per-trigger", str(per_trigger)))
    done = [(b, n, s) for b, n, s in batches(stdout) if n]
    total = sum(n for _, n, _ in done)
    if total != lines:
        print(f"  warning: the stream reported {total:,} lines, {lines:,} were published", flush=True)
    for b, n, s in done:
        print(f"  batch {b}: {n:,} lines in {s:.1f} s", flush=True)
    print(f"  {name}: {len(done)} batches, {wall:.1f} s wall clock, {sum(s for *_, s in done):.1f} s in "
          f"its batches, peak memory {peak:,} MiB", flush=True)
    return {"wall_seconds": round(wall, 2), "peak_mib": peak, "lines": total,
            "seconds_in_batches": round(sum(s for *_, s in done), 2),
            "batches": [{"batch": b, "lines": n, "seconds": s} for b, n, s in done]}


def small_run(memory: PeakMemory, name: str, topic: str, output: str, tag: int, day: dt.date,
              n_batches: int, per_batch: int) -> dict:
    lines = n_batches * per_batch
    print(f"  publishing {lines:,} lines of {day}, one per message", flush=True)
    messages, seconds = publish(topic, (line.encode() for line in day_lines(tag, day, lines)))
    print(f"  published {messages:,} messages in {seconds:.1f} s; draining, {per_batch:,} per trigger", flush=True)
    result = drain(memory, name, topic, output, lines, per_batch)
    tail = [b["seconds"] for b in result["batches"]][-5:]
    result.update(day=day.isoformat(), publish_seconds=round(seconds, 2),
                  median_last_5_seconds=statistics.median(tail) if tail else None)
    return result


def report(memory: PeakMemory, name: str, output: str, *flags: str) -> dict:
    wall, stdout, peak = run_watched(memory, name, [sys.executable, "-m", "analytics", "report", "--output", output,
                                                    "--format", "json", *flags])
    lines = json.loads(stdout)["lines"]
    print(f"  {name}: {wall:.1f} s wall clock, peak memory {peak:,} MiB ({lines['total']:,} lines)", flush=True)
    return {"flags": list(flags), "wall_seconds": round(wall, 2), "peak_mib": peak, "lines": lines}


def state_size(output: str) -> dict:
    from hdfs import InsecureClient
    summary = InsecureClient(stack.WEBHDFS_URL).content(f"{output.removeprefix(stack.HDFS_URI)}/state")
    return {"bytes": summary["length"], "files": summary["fileCount"]}


def ratio(a, b) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=6, metavar="N",
                        help="days of history that run 2 builds, one batch each (default 6)")
    parser.add_argument("--lines-per-day", type=int, default=1_000_000, metavar="N",
                        help="lines, and distinct hosts, of each day of the history: the state holds "
                             "days x N (date, host) keys (default 1,000,000)")
    parser.add_argument("--small-batches", type=int, default=10, metavar="N",
                        help="batches of runs 1 and 3; the medians are over the last five (default 10)")
    parser.add_argument("--small-batch-lines", type=int, default=1000, metavar="N",
                        help="lines (one per Kafka message) of each batch of runs 1 and 3 (default 1,000)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the HDFS output for inspection (its path is printed); the topic is deleted")
    args = parser.parse_args()
    for flag in ("days", "lines_per_day", "small_batches", "small_batch_lines"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    if not (stack.kafka_ready() and stack.hdfs_ready()):
        sys.exit("the local stack is not up: `make up` first")

    keys = args.days * args.lines_per_day
    output_json = ROOT / "bench" / "results" / f"history-{keys}.json"
    history_days = [FIRST_DAY + dt.timedelta(days=k) for k in range(1, args.days + 1)]
    new_day = FIRST_DAY + dt.timedelta(days=args.days + 1)
    day_messages = -(-args.lines_per_day // PACK)
    run_id = uuid.uuid4().hex[:8]
    topic, output = f"bench-history-{run_id}", f"{stack.HDFS_URI}/bench/history-{run_id}"
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "settings": {"days": args.days, "lines_per_day": args.lines_per_day, "state_keys": keys,
                            "small_batches": args.small_batches, "small_batch_lines": args.small_batch_lines,
                            "history_lines_per_message": PACK, "history_messages_per_trigger": day_messages,
                            "partitions": PARTITIONS, "output": output, "topic": topic}}
    print(f"output {output}, topic {topic}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}",
          flush=True)
    memory = PeakMemory()
    create_topic(topic, PARTITIONS)
    try:
        small = (args.small_batches, args.small_batch_lines)
        print(f"[1/4] run 1: {args.small_batches} batches of {args.small_batch_lines:,} lines, empty history",
              flush=True)
        run1 = small_run(memory, "run 1", topic, output, 0, FIRST_DAY, *small)

        print(f"[2/4] run 2: the history, {args.days} days x {args.lines_per_day:,} lines "
              f"({history_days[0]} to {history_days[-1]}), {PACK} lines per message", flush=True)
        lines2 = args.days * args.lines_per_day
        messages, seconds = publish(topic, (value for tag, day in enumerate(history_days, 1)
                                            for value in packed(day_lines(tag, day, args.lines_per_day), PACK)))
        print(f"  published {lines2:,} lines in {messages:,} messages in {seconds:.1f} s "
              f"({lines2 / seconds:,.0f} lines/s); draining, {day_messages:,} messages (one day) per trigger",
              flush=True)
        run2 = drain(memory, "run 2", topic, output, lines2, day_messages)
        run2.update(days=[d.isoformat() for d in history_days], publish_seconds=round(seconds, 2))
        run2["state"] = state_size(output)
        print(f"  state after run 2: {run2['state']['bytes'] / 2**20:,.1f} MiB in {run2['state']['files']:,} files",
              flush=True)

        print(f"[3/4] run 3: {args.small_batches} batches of {args.small_batch_lines:,} lines on a new day, "
              f"{new_day}", flush=True)
        run3 = small_run(memory, "run 3", topic, output, args.days + 1, new_day, *small)

        print("[4/4] the report, each in its own process", flush=True)
        last = history_days[-1].isoformat()
        reports = {"whole history": report(memory, "report, whole history", output),
                   f"one day ({last})": report(memory, f"report --from {last} --to {last}", output,
                                               "--from", last, "--to", last)}
        results["state_at_end"] = state_size(output)
    finally:
        delete_topics([topic])
        if args.keep:
            print(f"kept: {output}")
        else:
            delete_outputs([output])

    m1, m3 = run1["median_last_5_seconds"], run3["median_last_5_seconds"]
    results.update(run1=run1, run2=run2, run3=run3, reports=reports,
                   ratios={"median_batch_run3_over_run1": ratio(m3, m1),
                           "peak_memory_run3_over_run1": ratio(run3["peak_mib"], run1["peak_mib"])})
    results["machine"]["load_average_end"] = round(os.getloadavg()[0], 2)

    print(f"\nhistory: {args.days} days x {args.lines_per_day:,} lines = {keys:,} (date, host) keys, "
          f"state {results['state_at_end']['bytes'] / 2**20:,.1f} MiB")
    print(f"{'':<34} {'run 1 (empty)':>14} {'run 3 (history)':>16} {'run 3 / run 1':>14}  target")
    print(f"{'median of the last 5 batches, s':<34} {m1:>14.2f} {m3:>16.2f} "
          f"{results['ratios']['median_batch_run3_over_run1']:>14.2f}  <= 1.2")
    print(f"{'peak memory (process tree), MiB':<34} {run1['peak_mib']:>14,} {run3['peak_mib']:>16,} "
          f"{results['ratios']['peak_memory_run3_over_run1']:>14.2f}  <= 1.2")
    print(f"{'wall clock, s':<34} {run1['wall_seconds']:>14.1f} {run3['wall_seconds']:>16.1f}")
    each = ", ".join(f"{b['seconds']:.1f}" for b in run2["batches"])
    print(f"run 2 (the history): {run2['wall_seconds']:.1f} s wall clock ({lines2 / run2['wall_seconds']:,.0f} lines/s), "
          f"{run2['seconds_in_batches']:.1f} s in {len(run2['batches'])} batches ({each} s), "
          f"peak memory {run2['peak_mib']:,} MiB")
    for label, r in reports.items():
        print(f"report, {label}: {r['wall_seconds']:.1f} s wall clock, peak memory {r['peak_mib']:,} MiB")
    output_json.parent.mkdir(parents=True, exist_ok=True)
    output_json.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwritten: {output_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
