"""A real crash at a named point of a batch, for the fault tests.

``LOG_ANALYTICS_CRASH_AT=<point>`` (with ``LOG_ANALYTICS_CRASH_BATCH=<id>``, default 1)
makes the process SIGKILL itself, and its Spark JVM with it, when that batch reaches the
point: no cleanup, no flush, no shutdown hook, as when the machine loses power. The points,
in the order a batch passes them (the lanes of :func:`analytics.batch.write_batch`
run side by side, so ``records``, ``rejects``, ``partials`` and ``state`` have no order
among themselves):

    parsed       the batch is parsed and cached, nothing written
    records      its records are written
    rejects      its rejects are written
    partials     its source table is written under batches/
    state        its source table is merged into the state
    written      everything is written, the batch is not committed in the state
    committed    committed in the state; its progress row and Spark's checkpoint commit
                 are not written yet

Unset, :func:`point` costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

AT, BATCH = "LOG_ANALYTICS_CRASH_AT", "LOG_ANALYTICS_CRASH_BATCH"


def point(name: str, batch_id: int) -> None:
    if os.environ.get(AT) != name or batch_id != int(os.environ.get(BATCH, "1")):
        return
    print(f"crash: SIGKILL at {name} of batch {batch_id} ({AT})", flush=True)
    if os.getpgrp() == os.getpid():  # a process group of our own: the JVM is in it
        os.killpg(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)  # the JVM ends when its stdin from us closes
