#!/usr/bin/env python3
"""Where a stream micro-batch spends its time: a profile that prints, not a test.

    .venv/bin/python bench/profile_batches.py [--batches 4] [--lines 200000] [--sixth-source]

Needs the local stack (`make up`). Feeds --batches batches of --lines lines of the
generated log (bench/data/generated_<N>.log) straight to the stream's batch function,
one line per message as if from a 2-partition topic (Kafka itself is left out), writing to
a fresh HDFS folder. For
each batch it prints when each stage started and how long it took, counted from the start
of the batch: the census, the records and rejects writes, the source table kept under
batches/, the merge of every source into the per-day state, and the commit; then the Spark
jobs the batch ran (Spark's own status tracker). Everything before the census is the plan
of the parse; the census builds the cache. The first batch includes the JIT compilation of
the generated code. --sixth-source adds a source (requests per (date, hour)) to the five
the analytics read: the batch's job count stays the same.
"""
from __future__ import annotations

import argparse
import functools
import itertools
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stack  # noqa: E402
from bench_analytics import data_file  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=4)
    ap.add_argument("--lines", type=int, default=200_000, help="lines per batch")
    ap.add_argument("--sixth-source", action="store_true", help="a sixth source, requests per (date, hour)")
    args = ap.parse_args()

    from analytics import batch, microbatch, stream
    from analytics.metrics import sources
    from analytics.metrics.base import Source
    from analytics.storage import state, store

    if args.sixth_source:
        hourly = Source("requests_by_date_hour", ("date", "hour"), {"hits": ("sum", "1")}, sources.VALID)
        batch.write_batch = functools.partial(batch.write_batch, kept=(*sources.ALL_SOURCES, hourly))

    output = f"{stack.HDFS_URI}/bench/profile-{uuid.uuid4().hex[:8]}"
    spark = stream.stream_session()
    batch_started = [0.0]

    def timed(label, call):
        @functools.wraps(call)
        def wrapper(*a, **kw):
            began = time.monotonic()
            result = call(*a, **kw)
            print(f"  {label(*a):<42} from {began - batch_started[0]:5.2f} s  took {time.monotonic() - began:5.2f} s",
                  flush=True)
            return result
        return wrapper

    batch.census = timed(lambda *a: "census and cache (Spark)", batch.census)
    store.write_records = timed(lambda *a: "records (Spark)", store.write_records)
    store.write_rejects = timed(lambda *a: "rejects (Spark)", store.write_rejects)
    state.merge = timed(lambda *a: "state, every source (Spark)", state.merge)
    state.commit = timed(lambda *a: "commit", state.commit)
    tracker = spark.sparkContext.statusTracker()
    writer = microbatch.BatchWriter(output, lag=None)

    # Each batch is read from its own slice file: a filter on an offset range would put
    # different literals in each batch's generated code, and the JIT would start cold on
    # every batch, which the real stream (offsets live in the Kafka partitions) does not.
    log = data_file(max(2_000_000, args.batches * args.lines))
    slices = Path(tempfile.mkdtemp(prefix="profile-batches-"))
    with open(log, "rb") as source:
        for batch_id in range(args.batches):
            with open(slices / f"{batch_id}.log", "wb") as out:
                out.writelines(itertools.islice(source, args.lines))
    try:
        for batch_id in range(args.batches):
            lines = spark.read.text(str(slices / f"{batch_id}.log")).repartition(2)
            messages = stream.as_messages(lines).cache()
            messages.count()
            before = set(tracker.getJobIdsForGroup(None))
            batch_started[0] = time.monotonic()
            writer._process(messages, batch_id)
            print(f"  Spark jobs: {len(set(tracker.getJobIdsForGroup(None)) - before)}", flush=True)
            messages.unpersist()
    finally:
        store.delete(output)
        shutil.rmtree(slices)
    return 0


if __name__ == "__main__":
    sys.exit(main())
