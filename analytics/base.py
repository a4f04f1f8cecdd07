"""The one shape shared by the ten analytics.

Every analytic's aggregate is a table: key columns plus value columns, each value column
with a combine rule (``sum``, ``min`` or ``max``). A table with no value columns is a set
of keys (distinct hosts, distinct (date, host) pairs). Because every rule is associative
and commutative, one generic :meth:`Analytic.merge` (union, group by the keys, combine)
gives running totals that equal the one-pass aggregate for any split into batches.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

COMBINE = {"sum": F.sum, "min": F.min, "max": F.max}


def valid(parsed: DataFrame) -> DataFrame:
    """The valid records of a :func:`analytics.parse.parse` output."""
    return parsed.where(F.col("reject_reason").isNull())


class Analytic:
    """Base class: subclasses set ``name``, ``keys``, ``values`` and implement
    :meth:`aggregate` and :meth:`view`."""

    name: str = ""
    keys: tuple[str, ...] = ()
    #: value column -> combine rule ("sum", "min" or "max"), in column order
    values: dict[str, str] = {}
    #: default length of the ranked lists of the view (None: no ranked list)
    default_top: int | None = None

    @property
    def columns(self) -> list[str]:
        return [*self.keys, *self.values]

    def aggregate(self, parsed: DataFrame) -> DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def partial(self, parsed: DataFrame) -> DataFrame:
        """This batch's aggregate. ``parsed`` is the output of ``parse`` (records and
        rejects, told apart by ``reject_reason``)."""
        return self.aggregate(parsed).select(*self.columns)

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
    """Requests per value of one key column, optionally among the rows matching a SQL
    condition; the view ranks the keys by count (null keys are kept but not ranked)."""

    values = {"count": "sum"}

    def __init__(self, name: str, key: str, default_top: int, where: str | None = None):
        self.name, self.keys, self.default_top, self.where = name, (key,), default_top, where

    def aggregate(self, parsed: DataFrame) -> DataFrame:
        rows = valid(parsed) if self.where is None else valid(parsed).where(self.where)
        return rows.groupBy(*self.keys).agg(F.count("*").alias("count"))

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


def count_where(cond: Column) -> Column:
    """Number of rows where ``cond`` holds (0, never null, on an empty input)."""
    return F.count(F.when(cond, 1))
