"""The streaming job behind ``spark_stream.py``: Kafka -> one micro-batch at a time -> the
ten analytics (I/O lives here, at the edge; the parsing and the analytics are pure).

Every trigger the new Kafka messages become one micro-batch. Each message holds one log
line, or several joined by newlines. The batch is parsed once and written by
:func:`analytics.batch.write_batch`: records, rejects, the per-day state, and the batch's
own results. Exactly once: everything a batch writes is keyed by its batch id and
overwritten, so a batch Spark replays after a crash (same id, same offsets, per the
checkpoint) rewrites the same results instead of adding to them.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import io
import json
import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from .errors import UserError, one_line
from .session import is_remote

ROOT = Path(__file__).resolve().parent.parent
CONNECTOR_JARS = ROOT / "stack" / "lib" / "spark-kafka"
# What the connector needs beyond Spark itself (Spark already ships Scala, lz4, snappy, slf4j).
CONNECTOR_PREFIXES = ("spark-sql-kafka-0-10", "spark-token-provider-kafka-0-10", "kafka-clients", "commons-pool2")
KAFKA_SOURCE_CLASS = "org.apache.spark.sql.kafka010.KafkaSourceProvider"
#: the bundled sample a driver warms up on before its first batch
WARM_UP_LOG = ROOT / "data" / "sample" / "apache_combined_2015-05.log.gz"
WRITERS = 4  # Spark jobs in flight at once within a batch
KEEP_BATCHES = 360  # batches/ kept: an hour of the default 10 s trigger
COMPACT_EVERY = 60  # seconds between two looks for closed days
# Kafka's consumer fetches at most 1 MB of a partition at a time by default: larger
# fetches read a backlog in fewer round trips
KAFKA_FETCH = {"kafka.max.partition.fetch.bytes": str(16 << 20), "kafka.fetch.max.bytes": str(64 << 20)}


# --- the Spark session and the connector ------------------------------------

def connector_jars() -> list[str]:
    jars = sorted(glob.glob(str(CONNECTOR_JARS / "*.jar")))
    return [j for j in jars if os.path.basename(j).startswith(CONNECTOR_PREFIXES)]


def stream_session(master: str | None = None):
    """The session with the Kafka connector on its classpath (unless spark-submit's
    ``--jars``/``--packages`` already named it)."""
    from .session import add_jars, spark_session, submitted_conf

    submitted = submitted_conf()
    declared = submitted.get("spark.jars", "") + submitted.get("spark.jars.packages", "")
    jars = [] if "spark-sql-kafka" in declared else connector_jars()
    config = {"spark.sql.streaming.stopGracefullyOnShutdown": "true"}
    if jars:
        config["spark.jars"] = ",".join(jars)
    spark = spark_session("log-analytics-stream", master, config=config)
    if jars and not is_remote(spark):
        add_jars(spark, jars, KAFKA_SOURCE_CLASS)
    return spark


# --- checks before starting: one clear line instead of a long Java trace ----------

def check_kafka(bootstrap_servers: str, topic: str) -> None:
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError
    if not any(_listening(server) for server in bootstrap_servers.split(",")):
        raise UserError(f"cannot reach Kafka at {bootstrap_servers} (connection refused or timed out); "
                        f"is the broker up? (`make up`)")
    try:
        consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers.split(","), request_timeout_ms=10000)
    except KafkaError as error:
        raise UserError(f"cannot reach Kafka at {bootstrap_servers} ({type(error).__name__}); "
                        f"is the broker up? (`make up`)") from None
    try:
        if topic not in consumer.topics():
            raise UserError(f"topic {topic!r} does not exist at {bootstrap_servers}; "
                            f"publish to it first (python kafka_producer.py FILE --topic {topic})")
    finally:
        consumer.close()


def _listening(server: str) -> bool:
    host, _, port = server.strip().rpartition(":")
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=5).close()
        return True
    except (OSError, ValueError):
        return False


def deleted_unread(bootstrap_servers: str, topic: str, checkpoint: str) -> dict[int, tuple[int, int]]:
    """``{partition: (first, end)}``: offsets the stream has not read yet that Kafka no
    longer holds (retention deleted them). From the last batch the checkpoint committed,
    where the next batch starts, to each partition's first offset in Kafka."""
    from kafka import KafkaConsumer, TopicPartition
    done = checkpoint_committed(checkpoint)
    if done < 0:
        return {}
    read_to = batch_end_offsets(checkpoint, done, topic)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers.split(","), request_timeout_ms=10000)
    try:
        first = consumer.beginning_offsets([TopicPartition(topic, p) for p in read_to])
    finally:
        consumer.close()
    return {tp.partition: (read_to[tp.partition], offset) for tp, offset in sorted(first.items())
            if offset > read_to[tp.partition]}


