"""Benchmark: spark_stream.py with all ten analytics and the HDFS writes.

    .venv/bin/python bench/bench_stream.py [--lines 2000000] [--feed-rate 20000] [--feed-seconds 60]
                                           [--feed-lines-per-message 1]

Needs the local stack (`make up`). Two measurements, printed, nothing asserted:

1. Drain: the generated file of bench_analytics.py (made once into
   bench/data/) is published packed, 100 lines per message, then drained with
   `--available-now`. Prints lines/s (wall clock, JVM start included, and the
   batch alone) next to GoAccess on the same file, measured in the same run.
2. Steady state: the job starts at the 10 s trigger on an empty topic; once it runs,
   kafka_producer.py feeds --feed-rate lines/s (one line per message unless
   --feed-lines-per-message says otherwise) for --feed-seconds; prints each batch's
   duration and the median and maximum.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stack  # noqa: E402
from bench_analytics import OUT, data_file, goaccess_cmd  # noqa: E402
from bench_producer import create_topic, delete_topics, producer_cmd  # noqa: E402

BATCH = re.compile(r"^batch (\d+): ([\d,]+) lines, ([\d,]+) rejected, ([\d.]+) s")


def batches(stdout: str) -> list[tuple[int, int, float]]:
    """(batch id, lines, seconds) of each progress line of spark_stream.py."""
    found = []
    for line in stdout.splitlines():
        match = BATCH.match(line)
        if match:
            found.append((int(match[1]), int(match[2].replace(",", "")), float(match[4])))
    return found


def stream(topic: str, output: str, *flags: str, launcher: tuple[str, ...] = (sys.executable,)) -> list[str]:
    """The job's command line; ``launcher``: python, or spark-submit and its own flags."""
    return [*launcher, str(ROOT / "spark_stream.py"), "--topic", topic, "--output", output, *flags]


