"""Reading and writing the output layout (I/O lives here, at the edge).

Layout under an output URI (``file://``, ``hdfs://`` or a local path)::

    <out>/totals/<analytic>/version=<N>/   running totals after batch N, Parquet
                                           (the batch runner writes version 0); a version
                                           is complete when its _SUCCESS marker exists
    <out>/records/date=D/batch_id=N/       parsed records of batch N, Parquet
    <out>/rejects/batch_id=N/              rejected lines (line, reason, ...) of batch N
    <out>/batches/<analytic>/batch_id=N/   batch N's own partial (the stream only)

Everything a batch writes is keyed by its batch id and overwritten, never appended,
so a batch replayed after a crash replaces its first attempt instead of doubling it.
The batch runner is batch 0.

Records and rejects are written by Spark. Totals and batch partials are small Arrow
tables on the driver (see :mod:`analytics.base`): each is one Parquet file written and
read through the session's Hadoop FileSystem, so any URI Spark can write, it can too.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from . import ALL, batch_partials
from .base import side_by_side
from .parse import records, rejects

TOTALS, RECORDS, REJECTS, BATCHES = "totals", "records", "rejects", "batches"


def join(*parts: str) -> str:
    return "/".join([parts[0].rstrip("/"), *parts[1:]])


def _fs(spark, uri: str):
    """(Hadoop FileSystem, Path) for ``uri``; works for file:// and hdfs:// alike."""
    path = spark._jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark._jsc.hadoopConfiguration()), path


def exists(spark, uri: str) -> bool:
    fs, path = _fs(spark, uri)
    return bool(fs.exists(path))


def make_dirs(spark, uri: str) -> None:
    """Create ``uri`` and its parents (raises if the file system cannot be reached)."""
    fs, path = _fs(spark, uri)
    fs.mkdirs(path)


def delete(spark, uri: str) -> bool:
    """Delete ``uri`` recursively; True if something was deleted."""
    fs, path = _fs(spark, uri)
    return bool(fs.exists(path) and fs.delete(path, True))


def versions(spark, out: str, name: str) -> dict[int, bool]:
    """``{N: complete}`` for every ``version=N`` of one analytic's totals."""
    fs, path = _fs(spark, join(out, TOTALS, name))
    if not fs.exists(path):
        return {}
    found = {}
    for status in fs.listStatus(path):
        dirname = status.getPath().getName()
        if status.isDirectory() and dirname.startswith("version="):
            try:
                n = int(dirname[len("version="):])
            except ValueError:
                continue
            found[n] = bool(fs.exists(spark._jvm.org.apache.hadoop.fs.Path(status.getPath(), "_SUCCESS")))
    return found


def totals_path(out: str, name: str, version: int) -> str:
    return join(out, TOTALS, name, f"version={version}")


def batch_path(out: str, name: str, batch_id: int) -> str:
    return join(out, BATCHES, name, f"batch_id={batch_id}")


SUCCESS, PART = "_SUCCESS", "part-00000.parquet"


def write_table(spark, uri: str, table: pa.Table) -> None:
    """Write ``table`` as the folder ``uri`` holding one Parquet file, replacing what was
    there. The ``_SUCCESS`` marker comes last: a folder without it is an interrupted write."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    delete(spark, uri)
    fs, path = _fs(spark, uri)
    Path = spark._jvm.org.apache.hadoop.fs.Path
    stream = fs.create(Path(path, PART), True)
    try:
        stream.write(sink.getvalue().to_pybytes())
    finally:
        stream.close()
    fs.create(Path(path, SUCCESS), True).close()


def read_table(spark, uri: str) -> pa.Table:
    """The Parquet files of the folder ``uri`` (as :func:`write_table` or Spark wrote
    it) as one Arrow table."""
    fs, path = _fs(spark, uri)
    tables = []
    for status in sorted(fs.listStatus(path), key=lambda s: s.getPath().getName()):
        if status.isFile() and not status.getPath().getName().startswith(("_", ".")):
            stream = fs.open(status.getPath())
            try:
                data = spark._jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
            finally:
                stream.close()
            tables.append(pq.read_table(pa.BufferReader(data)))
    return pa.concat_tables(tables)


def write_totals(spark, out: str, version: int, totals: dict[str, pa.Table]) -> None:
    """Write each analytic's total as ``<out>/totals/<name>/version=<version>/``
    (overwriting a half-written version of the same number, e.g. a replayed batch)."""
    for name, table in totals.items():
        write_table(spark, totals_path(out, name, version), table)


def latest_version(spark, out: str, name: str, before: int | None = None) -> int | None:
    """The newest complete version of one analytic's totals (older than ``before``
    if given: what batch ``before`` merges into), or None."""
    done = [n for n, complete in versions(spark, out, name).items()
            if complete and (before is None or n < before)]
    return max(done) if done else None


def read_version(spark, out: str, name: str, version: int) -> pa.Table:
    """One version of one analytic's totals."""
    return read_table(spark, totals_path(out, name, version))


def read_totals(spark, out: str) -> dict[str, pa.Table]:
    """``{name: table}`` of the newest complete version of each analytic's totals.
    Analytics with no complete version are left out."""
    result = {}
    for a in ALL:
        n = latest_version(spark, out, a.name)
        if n is not None:
            result[a.name] = read_version(spark, out, a.name, n)
    return result


def prune_totals(spark, out: str, keep_version: int) -> list[str]:
    """Delete every totals version older than ``keep_version``; returns what was deleted."""
    deleted = []
    for a in ALL:
        for n in versions(spark, out, a.name):
            if n < keep_version:
                uri = totals_path(out, a.name, n)
                if delete(spark, uri):
                    deleted.append(uri)
    return deleted


def write_records(records: DataFrame, out: str, batch_id: int = 0) -> None:
    """Write batch ``batch_id``'s parsed records to ``<out>/records/date=D/batch_id=N/``,
    replacing only that batch's partitions. At most one file per date per core: a
    coalesce, not a shuffle (the records are cached upstream, so nothing is recomputed)."""
    cores = records.sparkSession.sparkContext.defaultParallelism
    (records.withColumn("batch_id", F.lit(batch_id)).coalesce(cores)
     .write.mode("overwrite").option("partitionOverwriteMode", "dynamic")
     .partitionBy("date", "batch_id").parquet(join(out, RECORDS)))


def write_rejects(rejects: DataFrame, out: str, batch_id: int = 0) -> None:
    """Write batch ``batch_id``'s rejected lines (``line``, ``reason``, ...) to
    ``<out>/rejects/batch_id=N/``, replacing that batch's earlier attempt."""
    rejects.coalesce(1).write.mode("overwrite").parquet(join(out, REJECTS, f"batch_id={batch_id}"))


def write_batch(parsed: DataFrame, out: str, batch_id: int, write_partial, workers: int = 3) -> dict[str, pa.Table]:
    """Write one batch's records and rejects, hand each analytic's partial to
    ``write_partial(analytic, partial)`` and return the partials by name. ``parsed`` is
    the cached output of :func:`analytics.parse.for_cache`. Three lanes run side by side:
    records (the biggest job), rejects, and the analytics: their five aggregations, then
    the small partial and total tables, written while records is still being written."""
    def analytics_lane() -> dict[str, pa.Table]:
        partials = batch_partials(parsed, workers)
        side_by_side([lambda a=a: write_partial(a, partials[a.name]) for a in ALL], workers)
        return partials

    *_, partials = side_by_side([lambda: write_records(records(parsed), out, batch_id),
                                 lambda: write_rejects(rejects(parsed), out, batch_id),
                                 analytics_lane], 3)
    return partials