def check_lost(bootstrap_servers: str, topic: str, checkpoint: str, skip: bool) -> None:
    """Offsets deleted before the stream read them stop it with the range, unless ``skip``:
    then it says what it skips and goes on."""
    lost = deleted_unread(bootstrap_servers, topic, checkpoint)
    if not lost:
        return
    ranges = ", ".join(f"partition {p} offsets {first}-{end - 1}" for p, (first, end) in lost.items())
    count = sum(end - first for first, end in lost.values())
    if not skip:
        raise UserError(f"{count:,} messages of {topic} were deleted by Kafka's retention before the stream "
                        f"read them ({ranges}); pass --skip-lost-offsets to go on without them")
    print(f"stream: skipping {count:,} messages deleted by Kafka's retention before they were read ({ranges})",
          flush=True)


def check_output(spark, output: str, checkpoint: str) -> None:
    """Both ways the job writes reach ``output``: Spark's (records, state) and ours
    (markers, small files; :mod:`analytics.storage.store`). And its totals, if any, are this
    stream's: a stream numbers its versions of the state from batch 0, so it would write
    over the totals of ``analytics run`` (its batch 0) or of a stream whose checkpoint is
    gone."""
    from .storage import state, store
    if store.exists(store.join(output, state.STATE)) and not logged_batches(checkpoint, "offsets"):
        raise UserError(f"{output} already holds totals that no batch of the checkpoint {checkpoint} wrote "
                        f"(`python -m analytics run`, or a stream whose checkpoint is gone); give the stream "
                        f"another --output, or delete that one first")
    probe = store.join(output, "_write_check")
    try:
        spark.range(0).write.mode("overwrite").parquet(probe)
        store.delete(probe)
    except UserError as error:
        raise UserError(str(error)) from None
    except Exception as error:  # py4j wraps the Java exception
        raise UserError(f"cannot write to {output}: {one_line(error)}") from None


# --- one micro-batch ----------------------------------------------------------

class StopRequested(Exception):
    """Raised by a batch that starts after a stop was asked for: it commits nothing,
    so its offsets are processed again on the next run."""


class BatchWriter:
    """The foreachBatch function: parse once, ten analytics, replay-safe writes.
    ``lag``: where to ask how far the stream is behind the topic (None: do not ask)."""

    def __init__(self, output: str, lag: TopicLag | None, keep_batches: int = KEEP_BATCHES,
                 compact_after: float = 0):
        self.output = output
        self.busy = threading.Lock()   # held while a batch runs, so a stop can wait for it
        self.stopping = threading.Event()
        self.lag = lag
        self.keep_batches = keep_batches
        self.swept = False  # batches/ older than the retention, left by an earlier run
        self.compact_after = compact_after * 60  # seconds; 0: never
        self.compacted_at = None  # when closed days were last looked for (monotonic)
        self.failure = None  # why a batch failed, in one line

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
        from .batch import write_batch

        started = time.monotonic()
        lines = messages.select(
            "partition", "offset",
            F.posexplode(F.split(F.col("value").cast("string"), "\n", -1)).alias("line_in_message", "value"))
        parsed = parse.for_cache(parse.parse(lines)).persist()
        try:
            per_partition = parsed.groupBy("partition").agg(
                F.count(F.lit(1)).alias("lines"), F.count("reject_reason").alias("rejects"),
                F.max("offset").alias("last_offset")).collect()
            if not per_partition:
                return
            write_batch(parsed, self.output, batch_id, keep_batches=self.keep_batches, workers=WRITERS)
        finally:
            parsed.unpersist()
        if not self.swept:
            store.prune_batches(self.output, before=batch_id - self.keep_batches + 1)
            self.swept = True
        self._compact(messages.sparkSession)
        self._report(batch_id, per_partition, time.monotonic() - started)

    def _compact(self, spark) -> None:
        """Compact the closed days' records, looking at most once a minute (a listing of
        every day's records folder)."""
        from .storage.compact import compact

        if self.compact_after and (self.compacted_at is None or time.monotonic() - self.compacted_at >= COMPACT_EVERY):
            compact(spark, self.output, self.compact_after, log=lambda line: print(line, flush=True))
            self.compacted_at = time.monotonic()

    def _report(self, batch_id: int, per_partition: list, elapsed: float) -> None:
        """One line on stdout, and the same as one row under ``progress/`` (the dashboard's
        stream health), kept as long as ``batches/``."""
        import datetime as dt

        import pyarrow as pa

        from .storage import store

        lines = sum(row["lines"] for row in per_partition)
        rejects = sum(row["rejects"] for row in per_partition)
        lag = self.lag and self.lag.behind(batch_id)
        progress = pa.table({
            "batch_id": pa.array([batch_id], pa.int64()), "lines": pa.array([lines], pa.int64()),
            "rejected": pa.array([rejects], pa.int64()), "seconds": pa.array([elapsed], pa.float64()),
            "behind": pa.array([lag], pa.int64()),
            "finished_at": pa.array([dt.datetime.now(dt.timezone.utc)], pa.timestamp("us", tz="UTC"))})
        store.write_table(store.join(self.output, store.PROGRESS, f"batch_id={batch_id}"), progress)
        print(f"batch {batch_id}: {lines:,} lines, {rejects:,} rejected, {elapsed:.1f} s, "
              f"{lines / elapsed:,.0f} lines/s" + (f", {lag:,} messages behind" if lag is not None else ""),
              flush=True)


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