#: the README's spark-submit line: spark-submit of the activated venv (its `python3` finds
#: pyspark's SPARK_HOME), the project's conf folder
SPARK_SUBMIT = (str(Path(sys.executable).with_name("spark-submit")),)
SPARK_SUBMIT_ENV = {"SPARK_CONF_DIR": str(ROOT / "conf"),
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def delete_outputs(uris) -> None:
    """Remove hdfs:// output folders through WebHDFS."""
    from hdfs import InsecureClient
    client = InsecureClient(stack.WEBHDFS_URL)
    for uri in uris:
        client.delete(uri.removeprefix(stack.HDFS_URI), recursive=True)


def drain(topic: str, output: str, lines: int, popen=subprocess.Popen, env=None, flags=(),
          launcher=(sys.executable,)) -> tuple[float, float]:
    """Drain a topic of `lines` lines with --available-now: (wall clock s, s inside the batches).
    popen starts the job: a caller may pass one that watches the process."""
    started = time.monotonic()
    job = popen(stream(topic, output, "--available-now", *flags, launcher=launcher), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    stdout, stderr = job.communicate()
    wall = time.monotonic() - started
    if job.returncode != 0:
        sys.exit(f"stream failed:\n{stderr[-2000:]}")
    done = batches(stdout)
    assert sum(n for _, n, _ in done) == lines, stdout
    return wall, sum(s for _, _, s in done)


def goaccess(log: Path) -> float | None:
    binary = shutil.which("goaccess")
    if not binary:
        print("goaccess not installed (apt-get install -y goaccess): no comparison", file=sys.stderr)
        return None
    started = time.monotonic()
    subprocess.run(goaccess_cmd(binary, log, OUT / "goaccess-stream-bench.json"), check=True, capture_output=True)
    return time.monotonic() - started


def steady_state(topic: str, output: str, sample: Path, rate: int, seconds: int, per_message: int,
                 popen=subprocess.Popen, env=None) -> list[tuple[int, int, float]]:
    """The job runs at the 10 s trigger on an empty topic; once its query has started (its
    "stream: TOPIC at" line), the producer feeds ``rate`` lines/s for ``seconds``; two more triggers
    drain the rest. (batch id, lines, seconds) of each batch."""
    create_topic(topic)  # the job refuses a topic that does not exist
    # Spark's log goes to a file: a pipe that nobody reads would fill up and block the job
    with tempfile.TemporaryFile("w+") as spark_log:
        job = popen(stream(topic, output, "--trigger-seconds", "10", "--starting-offsets", "earliest"),
                    stdout=subprocess.PIPE, stderr=spark_log, text=True, cwd=ROOT, env=env)
        started = job.stdout.readline()
        while started and not started.startswith(f"stream: {topic} at "):  # after the warm-up, if any
            started = job.stdout.readline()
        if not started:
            spark_log.seek(0)
            sys.exit(f"the stream stopped before it started:\n{spark_log.read()[-2000:]}")
        feeder = popen(producer_cmd(sample, topic, "--rate", rate, "--lines-per-message", per_message),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        feeder.send_signal(signal.SIGTERM)
        feeder.wait(60)
        time.sleep(25)  # two more triggers drain what is left
        job.send_signal(signal.SIGTERM)
        stdout, _ = job.communicate(timeout=120)
        if job.returncode != 0:
            spark_log.seek(0)
            sys.exit(f"stream failed during the steady state:\n{spark_log.read()[-2000:]}")
    return batches(stdout)


def report_drain(log: Path, lines: int) -> None:
    topic = f"bench-drain-{uuid.uuid4().hex[:8]}"
    output = f"{stack.HDFS_URI}/bench/{topic}"
    try:
        subprocess.run(producer_cmd(log, topic, "--lines-per-message", 100), check=True, capture_output=True)
        wall, in_batches = drain(topic, output, lines)
    finally:
        delete_topics([topic])
        delete_outputs([output])
    print(f"drain {lines:,} lines, --available-now: {wall:.1f} s wall ({lines / wall:,.0f} lines/s), "
          f"{in_batches:.1f} s in batches ({lines / in_batches:,.0f} lines/s)", flush=True)
    seconds = goaccess(log)
    if seconds:
        print(f"goaccess on the same file: {seconds:.1f} s ({lines / seconds:,.0f} lines/s)")
        print(f"ratio stream/goaccess (wall clock): {seconds / wall:.2f}x", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000, help="lines of the drained topic")
    parser.add_argument("--feed-rate", type=int, default=20_000, help="lines/s fed during the steady state")
    parser.add_argument("--feed-seconds", type=int, default=60, help="how long the feed lasts")
    parser.add_argument("--feed-lines-per-message", type=int, default=1, metavar="N",
                        help="lines packed per Kafka message during the feed")
    parser.add_argument("--skip-drain", action="store_true", help="only the steady-state measurement")
    args = parser.parse_args()
    if not (stack.kafka_ready() and stack.hdfs_ready()):
        sys.exit("the local stack is not up: `make up` first")
    log = data_file(args.lines)

    if not args.skip_drain:
        report_drain(log, args.lines)
    topic = f"bench-steady-{uuid.uuid4().hex[:8]}"
    output = f"{stack.HDFS_URI}/bench/{topic}"
    try:
        steady = steady_state(topic, output, log, args.feed_rate, args.feed_seconds, args.feed_lines_per_message)
    finally:
        delete_topics([topic])
        delete_outputs([output])
    durations = [s for _, n, s in steady if n]
    for batch_id, n, s in steady:
        print(f"  steady batch {batch_id}: {n:,} lines in {s:.1f} s")
    if durations:
        print(f"steady state at {args.feed_rate:,} lines/s ({args.feed_lines_per_message} per message), "
              f"10 s trigger: {len(durations)} batches, "
              f"median {statistics.median(durations):.1f} s, max {max(durations):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
