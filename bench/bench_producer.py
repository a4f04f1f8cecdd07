#!/usr/bin/env python3
"""Throughput of kafka_producer.py into the local broker (prints figures; not a test).

    .venv/bin/python bench/bench_producer.py [--lines 2000000] [--no-profile] [--no-tuning]
    .venv/bin/python bench/bench_producer.py --fast-path-only [--pairs 3]

1. Makes (or reuses) bench/data/generated_<N>.log: N NASA-like Common Log Format
   lines from `python -m analytics.generate` (seed 1995), timestamps increasing
   through July 1995 like NASA_access_log_Jul95.
2. Runs kafka_producer.py on it, as a user would (a subprocess), with one line
   per message and with --lines-per-message 100.
3. Runs the original approach -- producer.send(line); producer.flush() for
   every line -- on a 20,000-line slice.
4. Shows what bounds the one-line-per-message figure: kafka-python's bare
   send() loop with a few tunings, and a cProfile of kafka_producer itself.
5. Weighs the accumulator fast path (analytics.producer.publishing.fast_append)
   against send() per line (PRODUCER_SEND_API=public): --pairs runs of each on
   the same slice, one line per message, alternating so that a change in the
   machine's load hits both alike; each pair and the medians are printed.

Each run uses a fresh topic (deleted afterwards). The machine is shared: the
load average is printed next to the figures.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "data"
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from stack.services import KAFKA_BOOTSTRAP  # noqa: E402

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", KAFKA_BOOTSTRAP)


def make_data(n: int) -> Path:
    """The generated file that bench_analytics.py and bench_stream.py use too."""
    from bench_analytics import data_file

    return data_file(n)


def topic_name(tag: str) -> str:
    return f"bench-{tag}-{uuid.uuid4().hex[:8]}"


def delete_topics(topics):
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    try:
        admin.delete_topics(list(topics))
    except Exception as e:
        print(f"(could not delete bench topics: {e})")
    finally:
        admin.close()


def create_topic(topic: str, partitions: int = 2) -> None:
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    try:
        admin.create_topics({topic: {"num_partitions": partitions}}, wait_for_metadata=True)
    finally:
        admin.close()


def producer_cmd(path: Path, topic: str, *extra) -> list[str]:
    return [sys.executable, str(ROOT / "kafka_producer.py"), "--bootstrap-servers", BOOTSTRAP,
            "--topic", topic, "--quiet", *map(str, extra), str(path)]


def summary(stdout: str) -> dict:
    """The figures of the summary kafka_producer.py prints when it is done."""
    rows = dict(re.findall(r"^  (\S.*?)\s+([\d.]+)$", stdout, re.M))
    return {"lines": int(rows["delivered"]), "elapsed": float(rows["elapsed s"]),
            "rate": float(rows["lines/s"]), "messages": int(rows["messages"])}


def run_script(path: Path, topic: str, *extra, env: dict | None = None) -> dict:
    t0 = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(producer_cmd(path, topic, *extra), capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic() - t0
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"kafka_producer failed ({done.returncode}): {done.stderr}")
    return {**summary(done.stdout), "wall": wall, "cpu": cpu}


def read_lines(path: Path, n: int) -> list[bytes]:
    out = []
    with open(path, "rb") as f:
        for line in f:
            out.append(line.rstrip(b"\n"))
            if len(out) == n:
                break
    return out


def slice_file(path: Path, n: int) -> Path:
    sample = OUT / f"generated_slice_{n}.log"
    if not sample.exists():
        sample.write_bytes(b"".join(line + b"\n" for line in read_lines(path, n)))
    return sample


def original(lines: list[bytes], topic: str) -> float:
    """The original script's loop: send one line, flush, next line."""
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP)
    t0 = time.monotonic()
    for line in lines:
        producer.send(topic, line)
        producer.flush()
    elapsed = time.monotonic() - t0
    producer.close()
    return len(lines) / elapsed


