#!/usr/bin/env python3
"""Kafka -> Spark Structured Streaming -> the ten analytics -> Parquet on HDFS.

Every trigger (10 s by default) the new Kafka messages become one micro-batch.
Each message holds one log line, or several joined by newlines. The batch is
parsed once, every analytic in `analytics.ALL` computes its partial aggregate,
and the job writes, under --output:

  batches/<analytic>/batch_id=N/   this batch's own results (the newest
                                   --keep-batches batches are kept)
  state/<source>/date=D/version=N/ running totals per day: the days this batch
                                   touches, merged by Spark with their previous
                                   version (the report reads and combines them)
  records/date=D/batch_id=N/       parsed records, with Kafka partition/offset
  rejects/batch_id=N/              unparseable lines, with their reason

Exactly once: every path above is keyed by the batch id and overwritten, and the
state of batch N is merged from the newest version older than N. A batch that
Spark replays after a crash (same id, same offsets, per the checkpoint) rewrites
the same results instead of adding to them.

    python spark_stream.py                      # against the local stack
    python spark_stream.py --available-now      # drain the topic, then stop
    spark-submit spark_stream.py --help

Run with python while `python -m analytics serve` is running (same Spark master), the job
runs in that warm driver instead of starting its own; LOG_ANALYTICS_SERVICE=off keeps it in
its own process, and spark-submit always does.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import io
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CONNECTOR_JARS = ROOT / "stack" / "lib" / "spark-kafka"
# What the connector needs beyond Spark itself (Spark already ships Scala, lz4, snappy, slf4j).
CONNECTOR_PREFIXES = ("spark-sql-kafka-0-10", "spark-token-provider-kafka-0-10", "kafka-clients", "commons-pool2")
KAFKA_SOURCE_CLASS = "org.apache.spark.sql.kafka010.KafkaSourceProvider"
WRITERS = 4  # Spark jobs in flight at once within a batch
KEEP_BATCHES = 360  # batches/ kept: an hour of the default 10 s trigger
COMPACT_EVERY = 60  # seconds between two looks for closed days
# Kafka's consumer fetches at most 1 MB of a partition at a time by default; larger fetches
# read a backlog faster (2M lines, 224 MB, in a warm driver: 1.2 s instead of 1.4)
KAFKA_FETCH = {"kafka.max.partition.fetch.bytes": str(16 << 20), "kafka.fetch.max.bytes": str(64 << 20)}


def env(name: str, default: str | None) -> str | None:
    return os.environ.get(name, default)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="spark_stream.py",
        description="Consume web-server access-log lines from Kafka every few seconds, compute the ten "
                    "analytics per micro-batch and as exact running totals, and write them as Parquet "
                    "(HDFS by default). Each flag falls back to the environment variable shown.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--bootstrap-servers", default=env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                        help="Kafka brokers, host:port[,host:port] [env KAFKA_BOOTSTRAP_SERVERS]")
    parser.add_argument("--topic", default=env("LOG_TOPIC", "access-logs"),
                        help="topic to consume; a message holds one line or several joined by \\n [env LOG_TOPIC]")
    parser.add_argument("--output", default=env("LOG_ANALYTICS_OUTPUT", "hdfs://127.0.0.1:9000/log_analytics"),
                        help="where results go: an hdfs:// or file:// URI [env LOG_ANALYTICS_OUTPUT]")
    parser.add_argument("--checkpoint", default=env("LOG_ANALYTICS_CHECKPOINT", None),
                        help="checkpoint location holding the Kafka offsets; default <output>/_checkpoint "
                             "[env LOG_ANALYTICS_CHECKPOINT]")
    parser.add_argument("--trigger-seconds", type=float, default=float(env("LOG_ANALYTICS_TRIGGER_SECONDS", "10")),
                        help="micro-batch interval in seconds [env LOG_ANALYTICS_TRIGGER_SECONDS]")
    parser.add_argument("--starting-offsets", default=env("LOG_ANALYTICS_STARTING_OFFSETS", "earliest"),
                        help="where a new checkpoint starts: earliest, latest, or Kafka's JSON form; ignored "
                             "once the checkpoint exists [env LOG_ANALYTICS_STARTING_OFFSETS]")
    parser.add_argument("--max-offsets-per-trigger", type=int,
                        default=int(env("LOG_ANALYTICS_MAX_OFFSETS_PER_TRIGGER", "0")) or None,
                        help="cap on messages per micro-batch (default: no cap) "
                             "[env LOG_ANALYTICS_MAX_OFFSETS_PER_TRIGGER]")
    parser.add_argument("--available-now", action="store_true",
                        default=env("LOG_ANALYTICS_AVAILABLE_NOW", "") not in ("", "0", "false"),
                        help="process everything in the topic now, then stop (Trigger.AvailableNow) "
                             "[env LOG_ANALYTICS_AVAILABLE_NOW=1]")
    parser.add_argument("--warm-up", action=argparse.BooleanOptionalAction,
                        default=env("LOG_ANALYTICS_WARM_UP", "") not in ("0", "false", "off"),
                        help="before the query starts, run the bundled sample through the batch function "
                             "(about 10 s), so that the first batches run on compiled code; local masters "
                             "only, skipped with --available-now and in `analytics serve` (already warm) "
                             "[env LOG_ANALYTICS_WARM_UP=0 turns it off]")
    parser.add_argument("--keep-batches", type=int, default=int(env("LOG_ANALYTICS_KEEP_BATCHES", str(KEEP_BATCHES))),
                        help="how many of the newest batches keep their own results under batches/; older "
                             "ones are deleted (the running totals are kept apart, in state/) "
                             "[env LOG_ANALYTICS_KEEP_BATCHES]")
    parser.add_argument("--compact-after", type=float, default=float(env("LOG_ANALYTICS_COMPACT_AFTER", "60")),
                        metavar="MINUTES",
                        help="a day no batch has written to for this long is closed: its records are "
                             "rewritten as a few files (python -m analytics compact does it on demand); "
                             "0: never [env LOG_ANALYTICS_COMPACT_AFTER]")
    parser.add_argument("--master", default=env("LOG_ANALYTICS_MASTER", None),
                        help="Spark master when run with python (spark-submit's --master wins); "
                             "default local[2] [env LOG_ANALYTICS_MASTER]")
    args = parser.parse_args(argv)
    args.output = args.output.rstrip("/")
    args.checkpoint = (args.checkpoint or f"{args.output}/_checkpoint").rstrip("/")
    if args.trigger_seconds <= 0:
        parser.error("--trigger-seconds must be positive")
    if args.keep_batches < 1:
        parser.error("--keep-batches must be at least 1")
    if args.compact_after < 0:
        parser.error("--compact-after must be 0 (never) or more")
    return args


# --- the Spark session and the connector ------------------------------------

def connector_jars() -> list[str]:
    jars = sorted(glob.glob(str(CONNECTOR_JARS / "*.jar")))
    return [j for j in jars if os.path.basename(j).startswith(CONNECTOR_PREFIXES)]


def spark_session(args: argparse.Namespace):
    from pyspark import SparkConf

    from analytics.session import add_jars, spark_session as analytics_session

    submitted = SparkConf()  # under spark-submit this holds its --jars/--packages
    declared = submitted.get("spark.jars", "") + submitted.get("spark.jars.packages", "")
    jars = [] if "spark-sql-kafka" in declared else connector_jars()
    config = {
        "spark.sql.streaming.stopGracefullyOnShutdown": "true",
        # reach DataNodes by the name they register with (127.0.0.1 here and in
        # docker-compose.yml), not by an address only valid inside a container
        "spark.hadoop.dfs.client.use.datanode.hostname": "true",
    }
    if jars:
        config["spark.jars"] = ",".join(jars)
    spark = analytics_session("log-analytics-stream", args.master, config=config)
    if jars:
        add_jars(spark, jars, KAFKA_SOURCE_CLASS)
    return spark


# --- checks before starting: one clear line instead of a long Java trace ----------

class UserError(Exception):
    pass


def check_kafka(args: argparse.Namespace) -> None:
    from kafka import KafkaConsumer
    from kafka.errors import KafkaError
    if not any(_listening(server) for server in args.bootstrap_servers.split(",")):
        raise UserError(f"cannot reach Kafka at {args.bootstrap_servers} (connection refused or timed out); "
                        f"is the broker up? (`make up`)")
    try:
        consumer = KafkaConsumer(bootstrap_servers=args.bootstrap_servers.split(","), request_timeout_ms=10000)
    except KafkaError as error:
        raise UserError(f"cannot reach Kafka at {args.bootstrap_servers} ({type(error).__name__}); "
                        f"is the broker up? (`make up`)") from None
    try:
        if args.topic not in consumer.topics():
            raise UserError(f"topic {args.topic!r} does not exist at {args.bootstrap_servers}; "
                            f"publish to it first (python kafka_producer.py FILE --topic {args.topic})")
    finally:
        consumer.close()


def _listening(server: str) -> bool:
    host, _, port = server.strip().rpartition(":")
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=5).close()
        return True
    except (OSError, ValueError):
        return False


def check_output(spark, args: argparse.Namespace) -> None:
    from analytics import store
    try:
        store.make_dirs(spark, args.output)
    except Exception as error:  # py4j wraps the Java exception
        raise UserError(f"cannot write to {args.output}: {_first_line(error)}") from None


def _first_line(error: BaseException) -> str:
    """The first meaningful line of an error, the Java exception's own if it has one."""
    java = getattr(error, "java_exception", None)
    text = (str(java.toString()) if java is not None else str(error)).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Traceback", "File ", "py4j")):
            return line[:300]
    return text[:300]


