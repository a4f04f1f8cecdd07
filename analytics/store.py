"""Reading and writing the output layout (I/O lives here, at the edge).

Layout under an output URI (``file://``, ``hdfs://`` or a local path)::

    <out>/state/...                        the running totals per day (analytics.state)
    <out>/records/date=D/batch_id=N/       parsed records of batch N, Parquet (a closed
                                           day's are compacted into batch_id=<its last>)
    <out>/rejects/batch_id=N/              rejected lines (line, reason, ...) of batch N
    <out>/batches/<analytic>/batch_id=N/   batch N's own partial (the stream only, kept
                                           for its newest --keep-batches batches)

Everything a batch writes is keyed by its batch id and overwritten, never appended,
so a batch replayed after a crash replaces its first attempt instead of doubling it.
The batch runner is batch 0.

Records and rejects are written by Spark. Batch partials are small Arrow tables on the
driver (a batch's own aggregates): each is one Parquet file written and read through the
session's Hadoop FileSystem, so any URI Spark can write, it can too.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

RECORDS, REJECTS, BATCHES = "records", "rejects", "batches"


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


def list_status(spark, uri: str) -> list[tuple[str, bool, int]]:
    """``(name, is_dir, modified in ms since the epoch)`` of what is directly under
    ``uri``, sorted by name; [] if ``uri`` does not exist."""
    fs, path = _fs(spark, uri)
    if not fs.exists(path):
        return []
    return sorted((str(s.getPath().getName()), bool(s.isDirectory()), int(s.getModificationTime()))
                  for s in fs.listStatus(path))


def list_dirs(spark, uri: str, files: bool = False) -> list[str]:
    """The names of the folders (or, with ``files``, the files) directly under ``uri``,
    sorted; [] if ``uri`` does not exist."""
    return [name for name, is_dir, _ in list_status(spark, uri) if is_dir != files]


def size(spark, uri: str) -> int:
    """Bytes under ``uri``, all files included."""
    fs, path = _fs(spark, uri)
    return int(fs.getContentSummary(path).getLength())


def rename(spark, source: str, target: str) -> None:
    """Move ``source`` to ``target`` (one atomic rename on HDFS), creating its parent."""
    fs, path = _fs(spark, source)
    _, to = _fs(spark, target)
    fs.mkdirs(to.getParent())
    if not fs.rename(path, to):
        raise OSError(f"could not rename {source} to {target}")


def touch(spark, uri: str) -> None:
    """Create the empty file ``uri`` (a marker), replacing it if it exists."""
    fs, path = _fs(spark, uri)
    fs.create(path, True).close()


def batch_path(out: str, name: str, batch_id: int) -> str:
    return join(out, BATCHES, name, f"batch_id={batch_id}")


def delete_batch(spark, out: str, batch_id: int) -> None:
    """Delete batch ``batch_id``'s partials under ``batches/`` (if any)."""
    for name in list_dirs(spark, join(out, BATCHES)):
        delete(spark, batch_path(out, name, batch_id))


def prune_batches(spark, out: str, before: int) -> int:
    """Delete every batch older than ``before`` under ``batches/``; how many folders went."""
    deleted = 0
    for name in list_dirs(spark, join(out, BATCHES)):
        for folder in list_dirs(spark, join(out, BATCHES, name)):
            if folder.startswith("batch_id=") and int(folder.removeprefix("batch_id=")) < before:
                deleted += delete(spark, join(out, BATCHES, name, folder))
    return deleted


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
