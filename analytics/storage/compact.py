"""Compaction: many small batch folders folded into one (I/O lives here, at the edge).

Every batch writes ``records/date=D/batch_id=N/`` and ``rejects/batch_id=N/``, so a day of
10 s batches leaves thousands of small folders.

- Once a day is closed (no batch has written to it for a while, or a user says so), its
  records are rewritten as a few files under ``records/date=D/batch_id=L/``, where L is the
  newest batch compacted, and the day's state is pruned to its two newest versions.
- Rejects have no date, so they are folded by blocks of batch ids: once every batch of a
  block of :data:`REJECTS_BLOCK` can no longer be replayed, the block's folders become one,
  ``rejects/batch_id=L/``.

Nothing is lost or doubled by a crash at any point: the folded files are first written under
a ``_compacting`` folder beside them (which Spark's readers skip), and only a complete one
(``_SUCCESS``) replaces the batch folders, by deletes and then one rename. An interrupted
compaction is finished, or dropped if its write was incomplete, by :func:`recover`, which
runs before every compaction. Only batches older than the newest committed one are folded:
those can no longer be replayed by the stream (a replay would overwrite its own folder, and
so the folded one).
"""

from __future__ import annotations

import math
import time

from . import state
from .store import RECORDS, REJECTS, delete, exists, join, list_dirs, list_status, rename, size

STAGING = "_compacting"
FILE_BYTES = 256 << 20  # about this much per compacted file
#: batches whose rejects are folded into one folder: a day at the default 10 s trigger
REJECTS_BLOCK = 8640


def _batch_ids(names) -> list[int]:
    return sorted(int(n.removeprefix("batch_id=")) for n in names if n.startswith("batch_id="))


class BatchFolders:
    """A folder of ``batch_id=N`` subfolders that can be folded: one day of records, or rejects."""

    def __init__(self, out: str, table: str, day_dir: str | None = None):
        self.base = join(out, table)
        self.path = join(self.base, day_dir) if day_dir else self.base
        self.staging = join(self.base, STAGING, day_dir) if day_dir else join(self.base, STAGING)
        self.partitions = ("date", "batch_id") if day_dir else ("batch_id",)
        self.per_day = day_dir is not None

    def stage(self, spark, batch_ids: list[int]) -> None:
        """Write the rows of ``batch_ids`` as a few files under the staging folder."""
        paths = [join(self.path, f"batch_id={b}") for b in batch_ids]
        total = sum(size(p) for p in paths)
        rows = spark.read.option("basePath", self.base).parquet(*paths).drop(*self.partitions)
        (rows.coalesce(max(1, math.ceil(total / FILE_BYTES)))
         .write.mode("overwrite").parquet(join(self.staging, f"batch_id={batch_ids[-1]}")))

    def replace(self, first: int, last: int) -> None:
        """The staged ``batch_id=last`` takes the place of the folders ``first``..``last``."""
        for batch_id in _batch_ids(list_dirs(self.path)):
            if first <= batch_id <= last:
                delete(join(self.path, f"batch_id={batch_id}"))
        rename(join(self.staging, f"batch_id={last}"), join(self.path, f"batch_id={last}"))
        self._tidy()

    def recover(self, first_of) -> None:
        """Finish or drop each staged fold; ``first_of(last)`` is the first batch it covers."""
        for last in _batch_ids(list_dirs(self.staging)):
            if exists(join(self.staging, f"batch_id={last}", "_SUCCESS")):
                self.replace(first_of(last), last)
            else:
                delete(join(self.staging, f"batch_id={last}"))
        self._tidy()

    def _tidy(self) -> None:
        if self.per_day and not list_dirs(self.staging):  # one staging folder per day: gone with it
            delete(self.staging)


def _block_start(last: int, block: int) -> int:
    return last // block * block


def recover(out: str, block: int = REJECTS_BLOCK) -> None:
    """Finish or drop any compaction a crash interrupted."""
    for day_dir in list_dirs(join(out, RECORDS, STAGING)):
        BatchFolders(out, RECORDS, day_dir).recover(lambda last: 0)
    BatchFolders(out, REJECTS).recover(lambda last: _block_start(last, block))


def stage(spark, out: str, day_dir: str, batch_ids: list[int]) -> None:
    """Write the records of ``batch_ids`` of one day as a few files under the staging folder."""
    BatchFolders(out, RECORDS, day_dir).stage(spark, batch_ids)


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


def full_blocks(out: str, upto: int, block: int = REJECTS_BLOCK) -> list[list[int]]:
    """The batch ids of each block of rejects folders whose batches all precede ``upto``
    (inclusive) and that is not folded yet (more than one folder)."""
    blocks: dict[int, list[int]] = {}
    for batch_id in _batch_ids(list_dirs(join(out, REJECTS))):
        blocks.setdefault(batch_id // block, []).append(batch_id)
    return [ids for start, ids in sorted(blocks.items()) if (start + 1) * block - 1 <= upto and len(ids) > 1]


def compact(spark, out: str, idle_seconds: float, days: list[str] | None = None, log=print,
            block: int = REJECTS_BLOCK) -> int:
    """Compact every closed day (or only ``days``, ``YYYY-MM-DD``, if idle long enough) and
    fold every full block of rejects; returns how many batch folders went. ``log`` gets one
    line per day compacted or block folded."""
    recover(out, block)
    committed = state.last_committed(out)
    if committed is None:
        return 0
    todo = closed_days(out, idle_seconds, upto=committed - 1)
    if days is not None:
        todo = {d: b for d, b in todo.items() if d.removeprefix("date=") in days}
    removed = 0
    for day_dir, batch_ids in sorted(todo.items()):
        folder = BatchFolders(out, RECORDS, day_dir)
        folder.stage(spark, batch_ids)
        folder.replace(0, batch_ids[-1])
        state.prune_day(out, day_dir)
        removed += len(batch_ids) - 1
        log(f"compact: {day_dir.removeprefix('date=')}: {len(batch_ids)} batch folders into one")
    for batch_ids in full_blocks(out, upto=committed - 1, block=block):
        folder = BatchFolders(out, REJECTS)
        folder.stage(spark, batch_ids)
        folder.replace(batch_ids[0], batch_ids[-1])
        removed += len(batch_ids) - 1
        log(f"compact: rejects of batches {batch_ids[0]}-{batch_ids[-1]}: {len(batch_ids)} folders into one")
    return removed
