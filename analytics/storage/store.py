"""Reading and writing the output layout (I/O lives here, at the edge).

Layout under an output URI (``file://``, ``hdfs://`` or a local path)::

    <out>/state/...                        the running totals per day (analytics.storage.state)
    <out>/records/date=D/batch_id=N/       parsed records of batch N, Parquet (a closed
                                           day's are compacted into batch_id=<its last>)
    <out>/rejects/batch_id=N/              rejected lines (line, reason, ...) of batch N, or of
                                           a block of batches up to N, folded (see compact)
    <out>/batches/batch_id=N/              batch N's own source table, every analytic's
                                           partial derives from it (the stream only,
                                           kept for its newest --keep-batches batches)
    <out>/progress/batch_id=N/             batch N's one line of progress (the stream only,
                                           kept as long): lines, rejected, seconds, behind

Everything a batch writes is keyed by its batch id and overwritten, never appended,
so a batch replayed after a crash replaces its first attempt instead of doubling it.
The batch runner is batch 0.

Records, rejects and the state are written by Spark. Everything else here (listings,
markers, renames, deletes, small Parquet files and the report's reads) goes straight to
the file system from Python, with no JVM: pyarrow for local paths, WebHDFS for
``hdfs://`` (the NameNode's HTTP address: ``LOG_ANALYTICS_WEBHDFS``, default the same
host on port 9870). So it works the same in a classic Spark session, through Spark
Connect, and with no Spark at all.
"""

from __future__ import annotations

import getpass
import io
import os
import shutil
import time
from functools import lru_cache
from urllib.parse import urlparse

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import UserError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

RECORDS, REJECTS, BATCHES, PROGRESS = "records", "rejects", "batches", "progress"
WEBHDFS_PORT = 9870


def join(*parts: str) -> str:
    return "/".join([parts[0].rstrip("/"), *parts[1:]])