# --- one micro-batch ----------------------------------------------------------

class StopRequested(Exception):
    """Raised by a batch that starts after a stop was asked for: it commits nothing,
    so its offsets are processed again on the next run."""


class BatchWriter:
    """The foreachBatch function: parse once, ten analytics, replay-safe writes.
    ``lag``: where to ask how far the stream is behind the topic (None: do not ask)."""

    def __init__(self, spark, output: str, lag: TopicLag | None, keep_batches: int = KEEP_BATCHES,
                 compact_after: float = 0):
        self.spark = spark
        self.output = output
        self.busy = threading.Lock()   # held while a batch runs, so a stop can wait for it
        self.stopping = threading.Event()
        self.lag = lag
        self.keep_batches = keep_batches
        self.swept = False  # batches/ older than the retention, left by an earlier run
        self.compact_after = compact_after * 60  # seconds; 0: never
        self.compacted_at = None  # when closed days were last looked for (monotonic)

    def __call__(self, messages, batch_id: int) -> None:
        with self.busy:
            if self.stopping.is_set():
                raise StopRequested()
            self._process(messages, batch_id)

    def _process(self, messages, batch_id: int) -> None:
        from pyspark.sql import functions as F

        from analytics import parse, store
        from analytics.batch import write_batch

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
            store.prune_batches(self.spark, self.output, before=batch_id - self.keep_batches + 1)
            self.swept = True
        self._compact()
        self._report(batch_id, per_partition, time.monotonic() - started)

    def _compact(self) -> None:
        """Compact the closed days' records, looking at most once a minute (a listing of
        every day's records folder)."""
        from analytics.compact import compact

        if self.compact_after and (self.compacted_at is None or time.monotonic() - self.compacted_at >= COMPACT_EVERY):
            compact(self.spark, self.output, self.compact_after, log=lambda line: print(line, flush=True))
            self.compacted_at = time.monotonic()

    def _report(self, batch_id: int, per_partition: list, elapsed: float) -> None:
        lines = sum(row["lines"] for row in per_partition)
        rejects = sum(row["rejects"] for row in per_partition)
        lag = self.lag and self.lag.behind({row["partition"]: row["last_offset"] + 1 for row in per_partition})
        print(f"batch {batch_id}: {lines:,} lines, {rejects:,} rejected, {elapsed:.1f} s, "
              f"{lines / elapsed:,.0f} lines/s" + (f", {lag:,} messages behind" if lag is not None else ""),
              flush=True)


