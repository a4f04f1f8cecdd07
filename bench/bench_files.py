#!/usr/bin/env python3
"""How many folders a day of 10 s batches leaves: the retention and compaction code, run
over a simulated day.

    .venv/bin/python bench/bench_files.py [--batches-per-day 8640] [--next-day-batches 360]
                                          [--trigger-seconds 10] [--keep-batches 360] [--keep]

A real day of 8,640 batches takes a day to stream, so this does not stream it. It writes,
for each simulated batch, the folders a batch writes, in the stream's own layout and order
(records of its day, rejects, the day's state version, its source table under
``batches/``, its progress row, the commit marker), each a one-row Parquet table standing in for what Spark writes,
dated by a simulated clock that advances --trigger-seconds per batch. What removes folders
is the project's own code, called as a batch calls it: the state's pruning of superseded
versions, the marker's pruning, the retention of ``batches/`` and ``progress/``. Then the
day closes: the next day gets --next-day-batches batches (an hour at the defaults, the
stream's --compact-after), and the stream's compaction runs once, with Spark, in local mode.

Prints the folder counts at the end of the day, before the compaction, and after it, and
checks what the compaction kept is every row written (records and rejects). Needs no
stack: the output is a temporary local folder, deleted at the end (kept with --keep).
Asserts nothing. The results go to bench/results/files-<batches-per-day>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import pyarrow as pa  # noqa: E402

from analytics.microbatch import KEEP_BATCHES  # noqa: E402
from analytics.storage import compact, state, store  # noqa: E402
from bench_all import machine  # noqa: E402

DAY = dt.date(1995, 7, 1)


def one_row(batch_id: int) -> pa.Table:
    return pa.table({"batch": pa.array([batch_id], pa.int64())})


def dated(uri: str, seconds: float) -> None:
    """Give the local folder ``uri`` the simulated time of its batch (what the listings see)."""
    os.utime(uri.removeprefix("file://"), (seconds, seconds))


def simulate_batch(out: str, batch_id: int, day: dt.date, at: float, keep_batches: int) -> None:
    """What a batch writes and deletes, in the order the stream does (analytics.batch)."""
    day_dir = f"date={day.isoformat()}"
    row = one_row(batch_id)
    records = store.join(out, store.RECORDS, day_dir, f"batch_id={batch_id}")
    store.write_table(records, row)
    dated(records, at)
    store.write_table(store.join(out, store.REJECTS, f"batch_id={batch_id}"), row)
    listed = state.versions(out, day_dir)
    version = store.join(state.state_path(out), day_dir, f"version={batch_id}")
    store.write_table(version, row)
    dated(version, at)
    if listed:
        state.prune(out, {day_dir: listed}, {day_dir: listed[-1][0]}, now=at)
    store.write_table(state.batch_path(out, batch_id), row)
    state.commit(out, batch_id)
    store.delete_batch(out, batch_id - keep_batches)
    store.write_table(store.join(out, store.PROGRESS, f"batch_id={batch_id}"), row)


def folders(path: Path) -> int:
    """The batch folders (or state versions) in ``path``; not the staging folder beside them."""
    return sum(1 for p in path.iterdir() if p.is_dir() and not p.name.startswith("_")) if path.is_dir() else 0


def counts(out: Path) -> dict:
    """Folders per part of the layout: a batch folder, a state version, a day of records."""
    def per_day(base: Path) -> dict[str, int]:
        return {d.name.removeprefix("date="): folders(d) for d in sorted(base.iterdir())
                if d.is_dir() and d.name.startswith("date=")} if base.is_dir() else {}

    batches = out / store.BATCHES
    return {
        "batches": folders(batches),
        "progress": folders(out / store.PROGRESS),
        "state_versions": per_day(out / state.STATE),
        "committed_markers": len(list((out / state.STATE / state.COMMITTED).iterdir())),
        "records_batch_folders": per_day(out / store.RECORDS),
        "rejects_batch_folders": folders(out / store.REJECTS),
    }


def rows(spark, path: Path) -> int:
    return spark.read.parquet(str(path)).count()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches-per-day", type=int, default=8640, help="the day's batches (default: 8640)")
    parser.add_argument("--next-day-batches", type=int, default=360,
                        help="batches of the next day before the compaction looks (default: 360, an hour)")
    parser.add_argument("--trigger-seconds", type=float, default=10, help="simulated seconds per batch (default: 10)")
    parser.add_argument("--keep-batches", type=int, default=KEEP_BATCHES,
                        help=f"the stream's --keep-batches (default: {KEEP_BATCHES})")
    parser.add_argument("--keep", action="store_true", help="keep the output folder")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-files-"))
    out = folder.as_uri()
    total = args.batches_per_day + args.next_day_batches
    # the clock ends now, so the compaction, which looks at the real clock, sees the day
    # closed for as long as the next day's batches took
    start = time.time() - total * args.trigger_seconds
    result = {"machine": machine(), "batches_per_day": args.batches_per_day,
              "next_day_batches": args.next_day_batches, "trigger_seconds": args.trigger_seconds,
              "keep_batches": args.keep_batches}
    began = time.monotonic()
    for batch_id in range(total):
        day = DAY if batch_id < args.batches_per_day else DAY + dt.timedelta(days=1)
        simulate_batch(out, batch_id, day, start + batch_id * args.trigger_seconds, args.keep_batches)
        if batch_id == args.batches_per_day - 1:
            result["end_of_day"] = counts(folder)
        if batch_id % 1000 == 999:
            print(f"files: {batch_id + 1:,} of {total:,} batches written, {time.monotonic() - began:.0f} s",
                  flush=True)
    result["before_compaction"] = counts(folder)
    result["simulation_seconds"] = round(time.monotonic() - began, 1)

    from analytics.session import spark_session

    spark = spark_session("bench-files", master="local[2]")
    began = time.monotonic()
    removed = compact.compact(spark, out, idle_seconds=args.next_day_batches * args.trigger_seconds)
    result["compaction_seconds"] = round(time.monotonic() - began, 1)
    result["compaction_removed_folders"] = removed
    result["after_compaction"] = counts(folder)
    result["rows_kept"] = {"records": rows(spark, folder / store.RECORDS), "rejects": rows(spark, folder / store.REJECTS),
                           "written": total}
    spark.stop()

    print(json.dumps({k: result[k] for k in ("end_of_day", "before_compaction", "after_compaction",
                                             "compaction_removed_folders", "rows_kept")}, indent=1))
    print(f"\nfiles: folders after a simulated day of {args.batches_per_day:,} batches of "
          f"{args.trigger_seconds:g} s, then {args.next_day_batches:,} of the next day and the compaction")
    after = result["after_compaction"]
    first_day = DAY.isoformat()
    print(f"  batches/    {after['batches']:>6,}  (--keep-batches {args.keep_batches})")
    print(f"  progress/   {after['progress']:>6,}")
    print(f"  state/      {after['state_versions'][first_day]:>6,}  "
          f"versions of the closed day, every source in each "
          f"(at the end of its day: {result['end_of_day']['state_versions'][first_day]})")
    print(f"  records/    {after['records_batch_folders'][first_day]:>6,}  folder of the closed day "
          f"(before: {result['before_compaction']['records_batch_folders'][first_day]:,})")
    print(f"  rejects/    {after['rejects_batch_folders']:>6,}  "
          f"(before: {result['before_compaction']['rejects_batch_folders']:,})")
    print(f"  rows kept:  {result['rows_kept']['records']:,} records and {result['rows_kept']['rejects']:,} "
          f"rejects of {total:,} written; simulation {result['simulation_seconds']} s, "
          f"compaction {result['compaction_seconds']} s")
    results = ROOT / "bench" / "results" / f"files-{args.batches_per_day}.json"
    results.write_text(json.dumps(result, indent=1) + "\n")
    print(f"  written to {results.relative_to(ROOT)}")
    if args.keep:
        print(f"  output kept: {folder}")
    else:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
