#!/usr/bin/env python3
"""`make demo`: the whole pipeline on the bundled sample log, from a clean slate.

Resets the demo topic and output, publishes the sample with kafka_producer.py,
drains it with spark_stream.py --available-now (several micro-batches), and
prints the report of the ten analytics. Expects the local stack to be up
(`make demo` starts it first).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from hdfs import InsecureClient
from kafka.admin import KafkaAdminClient
from kafka.errors import UnknownTopicOrPartitionError

import stack

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "data" / "sample" / "apache_combined_2015-05.log.gz"


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def run(*command: str) -> None:
    result = subprocess.run([sys.executable, *command], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"demo: `{' '.join(command)}` failed (exit {result.returncode})")


def reset(topic: str, output_path: str) -> None:
    """A fresh topic and output, so that running the demo twice shows the same numbers."""
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA_BOOTSTRAP)
    try:
        admin.delete_topics([topic])
        deadline = time.monotonic() + 30
        while topic in admin.list_topics() and time.monotonic() < deadline:
            time.sleep(0.2)
    except UnknownTopicOrPartitionError:
        pass
    finally:
        admin.close()
    InsecureClient(stack.WEBHDFS_URL).delete(output_path, recursive=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", default=str(SAMPLE), help="log file to stream (default: the bundled sample)")
    parser.add_argument("--topic", default="demo-access-logs", help="Kafka topic (deleted and recreated)")
    parser.add_argument("--output-path", default="/log_analytics_demo", help="HDFS folder (deleted and rewritten)")
    parser.add_argument("--batch-lines", default="2500", help="messages per micro-batch, to show several batches")
    args = parser.parse_args()
    output = f"{stack.HDFS_URI}{args.output_path}"
    started = time.monotonic()

    step(f"Resetting topic {args.topic} and {output}")
    reset(args.topic, args.output_path)
    step(f"Publishing {os.path.relpath(args.log, ROOT)} to Kafka (kafka_producer.py)")
    run("kafka_producer.py", "--quiet", "--topic", args.topic, args.log)
    step("Streaming it through Spark: parse, ten analytics, Parquet on HDFS (spark_stream.py --available-now)")
    run("spark_stream.py", "--topic", args.topic, "--output", output, "--available-now",
        "--max-offsets-per-trigger", args.batch_lines)
    step("Report of the running totals (python -m analytics report)")
    run("-m", "analytics", "report", "--output", output)

    print(f"\nDone in {time.monotonic() - started:.0f} s.")
    print(f"  Parquet results in HDFS: {output}/  (state/, batches/, records/, rejects/)")
    print(f"  Browse them:             {stack.WEBHDFS_URL}/explorer.html#{args.output_path}")
    print(f"  Again, as JSON:          .venv/bin/python -m analytics report --output {output} --format json")
    print("  The stack keeps running; stop it with `make down`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
