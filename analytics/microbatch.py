"""One micro-batch of the stream: the foreachBatch function (:class:`BatchWriter`), how far
the stream is behind its topic (:class:`TopicLag`), and what the checkpoint's logs say.
It runs where Spark calls foreachBatch: in the driver of a classic session, in a Python
worker of the server through Spark Connect (:mod:`analytics.remote`)."""
from __future__ import annotations

import json
import threading
import time

from .errors import one_line

KEEP_BATCHES = 360  # batches/ kept: an hour of the default 10 s trigger
COMPACT_EVERY = 60  # seconds between two looks for closed days


class StopRequested(Exception):
    """Raised by a batch that starts after a stop was asked for: it commits nothing,
    so its offsets are processed again on the next run."""


class BatchWriter:
    """The foreachBatch function: parse once, ten analytics, replay-safe writes.
    ``lag``: where to ask how far the stream is behind the topic (None: do not ask)."""

    def __init__(self, output: str, lag: TopicLag | None, keep_batches: int = KEEP_BATCHES,
                 compact_after: float = 0, log_format: str = "combined"):
        self.output = output
        self.log_format = log_format  # as analytics.parse.parse takes it: never "auto"
        self.busy = threading.Lock()   # held while a batch runs, so a stop can wait for it
        self.stopping = threading.Event()
        self.lag = lag
        self.keep_batches = keep_batches
        self.swept = False  # batches/ older than the retention, left by an earlier run
        self.compact_after = compact_after * 60  # seconds; 0: never
        self.compacted_at = None  # when closed days were last looked for (monotonic)
        self.failure = None  # why a batch failed, in one line

    def close(self) -> None:
        if self.lag is not None:
            self.lag.close()

    def __call__(self, messages, batch_id: int) -> None:
        with self.busy:
            if self.stopping.is_set():
                raise StopRequested()
            try:
                self._process(messages, batch_id)
            except Exception as error:
                # what reaches the query is this error as Python's traceback in a string:
                # keep its one line, and its Java cause, while it is still an object
                self.failure = f"batch {batch_id}: {one_line(error)}"
                raise

    def _process(self, messages, batch_id: int) -> None:
        from pyspark.sql import functions as F

        from . import parse
        from .storage import store
        from .batch import mostly_rejected, write_batch

        started = time.monotonic()
        lines = messages.select(
            "partition", "offset",
            F.posexplode(F.split(F.col("value").cast("string"), "\n", -1)).alias("line_in_message", "value"))
        parsed = parse.for_cache(parse.parse(lines, log_format=self.log_format)).persist()
        try:
            counted = write_batch(parsed, self.output, batch_id, keep_batches=self.keep_batches)
            warning = mostly_rejected(parsed, self.log_format, counted)
        finally:
            parsed.unpersist()
        if not counted.lines:
            return
        if warning:
            print(warning, flush=True)
        if not self.swept:
            store.prune_batches(self.output, before=batch_id - self.keep_batches + 1)
            self.swept = True
        self._compact(messages.sparkSession)
        self._report(batch_id, counted, time.monotonic() - started)

    def _compact(self, spark) -> None:
        """Compact the closed days' records, looking at most once a minute (a listing of
        every day's records folder)."""
        from .storage.compact import compact

        if self.compact_after and (self.compacted_at is None or time.monotonic() - self.compacted_at >= COMPACT_EVERY):
            compact(spark, self.output, self.compact_after, log=lambda line: print(line, flush=True))
            self.compacted_at = time.monotonic()

    def _report(self, batch_id: int, counted, elapsed: float) -> None:
        """One line on stdout, and the same as one row under ``progress/`` (the dashboard's
        stream health), kept as long as ``batches/``."""
        import datetime as dt

        import pyarrow as pa

        from .storage import store

        lines, rejects = counted.lines, counted.rejected
        lag = self.lag and self.lag.behind(batch_id)
        progress = pa.table({
            "batch_id": pa.array([batch_id], pa.int64()), "lines": pa.array([lines], pa.int64()),
            "rejected": pa.array([rejects], pa.int64()), "seconds": pa.array([elapsed], pa.float64()),
            "behind": pa.array([lag], pa.int64()),
            "finished_at": pa.array([dt.datetime.now(dt.timezone.utc)], pa.timestamp("us", tz="UTC"))})
        store.write_table(store.join(self.output, store.PROGRESS, f"batch_id={batch_id}"), progress)
        print(progress_line(progress.to_pylist()[0]), flush=True)


def progress_line(row: dict) -> str:
    """A batch's line on stdout, from its row under ``progress/``: what the driver prints
    in a classic session, and the client through Spark Connect."""
    lines, elapsed, lag = row["lines"], row["seconds"], row["behind"]
    return (f"batch {row['batch_id']}: {lines:,} lines, {row['rejected']:,} rejected, {elapsed:.1f} s, "
            f"{lines / elapsed:,.0f} lines/s" + (f", {lag:,} messages behind" if lag is not None else ""))


def logged_batches(checkpoint: str, log: str) -> list[int]:
    """The batch ids in one of the checkpoint's logs: ``offsets`` (a batch is planned,
    before it runs) or ``commits`` (it is done)."""
    from .storage import store
    return sorted(int(name) for name in store.list_dirs(store.join(checkpoint, log), files=True) if name.isdigit())


def batch_end_offsets(checkpoint: str, batch_id: int, topic: str) -> dict[int, int]:
    """``{partition: offset}`` where batch ``batch_id`` ends in ``topic``, as the Kafka
    source logged it in the checkpoint before the batch ran (``offsets/<id>``: a version
    line, the batch's metadata, then one JSON object per source)."""
    from .storage import store
    logged = store.read_bytes(store.join(checkpoint, "offsets", str(batch_id))).decode()
    return {int(p): offset for p, offset in json.loads(logged.splitlines()[2]).get(topic, {}).items()}


def checkpoint_committed(checkpoint: str) -> int:
    """The id of the newest batch the checkpoint has committed, -1 if none (not to be
    confused with :func:`analytics.storage.state.last_committed`, the state's own marker)."""
    return (logged_batches(checkpoint, "commits") or [-1])[-1]



class TopicLag:
    """Messages in the topic past the end of a batch: the topic's end offsets now, less the
    batch's end offsets as the Kafka source logged them in the checkpoint before the batch
    ran (``offsets/<batch id>``: every partition, those without a message in this batch
    too, and also for the first batch after a restart). One ListOffsets request."""

    def __init__(self, bootstrap_servers: str, topic: str, checkpoint: str):
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self.checkpoint = checkpoint
        self.consumer = None

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None

    def behind(self, batch_id: int) -> int | None:
        try:
            from kafka import KafkaConsumer, TopicPartition

            batch_end = batch_end_offsets(self.checkpoint, batch_id, self.topic)
            if self.consumer is None:
                self.consumer = KafkaConsumer(bootstrap_servers=self.bootstrap_servers.split(","),
                                              request_timeout_ms=5000)
            partitions = [TopicPartition(self.topic, p)
                          for p in self.consumer.partitions_for_topic(self.topic) or ()]
            end = self.consumer.end_offsets(partitions)
        except Exception:  # the lag is a courtesy: never fail a batch over it
            return None
        return sum(offset - batch_end.get(tp.partition, 0) for tp, offset in end.items())
