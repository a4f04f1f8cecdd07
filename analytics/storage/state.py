"""The running totals, kept per calendar day and merged by Spark (I/O lives here, at the edge).

Layout under an output URI::

    <out>/state/date=D/version=N/   the source table (analytics.metrics.sources) of every
                                    line of day D in batches 0..N: every source's rows in
                                    one file; date=__HIVE_DEFAULT_PARTITION__ holds what has
                                    no date (rejected lines)
    <out>/state/_committed/batch_id=N   batch N's state is all written

A batch merges its source table with the previous version of only the days it touches, in
one Spark job whatever the number of sources: Spark reads those days' state, groups the
union by (source, keys), combines the values by their rules and writes ``version=N`` of
those days (dynamic partition overwrite). Nothing of the history passes through the
driver, and days the batch does not touch are not read. The cost of a batch is its own
lines plus the state of its days.

Exactly once: batch N merges from the newest version older than N, and overwrites its own
``version=N``, so a replay after a crash writes the same state. A reader takes, per day,
the newest version no newer than the last committed batch, so it never sees half a batch.
A day keeps its newest version, the one a replay of it would merge from, and those
superseded in the last :data:`SUPERSEDED_KEPT` seconds, which a report may be reading; a
read that loses a version all the same (a report slower than that) is made again.
"""

from __future__ import annotations

import datetime as dt
import time

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..errors import UserError
from ..metrics import ALL, sources
from ..metrics.base import side_by_side
from .store import BATCHES, delete, join, list_dirs, list_status, parquet_files, read_parquet, touch

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

STATE, COMMITTED = "state", "_committed"
READ_ATTEMPTS = 5
READERS = 8  # folders of the state listed or read at once (each is a round trip to HDFS)
#: seconds a superseded version of a day stays readable: longer than a report's read takes
SUPERSEDED_KEPT = 300
EPOCH = dt.date(1970, 1, 1)
NO_DATE = "__HIVE_DEFAULT_PARTITION__"  # Spark's directory name for a null partition value

#: one day's versions: ``(version, written at in s since the epoch)``, oldest first
Versions = list[tuple[int, float]]


def state_path(out: str) -> str:
    return join(out, STATE)


def day_dir(day: dt.date | None) -> str:
    return f"date={NO_DATE if day is None else day.isoformat()}"


def _day_of(dirname: str) -> dt.date | None:
    value = dirname.removeprefix("date=")
    return None if value == NO_DATE else dt.date.fromisoformat(value)


def versions(out: str, day_folder: str) -> Versions:
    """One day's versions (one listing)."""
    return sorted((int(name.removeprefix("version=")), modified / 1000) for name, is_dir, modified
                  in list_status(join(state_path(out), day_folder))
                  if is_dir and name.startswith("version="))


def merge(spark, out: str, batch_id: int, table: DataFrame, days: list, rules: dict[str, str]) -> None:
    """Merge batch ``batch_id``'s source table (:func:`analytics.metrics.sources.aggregate`),
    which touches ``days`` (None: no date), into the state: ``version=batch_id`` of each
    of those days, in one Spark job. ``rules``: the combine rule of each value column
    (:func:`analytics.metrics.sources.rules_of`). Safe to run again for the same batch (a
    replay). The batch is committed by :func:`commit`."""
    from pyspark.sql import functions as F

    if not days:
        return
    base = state_path(out)
    folders = [day_dir(day) for day in days]
    listed = dict(zip(folders, side_by_side([lambda d=d: versions(out, d) for d in folders], READERS)))
    # what a replay of this batch merges from: the newest version older than it
    previous = {d: older[-1][0] for d, found in listed.items() if (older := [v for v in found if v[0] < batch_id])}
    merged = table
    if previous:
        paths = [join(base, d, f"version={v}") for d, v in previous.items()]
        before = spark.read.schema(table.schema).option("basePath", base).parquet(*paths).select(table.columns)
        merged = table.unionByName(before)
    # partitioned by day alone, the grouping needs no second shuffle and each day is
    # written by one task: one file per day, not one per shuffle partition
    merged = merged.repartition("date")
    if previous:  # else every day is new to the state, and the batch's table is its total
        keys = [c for c in table.columns if c not in rules]
        merged = merged.groupBy(*keys).agg(*[getattr(F, rule)(c).alias(c) for c, rule in rules.items()])
    (merged.withColumn("version", F.lit(batch_id))
     .write.mode("overwrite").option("partitionOverwriteMode", "dynamic")
     .partitionBy("date", "version").parquet(base))
    prune(out, {d: found for d, found in listed.items() if d in previous}, previous)


def prune(out: str, listed: dict[str, Versions], keep_from: dict[str, int], now: float | None = None) -> None:
    """Delete, of each day's ``listed`` versions, those older than ``keep_from[day]`` (what
    a replay of the batch merges from) that were superseded more than
    :data:`SUPERSEDED_KEPT` seconds ago: a report may still be reading them."""
    now = time.time() if now is None else now
    doomed = [join(state_path(out), d, f"version={old}") for d, found in listed.items()
              for (old, _), (_, superseded) in zip(found, found[1:])
              if old < keep_from[d] and superseded < now - SUPERSEDED_KEPT]
    side_by_side([lambda p=p: delete(p) for p in doomed], READERS)


