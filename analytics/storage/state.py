"""The running totals, kept per calendar day and merged by Spark (I/O lives here, at the edge).

Layout under an output URI::

    <out>/state/<source>/date=D/version=N/   the total of every line of day D in batches
                                             0..N, for one source (analytics.metrics.sources);
                                             date=__HIVE_DEFAULT_PARTITION__ holds what has
                                             no date (rejected lines)
    <out>/state/_committed/batch_id=N        batch N's state is all written

A batch merges its aggregate of each source with the previous version of only the days it
touches: Spark reads those days' state, groups the union by the source's keys, combines
the values by their rules and writes ``version=N`` of those days (dynamic partition
overwrite). Nothing of the history passes through the driver, and days the batch does not
touch are not read. The cost of a batch is its own lines plus the state of its days.

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
import pyarrow.compute as pc

from ..metrics import ALL, sources
from ..metrics.base import side_by_side
from .store import delete, join, list_dirs, list_status, parquet_files, read_parquet, touch

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

STATE, COMMITTED = "state", "_committed"
READ_ATTEMPTS = 5
READERS = 8  # files of the state read at once (each is a round trip to HDFS)
#: seconds a superseded version of a day stays readable: longer than a report's read takes
SUPERSEDED_KEPT = 300
EPOCH = dt.date(1970, 1, 1)
NO_DATE = "__HIVE_DEFAULT_PARTITION__"  # Spark's directory name for a null partition value


def source_path(out: str, source) -> str:
    return join(out, STATE, source.name)


def _date_dir(day: dt.date | None) -> str:
    return f"date={NO_DATE if day is None else day.isoformat()}"


def _day_of(dirname: str) -> dt.date | None:
    value = dirname.removeprefix("date=")
    return None if value == NO_DATE else dt.date.fromisoformat(value)


def _written(out: str, source, day_dir: str) -> list[tuple[int, float]]:
    """``(version, written at, s since the epoch)`` of one day's versions, oldest first."""
    return sorted((int(name.removeprefix("version=")), modified / 1000) for name, is_dir, modified
                  in list_status(join(source_path(out, source), day_dir))
                  if is_dir and name.startswith("version="))


def _versions(out: str, source, day_dir: str) -> list[int]:
    return [v for v, _ in _written(out, source, day_dir)]


def days_of(partial: pa.Table) -> list[dt.date | None]:
    """The days (None: no date) that a source's aggregate of a batch touches."""
    return pc.unique(partial.column("date")).to_pylist()


def merge(spark, out: str, batch_id: int, source, aggregate: DataFrame, days: list) -> None:
    """Merge batch ``batch_id``'s ``aggregate`` of ``source`` (touching ``days``, see
    :func:`days_of`) into the state: ``version=batch_id`` of each of those days. Safe
    to run again for the same batch (a replay). The batch is committed by :func:`commit`."""
    from pyspark.sql import functions as F

    if not days:
        return
    base = source_path(out, source)
    previous = {}
    for day in days:
        older = [v for v in _versions(out, source, _date_dir(day)) if v < batch_id]
        if older:
            previous[_date_dir(day)] = older[-1]
    frames = aggregate.select(source.columns)
    if previous:
        paths = [join(base, d, f"version={v}") for d, v in previous.items()]
        frames = frames.unionByName(_read(spark, base, source, paths, frames.schema))
    # partitioned by day alone, the grouping needs no second shuffle and each day is
    # written by one task: one file per day, not one per shuffle partition
    merged = frames.repartition("date")
    if previous:  # else every day is new to the state, and the aggregate (a row per key) is its total
        merged = merged.groupBy(*source.keys).agg(*[getattr(F, rule)(c).alias(c) for c, rule in source.values.items()])
    (merged.withColumn("version", F.lit(batch_id))
     .write.mode("overwrite").option("partitionOverwriteMode", "dynamic")
     .partitionBy("date", "version").parquet(base))
    prune(out, source, previous)


def prune(out: str, source, previous: dict[str, int], now: float | None = None) -> None:
    """Delete the versions of each day older than ``previous[day]`` (what a replay of this
    batch merges from) that were superseded more than :data:`SUPERSEDED_KEPT` seconds ago:
    a report may still be reading them."""
    now = time.time() if now is None else now
    for day_dir, version in previous.items():
        written = _written(out, source, day_dir)
        for (old, _), (_, superseded) in zip(written, written[1:]):
            if old < version and superseded < now - SUPERSEDED_KEPT:
                delete(join(source_path(out, source), day_dir, f"version={old}"))


def prune_day(out: str, day_dir: str) -> None:
    """Prune one day of every source down to its two newest versions (those superseded
    long enough ago): for a closed day, which no batch merges into any more."""
    for source in sources.ALL_SOURCES:
        versions = _versions(out, source, day_dir)
        if len(versions) > 2:
            prune(out, source, {day_dir: versions[-2]})


def _read(spark, base: str, source, paths: list[str], state_schema) -> DataFrame:
    return spark.read.schema(state_schema).option("basePath", base).parquet(*paths).select(source.columns)


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


def read_source(out: str, source, first: dt.date | None = None, last: dt.date | None = None,
                upto: int | None = None) -> pa.Table:
    """One source's state over the days ``first``..``last`` (inclusive; None: open), plus
    its undated rows, as of batch ``upto`` (default: the last committed), as Arrow. Read
    with pyarrow, no Spark: the state is as small as its keys."""
    base = source_path(out, source)
    target = sources.arrow_schema(source)
    days = [(d, _day_of(d)) for d in list_dirs(base) if d.startswith("date=")]
    days = [(d, day) for d, day in days
            if day is None or not ((first and day < first) or (last and day > last))]

    def day_tables(day_dir: str, day: dt.date | None) -> list[pa.Table]:
        done = [v for v in _versions(out, source, day_dir) if upto is None or v <= upto]
        tables = []
        for part in parquet_files(join(base, day_dir, f"version={done[-1]}")) if done else []:
            table = read_parquet(part)
            table = table.append_column("date", _days(day, table.num_rows))
            tables.append(table.select(target.names).cast(target))
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


def read_totals(out: str, first: dt.date | None = None, last: dt.date | None = None) -> dict[str, pa.Table]:
    """``{analytic name: table}`` over the days ``first``..``last`` (inclusive; None:
    open) as of the last committed batch; ``{}`` if no batch was committed. No Spark: the
    files are read with pyarrow (local) or through WebHDFS (hdfs://)."""
    for attempt in range(READ_ATTEMPTS):
        upto = last_committed(out)
        if upto is None:
            return {}
        try:
            read = [read_source(out, s, first, last, upto) for s in sources.ALL_SOURCES]
            break
        except Exception as error:
            # a running stream pruned a version this read had listed (a read slower than
            # SUPERSEDED_KEPT): read again, as of the newer commit
            if attempt == READ_ATTEMPTS - 1 or not _gone(error):
                raise
    tables = dict(zip(sources.ALL_SOURCES, read))
    return {a.name: a.derive(tables[a.source]).select(a.columns) for a in ALL}
