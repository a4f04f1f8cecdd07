#!/usr/bin/env python3
"""Publish web-server access-log lines to Kafka, byte for byte.

    python kafka_producer.py access.log.gz                 # one file, then exit
    python kafka_producer.py --follow /var/log/nginx/access.log   # like tail -F
    zcat old/*.gz | python kafka_producer.py -             # standard input
    python kafka_producer.py --lines-per-message 100 big.log.gz   # fastest

Every line goes out exactly as it is in the file, minus its line ending (LF or
CRLF): blank lines, invalid UTF-8 and very long lines included. `--help` lists
every flag and its environment variable.

The producer itself is the package analytics.producer; this file calls its main.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # `analytics` beside this file, from any working directory
    sys.path.insert(0, str(ROOT))

from analytics.producer.runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