def as_messages(lines):
    """A DataFrame of text lines (column ``value``) shaped as the Kafka source's messages,
    one line each, for the batch function without Kafka (a warm-up, a profile)."""
    from pyspark.sql import functions as F
    return lines.select(F.spark_partition_id().alias("partition"), F.monotonically_increasing_id().alias("offset"),
                        F.col("value").cast("binary").alias("value"))


def warm_up(spark, log: str, output: str, batches: int = 3) -> None:
    """Run ``log``'s lines through the batch function ``batches`` times, into ``output``,
    quietly, so that this driver has loaded and compiled the stream's path before a stream
    runs. (At 20,000 lines/s fed, the slowest batch of a cold driver took 5.9 s, 4.1 s after
    3 batches of the bundled sample.)"""
    writer = BatchWriter(spark, output, lag=None)
    messages = as_messages(spark.read.text(log))
    with contextlib.redirect_stdout(io.StringIO()):
        for batch_id in range(batches):
            writer(messages, batch_id)


class TopicLag:
    """Messages in the topic past what the stream has consumed: one ListOffsets request."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.consumer = None
        self.next_offsets: dict[int, int] = {}

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None

    def behind(self, next_offsets: dict[int, int]) -> int | None:
        self.next_offsets.update(next_offsets)
        try:
            from kafka import KafkaConsumer, TopicPartition
            if self.consumer is None:
                self.consumer = KafkaConsumer(bootstrap_servers=self.args.bootstrap_servers.split(","),
                                              request_timeout_ms=5000)
            partitions = [TopicPartition(self.args.topic, p)
                          for p in self.consumer.partitions_for_topic(self.args.topic) or ()]
            end = self.consumer.end_offsets(partitions)
        except Exception:  # the lag is a courtesy: never fail a batch over it
            return None
        return sum(offset - self.next_offsets.get(tp.partition, 0) for tp, offset in end.items())


# --- main ---------------------------------------------------------------------------

def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Run the stream until it ends (--available-now), fails, or is asked to stop: by
    SIGINT/SIGTERM, or, in `analytics serve` (which passes ``stop`` and keeps its session
    running afterwards), by ``stop``."""
    served = stop is not None
    check_kafka(args)
    spark = spark_session(args)
    check_output(spark, args)
    if not served:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    # the sample and the scratch folder are local files: no warm-up on a cluster
    if args.warm_up and not args.available_now and not served and spark.sparkContext.master.startswith("local"):
        from analytics.service import WARM_UP_LOG
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
              .option("failOnDataLoss", "true")
              .options(**KAFKA_FETCH))
    if args.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(args.max_offsets_per_trigger))
    writer = BatchWriter(spark, args.output, TopicLag(args), args.keep_batches, args.compact_after)
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
            query.awaitTermination(0.5)
        if stop.is_set():
            writer.stopping.set()  # a batch that starts from now on commits nothing
            with writer.busy:      # let the batch in progress finish
                pass
            query.stop()
            print("stream: stopped on signal after the last complete batch", flush=True)
        else:
            error = query.exception()
            if error is not None:
                raise UserError(f"the stream failed: {_first_line(error)}")
    finally:
        if query.isActive:  # an error on the way: never leave a query running in a shared driver
            query.stop()
        writer.lag.close()
    if not served:
        spark.stop()
    return 0


