"""The streaming job behind ``spark_stream.py``: Kafka -> one micro-batch at a time -> the
ten analytics (I/O lives here, at the edge; the parsing and the analytics are pure).

Every trigger the new Kafka messages become one micro-batch. Each message holds one log
line, or several joined by newlines. The batch is parsed once and written by
:func:`analytics.batch.write_batch`: records, rejects, the per-day state, and the batch's
own results. Exactly once: everything a batch writes is keyed by its batch id and
overwritten, so a batch Spark replays after a crash (same id, same offsets, per the
checkpoint) rewrites the same results instead of adding to them.

The batch function is :mod:`analytics.microbatch`'s; what differs through Spark Connect
(where it runs, how its lines reach this terminal, how a stop ends) is :mod:`analytics.remote`.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import io
import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from . import remote
from .errors import UserError, one_line
from .microbatch import BatchWriter, TopicLag, batch_end_offsets, checkpoint_committed, logged_batches
from .session import is_remote

ROOT = Path(__file__).resolve().parent.parent
CONNECTOR_JARS = ROOT / "stack" / "lib" / "spark-kafka"
# What the connector needs beyond Spark itself (Spark already ships Scala, lz4, snappy, slf4j).
CONNECTOR_PREFIXES = ("spark-sql-kafka-0-10", "spark-token-provider-kafka-0-10", "kafka-clients", "commons-pool2")
KAFKA_SOURCE_CLASS = "org.apache.spark.sql.kafka010.KafkaSourceProvider"
#: the bundled sample a driver warms up on before its first batch
WARM_UP_LOG = ROOT / "data" / "sample" / "apache_combined_2015-05.log.gz"
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
    config = {"spark.jars": ",".join(jars)} if jars else {}
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
    kept = store.list_dirs(state.state_path(output))
    state.check_layout(output, kept)
    if kept and not logged_batches(checkpoint, "offsets"):
        raise UserError(f"{output} already holds totals that no batch of the checkpoint {checkpoint} wrote "
                        f"(`python -m analytics run`, or a stream whose checkpoint is gone); give the stream "
                        f"another --output, or delete that one first")
    probe = store.join(output, "_write_check")
    try:
        spark.range(0).write.mode("overwrite").parquet(probe)
        store.delete(probe)
    except UserError as error:
        raise UserError(str(error)) from None
    except Exception as error:  # py4j wraps the Java exception; Connect, the server's
        raise UserError(f"cannot write to {output}: {one_line(error)}") from None


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


# --- the log format, kept with the checkpoint ------------------------------------

#: where the checkpoint keeps the format its batches were parsed by (Spark leaves folders
#: of others alone)
LOG_FORMAT_KEPT = "log_format"


def keep_log_format(spark, log_format: str, checkpoint: str, first_lines) -> str:
    """The format the stream parses by, printed once: ``log_format`` when one is given;
    for ``auto``, the format kept with ``checkpoint`` by an earlier run, so that a restart
    reads the same way, else the one detected in ``first_lines()`` (the topic's first
    lines). A given or detected format is kept; a fallback to Combined (nothing detected,
    an empty topic) is not, so the next start detects again."""
    import pyarrow as pa

    from .formats import AUTO
    from .parse import FALLBACK, check_format, detect_format
    from .storage import store

    kept = store.join(checkpoint, LOG_FORMAT_KEPT)
    if log_format.strip().lower() != AUTO:
        print(f"log format: {check_format(spark, log_format).name}", flush=True)
    elif store.exists(kept):
        log_format = store.read_table(kept).column("log_format")[0].as_py()
        print(f"log format: {check_format(spark, log_format).name} (kept with the checkpoint)", flush=True)
        return log_format
    else:
        log_format = detect_format(spark, first_lines())
        if log_format is None:
            print(f"log format: {FALLBACK} (no named format reads the first lines)", flush=True)
            return FALLBACK
        print(f"log format: {log_format} (detected)", flush=True)
    store.write_table(kept, pa.table({"log_format": [log_format]}))
    return log_format


def first_lines(bootstrap_servers: str, topic: str, starting_offsets: str, count: int = 100) -> list[str]:
    """Up to ``count`` lines from the start of ``topic`` (none when the stream starts at
    ``latest``: its first lines are not written yet), for detecting the log format."""
    from kafka import KafkaConsumer, TopicPartition
    if starting_offsets == "latest":
        return []
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers.split(","), request_timeout_ms=10000,
                             consumer_timeout_ms=3000, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        lines = []
        for message in consumer:
            lines += message.value.decode("utf-8", errors="replace").split("\n")
            if len(lines) >= count:
                break
        return lines[:count]
    finally:
        consumer.close()


# --- the query ------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    """Run the stream of ``args`` (as :func:`spark_stream.parse_args` gives them) until it
    ends (``available_now``), fails, or SIGINT/SIGTERM asks it to stop after the batch in
    progress."""
    check_kafka(args.bootstrap_servers, args.topic)
    check_lost(args.bootstrap_servers, args.topic, args.checkpoint, args.skip_lost_offsets)
    spark = stream_session(args.master)
    check_output(spark, args.output, args.checkpoint)
    args.log_format = keep_log_format(
        spark, args.log_format, args.checkpoint,
        lambda: first_lines(args.bootstrap_servers, args.topic, args.starting_offsets))
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
    if is_remote(spark):
        remote.ship_package(spark)
        writer = remote.server_batch(args)
    else:
        writer = BatchWriter(args.output, TopicLag(args.bootstrap_servers, args.topic, args.checkpoint),
                             args.keep_batches, args.compact_after, args.log_format)
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
        if is_remote(spark):
            remote.follow(query, args.output, args.checkpoint, stop)
        else:
            _follow(query, writer, stop)
        if stop.is_set():
            print("stream: stopped on signal after the last complete batch", flush=True)
        else:
            error = query.exception()
            if error is not None:
                raise UserError(f"the stream failed: {writer.failure or one_line(error)}")
    finally:
        if query.isActive:
            query.stop()
        writer.close()
    spark.stop()
    return 0


def _follow(query, writer: BatchWriter, stop: threading.Event) -> None:
    """Wait for ``query`` (classic: the batch function runs in this process and prints its
    own lines) until it ends or ``stop`` is set; then stop it after the batch in progress."""
    while query.isActive and not stop.is_set():
        try:
            query.awaitTermination(0.5)
        except Exception:  # the query failed: query.exception() says why
            break
    if stop.is_set():
        writer.stopping.set()  # a batch that starts from now on commits nothing
        with writer.busy:      # let the batch in progress finish
            pass
        query.stop()
