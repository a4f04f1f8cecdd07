"""One batch of parsed lines, written: its records, its rejects, its source table and the
per-day state (the stream's micro-batch, and the batch runner's batch 0).

A batch runs a fixed number of Spark jobs, whatever the number of sources and analytics:
one tiny census (which also builds the cache), the records, the rejects (when it has
any), its source table under ``batches/`` (when they are kept) and one merge into the
state. Nothing proportional to the batch's distinct keys reaches the driver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from concurrent.futures import ThreadPoolExecutor

from pyspark.sql import DataFrame

from . import crash
from .metrics import sources
from .parse import records, rejects
from .storage import state, store


@dataclass(frozen=True)
class Census:
    """What a batch holds, counted by a tiny Spark query: its lines, how many were
    rejected, and the days it touches (None: the undated rejects)."""

    lines: int
    rejected: int
    days: tuple[dt.date | None, ...]

    @property
    def records(self) -> int:
        return self.lines - self.rejected


def census(parsed: DataFrame) -> Census:
    """Count ``parsed`` (the output of :func:`analytics.parse.for_cache`, persisted: this
    builds its cache): one Spark job, whose result has a row per day."""
    from pyspark.sql import functions as F

    rows = parsed.groupBy("date").agg(F.count(F.lit(1)).alias("lines"), F.count("reject_reason").alias("rejected")).collect()
    return Census(sum(r["lines"] for r in rows), sum(r["rejected"] for r in rows), tuple(r["date"] for r in rows))


def mostly_rejected(parsed: DataFrame, log_format: str, counted: Census) -> str | None:
    """The warning line for a batch whose lines were mostly rejected, naming a format that
    would read them when one does (``parsed`` still cached); None for the others."""
    from .parse import reject_warning, rejected_sample

    if counted.rejected * 2 <= counted.lines:
        return None
    return reject_warning(parsed.sparkSession, log_format, counted.lines, counted.rejected, rejected_sample(parsed))


def write_batch(parsed: DataFrame, out: str, batch_id: int, keep_batches: int | None = None,
                kept=sources.ALL_SOURCES) -> Census:
    """Write batch ``batch_id`` of ``parsed`` (the output of
    :func:`analytics.parse.for_cache`, persisted but not yet computed) and return its
    :class:`Census`. A batch without a line writes nothing and commits nothing.

    ``keep_batches``: keep the batch's own source table under ``batches/`` too, for the
    newest ``keep_batches`` batches (None: write none, as the batch runner does).
    ``kept``: the sources to aggregate and merge. The records are written while the
    census builds the cache; then the source table is computed once and cached, and the
    rejects (if any) and the merge into the state (then ``batches/``) are written side by side.
    Most of a small batch's jobs is waiting (planning, scheduling, round trips to the file
    system), so jobs in flight together keep both cores busy. The batch is marked
    committed in the state once all are written."""
    spark = parsed.sparkSession
    crash.point("parsed", batch_id)
    with ThreadPoolExecutor(max_workers=4) as pool:
        lanes = [pool.submit(_written, "records", batch_id, store.write_records, records(parsed), out)]
        counted = census(parsed)
        if not counted.lines:  # a trigger that found no message (--available-now's last, say)
            lanes[0].result()
            return counted
        table = sources.aggregate(parsed, kept).persist()
        try:
            lanes.append(pool.submit(_merged, spark, out, batch_id, table, counted, kept, keep_batches is not None))
            if counted.rejected:
                lanes.append(pool.submit(_written, "rejects", batch_id, store.write_rejects, rejects(parsed), out))
            for lane in lanes:
                lane.result()
        finally:
            table.unpersist()
    crash.point("written", batch_id)
    state.commit(out, batch_id)
    crash.point("committed", batch_id)
    if keep_batches is not None:
        store.delete_batch(out, batch_id - keep_batches)
    return counted


def _merged(spark, out: str, batch_id: int, table: DataFrame, counted: Census, kept, keep_table: bool) -> None:
    """Merge the batch's source table into the state; then, with ``keep_table``, write it
    under ``batches/`` from the cache the merge filled (side by side, both jobs would
    compute the aggregation)."""
    state.merge(spark, out, batch_id, table, list(counted.days), sources.rules_of(kept))
    crash.point("state", batch_id)
    if keep_table:
        # one file, not one per shuffle partition of each source: the table is as small as
        # the batch's distinct keys, and each file is a round trip to the NameNode or more
        table.coalesce(1).write.mode("overwrite").parquet(state.batch_path(out, batch_id))
        crash.point("partials", batch_id)


def _written(point: str, batch_id: int, write, frame: DataFrame, out: str) -> None:
    write(frame, out, batch_id)
    crash.point(point, batch_id)