def as_messages(lines):
    """A DataFrame of text lines (column ``value``) shaped as the Kafka source's messages,
    one line each, for the batch function without Kafka (a warm-up, a profile)."""
    from pyspark.sql import functions as F
    return lines.select(F.spark_partition_id().alias("partition"), F.monotonically_increasing_id().alias("offset"),
                        F.col("value").cast("binary").alias("value"))


def warm_up(spark, log: str, output: str, batches: int = 3) -> None:
    """Run ``log``'s lines through the batch function ``batches`` times, into ``output``,
    quietly, so that this driver has loaded and compiled the stream's path before a stream
    runs: the first real batches then run on compiled code."""
    writer = BatchWriter(output, lag=None)
    messages = as_messages(spark.read.text(log))
    with contextlib.redirect_stdout(io.StringIO()):
        for batch_id in range(batches):
            writer(messages, batch_id)


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


# --- the query ------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    """Run the stream of ``args`` (as :func:`spark_stream.parse_args` gives them) until it
    ends (``available_now``), fails, or SIGINT/SIGTERM asks it to stop after the batch in
    progress."""
    check_kafka(args.bootstrap_servers, args.topic)
    check_lost(args.bootstrap_servers, args.topic, args.checkpoint, args.skip_lost_offsets)
    spark = stream_session(args.master)
    check_output(spark, args.output, args.checkpoint)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # the sample and the scratch folder are local files: no warm-up on a cluster
    if args.warm_up and not args.available_now and not is_remote(spark) and spark.sparkContext.master.startswith("local"):
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="stream-warm-up-") as scratch:
            warm_up(spark, str(WARM_UP_LOG), f"file://{scratch}")
        print(f"stream: warmed up in {time.monotonic() - started:.1f} s", flush=True)
        if stop.is_set():
            print("stream: stopped on signal before its first batch", flush=True)
            spark.stop()
            return 0
    reader = (spark.readStream.format("kafka")
              .option("kafka.bootstrap.servers", args.bootstrap_servers)
              .option("subscribe", args.topic)
              .option("startingOffsets", args.starting_offsets)
              .option("failOnDataLoss", str(not args.skip_lost_offsets).lower())
              .options(**KAFKA_FETCH))
    if args.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(args.max_offsets_per_trigger))
    writer = BatchWriter(args.output, TopicLag(args.bootstrap_servers, args.topic, args.checkpoint),
                         args.keep_batches, args.compact_after)
    stream = (reader.load().writeStream.foreachBatch(writer)
              .option("checkpointLocation", args.checkpoint)
              .queryName("log-analytics"))
    stream = (stream.trigger(availableNow=True) if args.available_now
              else stream.trigger(processingTime=f"{args.trigger_seconds:g} seconds"))
    query = stream.start()
    try:
        mode = "draining the topic, then stopping" if args.available_now else f"every {args.trigger_seconds:g} s"
        print(f"stream: {args.topic} at {args.bootstrap_servers} -> {args.output} ({mode}); "
              f"checkpoint {args.checkpoint}", flush=True)
        while query.isActive and not stop.is_set():
            try:
                query.awaitTermination(0.5)
            except Exception:  # the query failed: query.exception() below says why
                break
        if stop.is_set():
            writer.stopping.set()  # a batch that starts from now on commits nothing
            with writer.busy:      # let the batch in progress finish
                pass
            query.stop()
            print("stream: stopped on signal after the last complete batch", flush=True)
        else:
            error = query.exception()
            if error is not None:
                raise UserError(f"the stream failed: {writer.failure or one_line(error)}")
    finally:
        if query.isActive:
            query.stop()
        writer.lag.close()
    spark.stop()
    return 0