def _forwarded(args: argparse.Namespace) -> list[str]:
    """The command line `analytics serve` runs for ``args``: every setting explicit (the
    service has its own environment), local paths absolute (and its own working folder)."""
    from analytics.service import absolute
    return ["--bootstrap-servers", args.bootstrap_servers, "--topic", args.topic,
            "--output", absolute(args.output), "--checkpoint", absolute(args.checkpoint),
            "--trigger-seconds", f"{args.trigger_seconds!r}", "--starting-offsets", args.starting_offsets,
            *(["--max-offsets-per-trigger", str(args.max_offsets_per_trigger)] if args.max_offsets_per_trigger else []),
            "--keep-batches", str(args.keep_batches), "--compact-after", f"{args.compact_after!r}",
            *(["--available-now"] if args.available_now else [])]


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """``stop``: run in the current process's Spark session until it is set (how
    `analytics serve` runs the stream). Otherwise hand the stream to a running
    `analytics serve` with the same master, if any, or run it here."""
    if str(ROOT) not in sys.path:  # `analytics` beside this file, also under spark-submit
        sys.path.insert(0, str(ROOT))
    args = parse_args(argv)
    under_spark_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    if stop is None and not under_spark_submit and env("LOG_ANALYTICS_SERVICE", "").lower() != "off":
        from analytics.service import submit
        code = submit(["stream", *_forwarded(args)], args.master or "local[2]")
        if code is not None:
            return code
    try:
        return run(args, stop)
    except UserError as error:
        print(f"spark_stream: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
