"""One batch of parsed lines, written: its records, its rejects, each analytic's partial
and the per-day state (the stream's micro-batch, and the batch runner's batch 0)."""

from __future__ import annotations

import pyarrow as pa
from pyspark.sql import DataFrame

from . import crash
from .metrics import ALL
from .metrics.base import side_by_side
from .metrics.sources import ALL_SOURCES
from .parse import records, rejects
from .storage import state, store

#: the analytics each source's aggregate serves
SERVED = {source: [a for a in ALL if a.source == source] for source in ALL_SOURCES}


def write_batch(parsed: DataFrame, out: str, batch_id: int, keep_batches: int | None = None,
                workers: int = 3) -> dict[str, pa.Table]:
    """Write batch ``batch_id`` of ``parsed`` (the cached output of
    :func:`analytics.parse.for_cache`) and return each analytic's partial by name.

    ``keep_batches``: write each partial under ``batches/`` too and keep the newest
    ``keep_batches`` batches there (None: write none, as the batch runner does).
    Three lanes run side by side: records (the biggest job), rejects, and the analytics:
    five aggregations, each collected, then merged into the state of the days it touches
    while its analytics' partials are written. The batch is marked committed in the state
    once all three are written."""
    spark = parsed.sparkSession

    def analytics_lane() -> dict[str, pa.Table]:
        aggregates = {s: s.aggregate(parsed).persist() for s in ALL_SOURCES}
        partials = {}

        # a source's merge need not wait for the other aggregates: small merges and the
        # partials' writes (round trips to the file system) overlap the big aggregations
        def source_lane(source) -> None:
            collected = aggregates[source].toArrow()

            def merge() -> None:
                state.merge(spark, out, batch_id, source, aggregates[source], state.days_of(collected))
                crash.point(f"state:{source.name}", batch_id)

            def derive_partials() -> None:  # and write them under batches/ when they are kept
                for analytic in SERVED[source]:
                    partials[analytic.name] = analytic.partial_of(collected)
                    if keep_batches is not None:
                        store.write_table(store.batch_path(out, analytic.name, batch_id), partials[analytic.name])

            side_by_side([merge, derive_partials], 2)

        try:
            side_by_side([lambda s=s: source_lane(s) for s in ALL_SOURCES], workers)
        finally:
            for aggregate in aggregates.values():
                aggregate.unpersist()
        if keep_batches is not None:
            crash.point("partials", batch_id)
        return {a.name: partials[a.name] for a in ALL}

    crash.point("parsed", batch_id)
    *_, partials = side_by_side([lambda: _written("records", batch_id, store.write_records, records(parsed), out),
                                 lambda: _written("rejects", batch_id, store.write_rejects, rejects(parsed), out),
                                 analytics_lane], 3)
    crash.point("written", batch_id)
    state.commit(out, batch_id)
    crash.point("committed", batch_id)
    if keep_batches is not None:
        store.delete_batch(out, batch_id - keep_batches)
    return partials


def _written(point: str, batch_id: int, write, frame: DataFrame, out: str) -> None:
    write(frame, out, batch_id)
    crash.point(point, batch_id)
