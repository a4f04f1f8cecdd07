#!/usr/bin/env python3
"""Kafka -> Spark Structured Streaming -> the ten analytics -> Parquet on HDFS.

Every trigger (10 s by default) the new Kafka messages become one micro-batch.
Each message holds one log line, or several joined by newlines. The batch is
parsed once, every analytic in `analytics.metrics.ALL` computes its partial aggregate,
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

The job itself is analytics.stream; this file parses the flags and calls it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROG = "spark_stream.py"
ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # `analytics` beside this file, also under spark-submit
    sys.path.insert(0, str(ROOT))

from analytics import environment, microbatch, stream  # noqa: E402
from analytics.environment import text as env  # noqa: E402
from analytics.errors import UserError, fail  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
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
    parser.add_argument("--trigger-seconds", type=float, default=environment.number("LOG_ANALYTICS_TRIGGER_SECONDS", 10.0, float),
                        help="micro-batch interval in seconds [env LOG_ANALYTICS_TRIGGER_SECONDS]")
    parser.add_argument("--starting-offsets", default=env("LOG_ANALYTICS_STARTING_OFFSETS", "earliest"),
                        help="where a new checkpoint starts: earliest, latest, or Kafka's JSON form; ignored "
                             "once the checkpoint exists [env LOG_ANALYTICS_STARTING_OFFSETS]")
    parser.add_argument("--max-offsets-per-trigger", type=int,
                        default=environment.number("LOG_ANALYTICS_MAX_OFFSETS_PER_TRIGGER", 0) or None,
                        help="cap on messages per micro-batch (default: no cap) "
                             "[env LOG_ANALYTICS_MAX_OFFSETS_PER_TRIGGER]")
    parser.add_argument("--available-now", action="store_true",
                        default=environment.flag("LOG_ANALYTICS_AVAILABLE_NOW"),
                        help="process everything in the topic now, then stop (Trigger.AvailableNow) "
                             "[env LOG_ANALYTICS_AVAILABLE_NOW=1]")
    parser.add_argument("--warm-up", action=argparse.BooleanOptionalAction,
                        default=environment.flag("LOG_ANALYTICS_WARM_UP", True),
                        help="before the query starts, run the bundled sample through the batch function "
                             "so that the first batches run on compiled code; local masters "
                             "only, skipped with --available-now "
                             "[env LOG_ANALYTICS_WARM_UP=0 turns it off]")
    parser.add_argument("--keep-batches", type=int, default=environment.number("LOG_ANALYTICS_KEEP_BATCHES", microbatch.KEEP_BATCHES),
                        help="how many of the newest batches keep their own results under batches/; older "
                             "ones are deleted (the running totals are kept apart, in state/) "
                             "[env LOG_ANALYTICS_KEEP_BATCHES]")
    parser.add_argument("--compact-after", type=float, default=environment.number("LOG_ANALYTICS_COMPACT_AFTER", 60.0, float),
                        metavar="MINUTES",
                        help="a day no batch has written to for this long is closed: its records are "
                             "rewritten as a few files (python -m analytics compact does it on demand); "
                             "0: never [env LOG_ANALYTICS_COMPACT_AFTER]")
    parser.add_argument("--skip-lost-offsets", action="store_true",
                        default=environment.flag("LOG_ANALYTICS_SKIP_LOST_OFFSETS"),
                        help="when Kafka's retention has deleted messages the stream had not read yet, "
                             "say how many and go on without them (Spark's failOnDataLoss=false); by "
                             "default the stream stops and names the lost offsets "
                             "[env LOG_ANALYTICS_SKIP_LOST_OFFSETS=1]")
    parser.add_argument("--log-format", default=env("LOG_ANALYTICS_LOG_FORMAT", "auto"), metavar="FORMAT",
                        help="how the log's lines are written: auto (detected from the topic's first lines "
                             "and kept with the checkpoint, so a restart reads the same way), a name "
                             "(combined, common, vcombined, vcommon, traefikclf, w3c, cloudfront, awselb, "
                             "awsalb, caddy, nginx-json), or your server's own "
                             "Apache LogFormat or nginx log_format string pasted as is "
                             "[env LOG_ANALYTICS_LOG_FORMAT]")
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


def main(argv: list[str] | None = None) -> int:
    try:
        return stream.run(parse_args(argv))
    except UserError as error:
        return fail(PROG, error)


if __name__ == "__main__":
    sys.exit(main())
