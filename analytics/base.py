"""The one shape shared by the ten analytics.

Every analytic's aggregate is a table: key columns plus value columns, each value column
with a combine rule (``sum``, ``min`` or ``max``). A table with no value columns is a set
of keys (distinct hosts, distinct (date, host) pairs). Because every rule is associative
and commutative, one generic :meth:`Analytic.merge` (union, group by the keys, combine)
gives running totals that equal the one-pass aggregate for any split into batches.

An analytic's partial is *derived* from a :class:`Source`: an aggregate of the parsed
lines that several analytics may share (requests per (date, host) serves four of them).
:func:`analytics.batch_partials` computes each source once per batch, so a batch scans its
cached lines five times instead of ten.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

COMBINE = {"sum": F.sum, "min": F.min, "max": F.max}


def valid(parsed: DataFrame) -> DataFrame:
    """The valid records of a :func:`analytics.parse.parse` output."""
    return parsed.where(F.col("reject_reason").isNull())


class Source:
    """An aggregate of the output of :func:`analytics.parse.parse` (records and rejects,
    told apart by ``reject_reason``) that analytics derive their partials from."""

    def __init__(self, name: str, aggregate: Callable[[DataFrame], DataFrame]):
        self.name, self.aggregate = name, aggregate

    def __repr__(self) -> str:
        return f"<source {self.name}>"


class Analytic:
    """Base class: subclasses set ``name``, ``keys``, ``values``, ``source`` and
    implement :meth:`view` (and :meth:`derive` unless the source is the partial)."""

    name: str = ""
    keys: tuple[str, ...] = ()
    #: value column -> combine rule ("sum", "min" or "max"), in column order
    values: dict[str, str] = {}
    #: default length of the ranked lists of the view (None: no ranked list)
    default_top: int | None = None
    source: Source

    @property
    def columns(self) -> list[str]:
        return [*self.keys, *self.values]

    def derive(self, source: DataFrame) -> DataFrame:
        """This analytic's partial from its source's aggregate of the same lines."""
        return source

    def partial(self, parsed: DataFrame) -> DataFrame:
        """This batch's aggregate. ``parsed`` is the output of ``parse`` (records and
        rejects, told apart by ``reject_reason``)."""
        return self.derive(self.source.aggregate(parsed)).select(*self.columns)

    def merge(self, total: DataFrame, partial: DataFrame) -> DataFrame:
        """Running total: equals ``partial`` of the union of the inputs, for any split."""
        both = total.select(*self.columns).unionByName(partial.select(*self.columns))
        if not self.values:
            return both.distinct()
        aggs = [COMBINE[rule](c).alias(c) for c, rule in self.values.items()]
        merged = both.groupBy(*self.keys).agg(*aggs) if self.keys else both.agg(*aggs)
        return merged.select(*self.columns)

    def view(self, total: DataFrame, top: int | None = None) -> Any:  # pragma: no cover
        """The JSON-able report value of this analytic."""
        raise NotImplementedError

    def _top(self, top: int | None) -> int | None:
        return self.default_top if top is None else top

    def __repr__(self) -> str:
        return f"<analytic {self.name}>"


class RequestsPerKey(Analytic):
    """Requests per value of one key column, summed from a count column of the source;
    keys with a zero count are left out. The view ranks the keys by count (null keys are
    kept but not ranked)."""

    values = {"count": "sum"}

    def __init__(self, name: str, key: str, default_top: int, source: Source, count: str):
        self.name, self.keys, self.default_top, self.source, self.count = name, (key,), default_top, source, count

    def derive(self, source: DataFrame) -> DataFrame:
        summed = source.groupBy(*self.keys).agg(F.sum(self.count).alias("count"))
        return summed.where(F.col("count") > 0)

    def view(self, total: DataFrame, top: int | None = None) -> list[dict]:
        return ranked(total, self.keys[0], "count", self._top(top))


def ranked(df: DataFrame, key: str, count: str, top: int | None, label: str | None = None) -> list[dict]:
    """``[{label: key, "count": n}, ...]``: counts summed per non-null key, sorted by count
    descending then key ascending, at most ``top`` entries (all when ``top`` is None)."""
    agg = df.where(F.col(key).isNotNull()).groupBy(key).agg(F.sum(count).alias("n"))
    agg = agg.orderBy(F.desc("n"), F.asc(key))
    if top is not None:
        agg = agg.limit(top)
    return [{label or key: r[key], "count": int(r["n"])} for r in agg.collect()]


def side_by_side(calls, workers: int = 3) -> None:
    """Run the callables concurrently, each typically one Spark job. Most jobs of a batch
    are small (scheduling and file-system round trips), so a few in flight keep both
    cores busy; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


def count_where(cond: Column) -> Column:
    """Number of rows where ``cond`` holds (0, never null, on an empty input)."""
    return F.count(F.when(cond, 1))