class _Local:
    """A local folder (a plain path or ``file://``)."""

    def status(self, path: str) -> list[tuple[str, bool, int]] | None:
        if not os.path.isdir(path):
            return None
        return [(e.name, e.is_dir(), int(e.stat().st_mtime * 1000)) for e in os.scandir(path)]

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def make_dirs(self, path: str) -> None:
        os.makedirs(path, exist_ok=True)

    def delete(self, path: str) -> bool:
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
        else:
            return False
        return True

    def size(self, path: str) -> int:
        if os.path.isfile(path):
            return os.path.getsize(path)
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)

    def rename(self, source: str, target: str) -> None:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.rename(source, target)

    def write(self, path: str, data: bytes) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def read(self, path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()


class _WebHdfs:
    """HDFS through the NameNode's REST API, as the user running this process."""

    def __init__(self, url: str):
        from hdfs import InsecureClient
        self.url = url
        self.client = InsecureClient(url, user=os.environ.get("HADOOP_USER_NAME") or getpass.getuser())

    def status(self, path: str) -> list[tuple[str, bool, int]] | None:
        from hdfs import HdfsError
        try:  # one round trip, not a look for the folder and then its listing
            listed = self.client.list(path, status=True)
        except HdfsError as error:
            if "FileNotFoundException" in str(error) or "does not exist" in str(error):
                return None
            raise
        return [(name, st["type"] == "DIRECTORY", int(st["modificationTime"])) for name, st in listed]

    def exists(self, path: str) -> bool:
        return self.client.status(path, strict=False) is not None

    def make_dirs(self, path: str) -> None:
        self.client.makedirs(path)

    def delete(self, path: str) -> bool:
        return bool(self.client.delete(path, recursive=True))

    def size(self, path: str) -> int:
        return int(self.client.content(path)["length"])

    def rename(self, source: str, target: str) -> None:
        self.client.makedirs(target.rsplit("/", 1)[0])
        self.client.rename(source, target)

    def write(self, path: str, data: bytes) -> None:
        self.client.write(path, data=data, overwrite=True)

    def read(self, path: str) -> bytes:
        with self.client.read(path) as reader:
            return reader.read()


@lru_cache(maxsize=None)
def _webhdfs(url: str) -> _WebHdfs:
    return _WebHdfs(url)


def _fs(uri: str):
    """(file system, path within it) of ``uri``: ``file://``, a local path or ``hdfs://``."""
    u = urlparse(uri)
    if u.scheme in ("", "file"):
        return _Local(), (u.path if u.scheme else uri)
    if u.scheme == "hdfs":
        url = os.environ.get("LOG_ANALYTICS_WEBHDFS") or f"http://{u.hostname or '127.0.0.1'}:{WEBHDFS_PORT}"
        return _webhdfs(url.rstrip("/")), u.path or "/"
    raise UserError(f"{uri}: the output must be a local path, file:// or hdfs:// (not {u.scheme}://)")


#: reads made again when HDFS answers with an error of its own (a DataNode whose link to a
#: NameNode that just restarted is not back yet), a second apart
READ_ATTEMPTS = 5


def _calling(what: str, uri: str, call):
    """``call()``; a file system that cannot be reached is one clear line."""
    for attempt in range(1, READ_ATTEMPTS + 1):
        try:
            return call()
        except (ConnectionError, OSError) as error:
            if isinstance(error, (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError)):
                raise
            raise UserError(f"cannot {what} {uri}: {error.__class__.__name__}: {str(error)[:200]}") from None
        except Exception as error:
            if type(error).__module__.startswith("hdfs"):  # HdfsError: the NameNode's own answer
                if what not in ("read", "list") or attempt == READ_ATTEMPTS or "does not exist" in str(error):
                    raise UserError(f"cannot {what} {uri}: {str(error).splitlines()[0][:300]}") from None
                time.sleep(1)
                continue
            if type(error).__module__.startswith(("requests", "urllib3")):
                raise UserError(f"cannot {what} {uri}: the NameNode's WebHDFS is not answering "
                                f"({type(error).__name__}); is HDFS up? (`make up`)") from None
            raise


def exists(uri: str) -> bool:
    fs, path = _fs(uri)
    return _calling("read", uri, lambda: fs.exists(path))


def make_dirs(uri: str) -> None:
    """Create ``uri`` and its parents (raises if the file system cannot be reached)."""
    fs, path = _fs(uri)
    _calling("write to", uri, lambda: fs.make_dirs(path))


def delete(uri: str) -> bool:
    """Delete ``uri`` recursively; True if something was deleted."""
    fs, path = _fs(uri)
    return _calling("delete", uri, lambda: fs.delete(path))


def list_status(uri: str) -> list[tuple[str, bool, int]]:
    """``(name, is_dir, modified in ms since the epoch)`` of what is directly under
    ``uri``, sorted by name; [] if ``uri`` does not exist."""
    fs, path = _fs(uri)
    return sorted(_calling("list", uri, lambda: fs.status(path)) or [])


def list_dirs(uri: str, files: bool = False) -> list[str]:
    """The names of the folders (or, with ``files``, the files) directly under ``uri``,
    sorted; [] if ``uri`` does not exist."""
    return [name for name, is_dir, _ in list_status(uri) if is_dir != files]


def size(uri: str) -> int:
    """Bytes under ``uri``, all files included."""
    fs, path = _fs(uri)
    return _calling("read", uri, lambda: fs.size(path))


def rename(source: str, target: str) -> None:
    """Move ``source`` to ``target`` (one atomic rename on HDFS), creating its parent."""
    fs, path = _fs(source)
    _, to = _fs(target)
    _calling("rename", source, lambda: fs.rename(path, to))


def touch(uri: str) -> None:
    """Create the empty file ``uri`` (a marker), replacing it if it exists."""
    fs, path = _fs(uri)
    _calling("write to", uri, lambda: fs.write(path, b""))


def delete_batch(out: str, batch_id: int) -> None:
    """Delete batch ``batch_id``'s source table under ``batches/`` and its progress (if any)."""
    for parent in (BATCHES, PROGRESS):
        delete(join(out, parent, f"batch_id={batch_id}"))


def prune_batches(out: str, before: int) -> int:
    """Delete every batch older than ``before`` under ``batches/`` and ``progress/``; how
    many folders went."""
    deleted = 0
    for parent in (join(out, BATCHES), join(out, PROGRESS)):
        for folder in list_dirs(parent):
            if folder.startswith("batch_id=") and int(folder.removeprefix("batch_id=")) < before:
                deleted += delete(join(parent, folder))
    return deleted


SUCCESS, PART = "_SUCCESS", "part-00000.parquet"


def write_table(uri: str, table: pa.Table) -> None:
    """Write ``table`` as the folder ``uri`` holding one Parquet file, replacing what was
    there. The ``_SUCCESS`` marker comes last: a folder without it is an interrupted write."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    delete(uri)
    fs, path = _fs(uri)
    _calling("write to", uri, lambda: fs.write(join(path, PART), sink.getvalue().to_pybytes()))
    _calling("write to", uri, lambda: fs.write(join(path, SUCCESS), b""))


def parquet_files(uri: str) -> list[str]:
    """The Parquet files of the folder ``uri``, as Spark or :func:`write_table` wrote them."""
    return [join(uri, name) for name in list_dirs(uri, files=True) if not name.startswith(("_", "."))]


def read_bytes(uri: str) -> bytes:
    """The whole of the (small) file ``uri``."""
    fs, path = _fs(uri)
    return _calling("read", uri, lambda: fs.read(path))


def read_parquet(uri: str) -> pa.Table:
    """One Parquet file, as Arrow."""
    return pq.ParquetFile(io.BytesIO(read_bytes(uri))).read()


def read_table(uri: str) -> pa.Table:
    """The Parquet files of the folder ``uri`` as one Arrow table."""
    return pa.concat_tables([read_parquet(f) for f in parquet_files(uri)])


def _cores(spark) -> int:
    """The cores Spark runs tasks on; through Spark Connect (no SparkContext on this
    side), Spark's setting or this machine's."""
    try:
        return spark.sparkContext.defaultParallelism
    except Exception:
        return int(spark.conf.get("spark.default.parallelism", "0") or 0) or os.cpu_count() or 2


def write_records(records: DataFrame, out: str, batch_id: int = 0) -> None:
    """Write batch ``batch_id``'s parsed records to ``<out>/records/date=D/batch_id=N/``,
    replacing only that batch's partitions. At most one file per date per core: a
    coalesce, not a shuffle (the records are cached upstream, so nothing is recomputed)."""
    from pyspark.sql import functions as F

    cores = _cores(records.sparkSession)
    (records.withColumn("batch_id", F.lit(batch_id)).coalesce(cores)
     .write.mode("overwrite").option("partitionOverwriteMode", "dynamic")
     .partitionBy("date", "batch_id").parquet(join(out, RECORDS)))


def write_rejects(rejects: DataFrame, out: str, batch_id: int = 0) -> None:
    """Write batch ``batch_id``'s rejected lines (``line``, ``reason``, ...) to
    ``<out>/rejects/batch_id=N/``, replacing that batch's earlier attempt."""
    rejects.coalesce(1).write.mode("overwrite").parquet(join(out, REJECTS, f"batch_id={batch_id}"))
