"""Compaction of a closed day's records (I/O lives here, at the edge).

Every batch writes ``records/date=D/batch_id=N/``, so a day of 10 s batches leaves thousands
of small folders. Once a day is closed (no batch has written to it for a while, or a user
says so), its records are rewritten as a few files under ``records/date=D/batch_id=L/``,
where L is the newest batch compacted, and the folders they came from are deleted. The
day's state is pruned to its two newest versions at the same time.

Nothing is lost or doubled by a crash at any point: the compacted files are first written
under ``records/_compacting/date=D/batch_id=L/`` (a folder Spark's readers skip), and only a
complete one (``_SUCCESS``) replaces the batch folders, by deletes and then one rename. An
interrupted compaction is finished, or dropped if its write was incomplete, by
:func:`recover`, which runs before every compaction. Only batches older than the newest
committed one are compacted: those can no longer be replayed by the stream (a replay would
overwrite its own folder, and so the compacted one).
"""

from __future__ import annotations

import math
import time

from . import state
from .store import RECORDS, delete, exists, join, list_dirs, list_status, rename, size

STAGING = "_compacting"
FILE_BYTES = 256 << 20  # about this much per compacted file


def _batch_ids(names) -> list[int]:
    return sorted(int(n.removeprefix("batch_id=")) for n in names if n.startswith("batch_id="))


def recover(out: str) -> None:
    """Finish or drop any compaction a crash interrupted."""
    staging = join(out, RECORDS, STAGING)
    for day_dir in list_dirs(staging):
        for last in _batch_ids(list_dirs(join(staging, day_dir))):
            staged = join(staging, day_dir, f"batch_id={last}")
            if exists(join(staged, "_SUCCESS")):
                _replace(out, day_dir, last)
            else:
                delete(staged)
        if not list_dirs(join(staging, day_dir)):
            delete(join(staging, day_dir))


def _replace(out: str, day_dir: str, last: int) -> None:
    for batch_id in _batch_ids(list_dirs(join(out, RECORDS, day_dir))):
        if batch_id <= last:
            delete(join(out, RECORDS, day_dir, f"batch_id={batch_id}"))
    rename(join(out, RECORDS, STAGING, day_dir, f"batch_id={last}"),
           join(out, RECORDS, day_dir, f"batch_id={last}"))
    if not list_dirs(join(out, RECORDS, STAGING, day_dir)):
        delete(join(out, RECORDS, STAGING, day_dir))


def stage(spark, out: str, day_dir: str, batch_ids: list[int]) -> None:
    """Write the records of ``batch_ids`` of one day as a few files under the staging folder."""
    paths = [join(out, RECORDS, day_dir, f"batch_id={b}") for b in batch_ids]
    total = sum(size(p) for p in paths)
    records = spark.read.option("basePath", join(out, RECORDS)).parquet(*paths).drop("date", "batch_id")
    (records.coalesce(max(1, math.ceil(total / FILE_BYTES)))
     .write.mode("overwrite").parquet(join(out, RECORDS, STAGING, day_dir, f"batch_id={batch_ids[-1]}")))


def closed_days(out: str, idle_seconds: float, upto: int, now: float | None = None) -> dict[str, list[int]]:
    """``{day folder: batch ids to compact}`` of every day with more than one batch folder
    up to batch ``upto``, none of them written in the last ``idle_seconds``."""
    now = time.time() if now is None else now
    found = {}
    for day_dir in list_dirs(join(out, RECORDS)):
        if not day_dir.startswith("date="):
            continue
        batches = [(int(n.removeprefix("batch_id=")), modified) for n, is_dir, modified
                   in list_status(join(out, RECORDS, day_dir)) if is_dir and n.startswith("batch_id=")]
        if any(b > upto or modified / 1000 > now - idle_seconds for b, modified in batches):
            continue  # still open: written lately, or by a batch that may yet be replayed
        if len(batches) > 1:
            found[day_dir] = sorted(b for b, _ in batches)
    return found


def compact(spark, out: str, idle_seconds: float, days: list[str] | None = None, log=print) -> int:
    """Compact every closed day (or only ``days``, ``YYYY-MM-DD``, if idle long enough);
    returns how many batch folders went. ``log`` gets one line per day compacted."""
    recover(out)
    committed = state.last_committed(out)
    if committed is None:
        return 0
    todo = closed_days(out, idle_seconds, upto=committed - 1)
    if days is not None:
        todo = {d: b for d, b in todo.items() if d.removeprefix("date=") in days}
    removed = 0
    for day_dir, batch_ids in sorted(todo.items()):
        stage(spark, out, day_dir, batch_ids)
        _replace(out, day_dir, batch_ids[-1])
        state.prune_day(out, day_dir)
        removed += len(batch_ids) - 1
        log(f"compact: {day_dir.removeprefix('date=')}: {len(batch_ids)} batch folders into one")
    return removed