def bare_send(lines: list[bytes], topic: str, callbacks: bool = False, **config) -> float:
    """kafka-python alone: a send() loop over lines already in memory, then flush."""
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True,
                             max_request_size=10 << 20, **config)
    producer.partitions_for(topic)
    send = producer.send
    done = [0]

    def ok(_):
        done[0] += 1
    t0 = time.monotonic()
    if callbacks == "accumulator":
        # private API, for the record only: what is left without send()'s checks,
        # partitioner and per-call logging (record encoding + futures + sender thread)
        from kafka.structs import TopicPartition
        append, wakeup = producer._accumulator.append, producer._sender.wakeup
        tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
        for i, line in enumerate(lines):
            _, full, new, _ = append(tps[(i >> 12) & 1], None, None, line, [])
            if full or new:
                wakeup()
    elif callbacks:
        for line in lines:
            send(topic, line).add_callback(ok)
    else:
        for line in lines:
            send(topic, line)
    producer.flush()
    elapsed = time.monotonic() - t0
    producer.close()
    return len(lines) / elapsed


def fast_vs_send(path: Path, pairs: int, topic) -> None:
    """The producer with its accumulator fast path and with send() per line, in
    alternating pairs on the same file (`topic(tag)` names a fresh topic)."""
    print(f"\nfast path vs send(), {path.relative_to(ROOT)}, 1 line/message, {pairs} alternating pairs:")
    rates: dict[str, list[float]] = {"fast": [], "send": []}
    for i in range(pairs):
        for api, env in (("fast", {}), ("send", {"PRODUCER_SEND_API": "public"})):
            rates[api].append(run_script(path, topic(api), env=env)["rate"])
        print(f"  pair {i + 1}: fast path {rates['fast'][-1]:>9,.0f} lines/s, send() {rates['send'][-1]:>9,.0f} "
              f"lines/s, ratio {rates['fast'][-1] / rates['send'][-1]:.2f} (load {os.getloadavg()[0]:.2f})")
    fast, send = statistics.median(rates["fast"]), statistics.median(rates["send"])
    print(f"  median:  fast path {fast:>9,.0f} lines/s, send() {send:>9,.0f} lines/s, ratio {fast / send:.2f}")


