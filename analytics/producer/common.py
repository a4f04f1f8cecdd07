"""What every module of the producer shares: its name in messages, the housekeeping
period, and how a message reaches the user."""
from __future__ import annotations

import logging
import sys

PROG = "kafka_producer"
TICK_S = 0.2                    # housekeeping period: acks, progress, state, pack age
BOOTSTRAP_TIMEOUT_MS = 10_000   # an unreachable broker is reported after this long

log = logging.getLogger(PROG)


def say(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)