def prune_day(out: str, day_folder: str) -> None:
    """Prune one day down to its two newest versions (those superseded long enough ago):
    for a closed day, which no batch merges into any more."""
    found = versions(out, day_folder)
    if len(found) > 2:
        prune(out, {day_folder: found}, {day_folder: found[-2][0]})


def commit(out: str, batch_id: int) -> None:
    """Mark batch ``batch_id``'s state written; forget markers older than the one before."""
    touch(join(out, STATE, COMMITTED, f"batch_id={batch_id}"))
    for n in committed_batches(out):
        if n < batch_id - 1:
            delete(join(out, STATE, COMMITTED, f"batch_id={n}"))


def committed_batches(out: str) -> list[int]:
    return sorted(int(name.removeprefix("batch_id=")) for name in list_dirs(join(out, STATE, COMMITTED), files=True)
                  if name.startswith("batch_id="))


def last_committed(out: str) -> int | None:
    done = committed_batches(out)
    return done[-1] if done else None


def check_layout(out: str, names: list[str]) -> None:
    """``names`` (what ``state/`` holds) are of this layout: an output written by a version
    that kept one folder per source would be read as empty, silently."""
    older = [n for n in names if not n.startswith(("date=", "_", "."))]
    if older:
        raise UserError(f"{out} holds running totals in an older layout ({join(STATE, older[0])}/); "
                        "write to a new --output, or rebuild this one with `python -m analytics run --overwrite`")


def read_state(out: str, first: dt.date | None = None, last: dt.date | None = None,
               upto: int | None = None, target: pa.Schema | None = None) -> pa.Table:
    """The source table of the days ``first``..``last`` (inclusive; None: open), plus its
    undated rows, as of batch ``upto`` (default: the last committed), as Arrow in the
    schema ``target`` (default: that of every source the analytics read). Read with
    pyarrow, no Spark: the state is as small as its keys."""
    base = state_path(out)
    target = target or sources.table_schema()
    names = list_dirs(base)
    check_layout(out, names)
    days = [(d, _day_of(d)) for d in names if d.startswith("date=")]
    days = [(d, day) for d, day in days
            if day is None or not ((first and day < first) or (last and day > last))]

    def day_tables(folder: str, day: dt.date | None) -> list[pa.Table]:
        done = [v for v, _ in versions(out, folder) if upto is None or v <= upto]
        tables = []
        for part in parquet_files(join(base, folder, f"version={done[-1]}")) if done else []:
            table = read_parquet(part)
            table = table.append_column("date", _days(day, table.num_rows))
            tables.append(sources.conform(table, target))
        return tables

    # each day is three round trips to HDFS (its versions, its files, a file): side by side
    read = side_by_side([lambda d=d, day=day: day_tables(d, day) for d, day in days], READERS)
    tables = [t for day in read for t in day]
    return pa.concat_tables(tables, promote_options="none") if tables else target.empty_table()


def _days(day: dt.date | None, n: int) -> pa.Array:
    """``day`` ``n`` times, as Arrow dates, built from a buffer of day numbers: ``pa.array``
    of Python values imports pandas, a second of a report's start."""
    if day is None:
        return pa.nulls(n, pa.date32())
    return pa.Array.from_buffers(pa.date32(), n, [None, pa.py_buffer(np.full(n, (day - EPOCH).days, np.int32))])


def _gone(error: Exception) -> bool:
    """A file listed a moment ago is not there any more."""
    text = str(error)
    return isinstance(error, FileNotFoundError) or any(
        sign in text for sign in ("does not exist", "FileNotFoundException", "No such file"))


def derive_all(table: pa.Table) -> dict[str, pa.Table]:
    """``{analytic name: table}`` of a source table (a batch's, or the state of any days)."""
    tables = sources.split(table)
    return {a.name: a.derive(tables[a.source]).select(a.columns) for a in ALL}


def read_totals(out: str, first: dt.date | None = None, last: dt.date | None = None) -> dict[str, pa.Table]:
    """``{analytic name: table}`` over the days ``first``..``last`` (inclusive; None:
    open) as of the last committed batch; ``{}`` if no batch was committed. No Spark: the
    files are read with pyarrow (local) or through WebHDFS (hdfs://)."""
    for attempt in range(READ_ATTEMPTS):
        upto = last_committed(out)
        if upto is None:
            return {}
        try:
            table = read_state(out, first, last, upto)
            break
        except Exception as error:
            # a running stream pruned a version this read had listed (a read slower than
            # SUPERSEDED_KEPT): read again, as of the newer commit
            if attempt == READ_ATTEMPTS - 1 or not _gone(error):
                raise
    return derive_all(table)


def batch_path(out: str, batch_id: int) -> str:
    """Where batch ``batch_id``'s own source table is kept (the stream, for --keep-batches)."""
    return join(out, BATCHES, f"batch_id={batch_id}")


def read_batch(out: str, batch_id: int) -> dict[str, pa.Table]:
    """``{analytic name: table}`` of batch ``batch_id`` alone, from ``batches/``."""
    target = sources.table_schema()
    tables = [sources.conform(read_parquet(part), target) for part in parquet_files(batch_path(out, batch_id))]
    return derive_all(pa.concat_tables(tables) if tables else target.empty_table())