def profile_script(path: Path, topic: str, top: int = 22) -> None:
    from analytics.producer.runner import main as producer_main
    prof = cProfile.Profile()
    argv = ["--bootstrap-servers", BOOTSTRAP, "--topic", topic, "--quiet", str(path)]
    old = sys.stdout
    sys.stdout = io.StringIO()
    try:
        prof.runcall(producer_main, argv)
    finally:
        sys.stdout = old
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())       # tottime over all functions
    by_area: dict[str, float] = {}
    for (filename, _, _), (_, _, tt, _, _) in stats.stats.items():
        if "/kafka/" in filename:
            area = "kafka-python " + filename.split("/kafka/")[1].split("/")[0].replace(".py", "")
        elif "/analytics/producer/" in filename:
            area = "analytics.producer"
        elif filename == "~":
            area = "builtins (C)"
        else:
            area = "other Python"
        by_area[area] = by_area.get(area, 0.0) + tt
    print("\ncProfile of the producer's main, one line per message (main thread only; the "
          "sender thread is not profiled), own time by area:")
    for area, tt in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"  {area:<32} {tt:6.2f} s  {100 * tt / total:5.1f}%")
    print(f"\ntop {top} functions by own time:")
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(top)
    print("\n".join(line for line in s.getvalue().splitlines()
                    if line.strip() and not line.startswith(("   Ordered", "         "))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--slice", type=int, default=20_000, help="lines for the original approach")
    ap.add_argument("--no-tuning", action="store_true", help="skip the kafka-python tuning runs")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    ap.add_argument("--pairs", type=int, default=3, help="fast path vs send() runs of each")
    ap.add_argument("--fast-path-only", action="store_true", help="only the fast path vs send() pairs")
    args = ap.parse_args()

    path = make_data(args.lines)
    topics = []

    def t(tag):
        topics.append(topic_name(tag))
        return topics[-1]

    print(f"input: {path.relative_to(ROOT)}, {args.lines:,} lines, {path.stat().st_size / 1e6:.0f} MB; "
          f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
    try:
        if args.fast_path_only:
            fast_vs_send(slice_file(path, min(500_000, args.lines)), args.pairs, t)
            return
        one = run_script(path, t("one"))
        print(f"kafka_producer.py, 1 line/message:     {one['rate']:>10,.0f} lines/s "
              f"({one['lines']:,} lines in {one['elapsed']:.1f} s; {one['wall']:.1f} s with start-up, "
              f"{one['cpu']:.1f} s CPU: {one['cpu'] / one['wall']:.2f} cores)")
        packed = run_script(path, t("packed"), "--lines-per-message", 100)
        print(f"kafka_producer.py, 100 lines/message:  {packed['rate']:>10,.0f} lines/s "
              f"({packed['lines']:,} lines in {packed['elapsed']:.1f} s, {packed['messages']:,} messages, "
              f"{packed['cpu'] / packed['wall']:.2f} cores)")
        packed_none = run_script(path, t("packed-none"), "--lines-per-message", 100, "--compression", "none")
        print(f"  same, --compression none:            {packed_none['rate']:>10,.0f} lines/s")

        for n in (2, 5):
            r = run_script(path, t(f"packed{n}"), "--lines-per-message", n)
            print(f"  same, --lines-per-message {n}:           {r['rate']:>10,.0f} lines/s")

        slice_lines = read_lines(path, args.slice)
        topic = t("orig")
        create_topic(topic)
        orig = original(slice_lines, topic)
        print(f"original (flush after every line):     {orig:>10,.0f} lines/s ({len(slice_lines):,}-line slice)")
        print(f"ratios: 1 line/message {one['rate'] / orig:,.0f}x the original; "
              f"100 lines/message {packed['rate'] / orig:,.0f}x; packed / unpacked {packed['rate'] / one['rate']:.1f}x")
        print(f"load average after: {os.getloadavg()[0]:.2f}")

        if not args.no_tuning:
            n = min(300_000, args.lines)
            lines = read_lines(path, n)
            print(f"\nkafka-python's own ceiling: a bare send() loop over {n:,} lines already in memory, "
                  f"1 line per message, then flush():")
            configs = [
                ("kafka-python defaults (16 KiB batches, linger 0, no compression)", {}, False),
                ("batch 1 MiB, linger 20 ms, lz4 (kafka_producer's settings)",
                 dict(batch_size=1 << 20, linger_ms=20, compression_type="lz4"), False),
                ("batch 1 MiB, linger 20 ms, no compression",
                 dict(batch_size=1 << 20, linger_ms=20), False),
                ("batch 256 KiB, linger 100 ms, lz4",
                 dict(batch_size=256 << 10, linger_ms=100, compression_type="lz4"), False),
                ("batch 1 MiB, linger 20 ms, lz4, max_in_flight 1",
                 dict(batch_size=1 << 20, linger_ms=20, compression_type="lz4",
                      max_in_flight_requests_per_connection=1), False),
                ("batch 1 MiB, linger 20 ms, lz4, + a callback per message",
                 dict(batch_size=1 << 20, linger_ms=20, compression_type="lz4"), True),
                ("batch 1 MiB, linger 20 ms, lz4, bypassing send() (private accumulator API)",
                 dict(batch_size=1 << 20, linger_ms=20, compression_type="lz4"), "accumulator"),
            ]
            for label, config, callbacks in configs:
                topic = t("tune")
                create_topic(topic)
                rate = bare_send(lines, topic, callbacks=callbacks, **config)
                print(f"  {label:<75} {rate:>9,.0f} msgs/s")
            print(f"load average after: {os.getloadavg()[0]:.2f}")

        fast_vs_send(slice_file(path, min(500_000, args.lines)), args.pairs, t)

        if not args.no_profile:
            n = min(300_000, args.lines)
            profile_script(slice_file(path, n), t("profile"))
    finally:
        delete_topics(topics)


if __name__ == "__main__":
    main()
