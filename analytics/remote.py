"""The stream through Spark Connect (``SPARK_REMOTE``): what differs from a classic session.

Through Connect, foreachBatch pickles its function and calls it in a Python worker of the
server, for the query's whole life. So what is pickled (:class:`ServerBatch`) holds plain
values only and makes its :class:`~analytics.microbatch.BatchWriter` there, on its first
batch; the server's worker imports this package from a zip the client sends
(:func:`ship_package`), not from a checkout of its own. What a batch prints goes to the
server's log: the client prints each batch's line itself, from the batch's row under
``progress/``, once the query reports the batch as done (:func:`follow`).

A stop asked on the client puts a marker beside the checkpoint that every batch looks for
before it starts: the client then waits for the batch in progress to end, as a classic
session does, and stops the query.
"""
from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from .microbatch import BatchWriter, StopRequested, TopicLag, progress_line
from .storage import store

PACKAGE = Path(__file__).resolve().parent
#: what the server never runs: the parser's jar is on its classpath already (`make connect`)
NOT_SHIPPED = ("__pycache__", "jvm")
POLL = 0.5  # seconds between two looks at the query


def ship_package(spark) -> None:
    """Send this ``analytics`` package to the session's server as a zip on its Python
    workers' path (Spark Connect's artifacts: they last as long as the session)."""
    with tempfile.TemporaryDirectory(prefix="analytics-artifact-") as folder:
        archive = Path(folder) / "analytics.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(PACKAGE.rglob("*")):
                inside = path.relative_to(PACKAGE)
                if path.is_file() and not set(inside.parts) & set(NOT_SHIPPED) and path.suffix != ".pyc":
                    zipped.write(path, Path(PACKAGE.name) / inside)
        spark.addArtifacts(str(archive), pyfile=True)


def stop_marker(checkpoint: str) -> str:
    return store.join(checkpoint, "stop_requested")


def server_batch(args) -> ServerBatch:
    """The foreachBatch function of the stream of ``args``, for the server; a stop marker
    left by a run that was killed while stopping is deleted first."""
    store.delete(stop_marker(args.checkpoint))
    return ServerBatch(args.output, args.bootstrap_servers, args.topic, args.checkpoint, args.keep_batches,
                       args.compact_after, args.log_format)


class ServerBatch:
    """The foreachBatch function through Spark Connect, as pickled to the server: the
    stream's flags, and the BatchWriter it makes from them on the server (a lock, an
    event and a Kafka consumer do not pickle)."""

    def __init__(self, output: str, bootstrap_servers: str, topic: str, checkpoint: str, keep_batches: int,
                 compact_after: float, log_format: str):
        self.output = output
        self.log_format = log_format
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.checkpoint = checkpoint
        self.keep_batches = keep_batches
        self.compact_after = compact_after
        self.writer = None
        # why a batch failed is known on the server only: the query's own error says it
        self.failure = None

    def __call__(self, messages, batch_id: int) -> None:
        if store.exists(stop_marker(self.checkpoint)):
            raise StopRequested()
        if self.writer is None:
            self.writer = BatchWriter(self.output, TopicLag(self.bootstrap_servers, self.topic, self.checkpoint),
                                      self.keep_batches, self.compact_after, self.log_format)
        self.writer(messages, batch_id)

    def close(self) -> None:
        """Nothing on the client: the server ends its worker, and the writer, with the query."""


class Printer:
    """Prints each batch the query reports as done (its ``recentProgress``, which counts
    only batches that ran and committed), from the row that batch wrote."""

    def __init__(self, query, output: str):
        self.query = query
        self.output = output
        self.printed: set[int] = set()

    def __call__(self) -> None:
        for progress in self.query.recentProgress:
            # a trigger with no new messages reports progress too, with no input rows
            if progress.batchId in self.printed or not progress.numInputRows:
                continue
            self.printed.add(progress.batchId)
            row = store.join(self.output, store.PROGRESS, f"batch_id={progress.batchId}")
            if store.exists(row):  # a batch of empty messages only writes nothing
                print(progress_line(store.read_table(row).to_pylist()[0]), flush=True)


def follow(query, output: str, checkpoint: str, stop) -> None:
    """Print the batches of ``query`` as they end, until it ends or ``stop`` is set; then
    stop it after the batch in progress."""
    printer = Printer(query, output)
    while query.isActive and not stop.is_set():
        printer()
        time.sleep(POLL)
    if stop.is_set():
        # from now on a batch that starts commits nothing; the one in progress (if any)
        # ends before the query is stopped
        store.touch(stop_marker(checkpoint))
        while query.isActive and query.status["isTriggerActive"]:
            time.sleep(POLL / 5)
        query.stop()
        store.delete(stop_marker(checkpoint))
    printer()
