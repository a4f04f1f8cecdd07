"""The one shape shared by the ten analytics.

Every analytic's aggregate is a table: key columns plus value columns, each value column
with a combine rule (``sum``, ``min`` or ``max``). A table with no value columns is a set
of keys (distinct hosts, distinct (date, host) pairs). Because every rule is associative
and commutative, grouping rows of any number of batches and days by the keys and
combining them gives totals that equal the one-pass aggregate for any split into batches.

Where the work happens: a :class:`Source` says what each parsed line adds to an aggregate
keyed by calendar day first. Every source of a batch is aggregated by Spark in one pass,
and the per-day running totals, the state, are merged by Spark in one job
(:mod:`analytics.storage.state`). An analytic's table is *derived* from its source's rows,
for one batch or for any range of days of the state, by a pyarrow group-by on the driver:
the derived tables are as small as the distinct keys, not the lines. Several analytics
share a source (requests per (date, host) serves four of them).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

# No Spark here: the report and the views handle Arrow tables only, and run without it.


class Source:
    """An aggregate of the output of :func:`analytics.parse.parse` (records and rejects,
    told apart by ``reject_reason``) that analytics derive their tables from.

    ``keys`` begin with ``date``, the log's local calendar day (null for what has no
    date: rejected lines), and name parsed columns. ``values`` maps each value column to
    its combine rule (``sum``, ``min`` or ``max``) and to what one line adds to it, in
    Spark SQL over the parsed columns; ``where`` (SQL, None: every line) picks the lines
    that count. The aggregate of a set of lines is those contributions grouped by
    ``keys`` and combined by the rules; that of two sets is their rows grouped and
    combined the same way, which is what the per-day state
    (:mod:`analytics.storage.state`) keeps and merges. Every source of a batch is
    aggregated in the same pass (:func:`analytics.metrics.sources.aggregate`)."""

    def __init__(self, name: str, keys: tuple[str, ...], values: dict[str, tuple[str, str]],
                 where: str | None = None):
        assert keys[0] == "date", keys
        self.name, self.keys, self.where = name, keys, where
        self.values = {c: rule for c, (rule, _) in values.items()}
        self.adds = {c: add for c, (_, add) in values.items()}

    @property
    def columns(self) -> list[str]:
        return [*self.keys, *self.values]

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

    def derive(self, source: pa.Table) -> pa.Table:
        """This analytic's aggregate from its source's rows, which may hold several days
        and the same key more than once (the state of several days, several batches):
        grouped by this analytic's keys, so the days are combined by the rules."""
        return group(source, self.keys, self.values)

    def view(self, total: pa.Table, top: int | None = None) -> Any:  # pragma: no cover
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

    def derive(self, source: pa.Table) -> pa.Table:
        summed = group(source.rename_columns({self.count: "count"}), self.keys, {"count": "sum"})
        return summed.filter(pc.field("count") > 0)

    def view(self, total: pa.Table, top: int | None = None) -> list[dict]:
        return ranked(total, self.keys[0], "count", self._top(top))


def group(table: pa.Table, keys, values: dict[str, str]) -> pa.Table:
    """Group ``table`` by ``keys`` (null is a key like any other; no keys: one row) and
    combine each value column by its rule; no values: the distinct keys. Columns keep
    their names, keys first."""
    keys = list(keys)
    grouped = table.group_by(keys, use_threads=False).aggregate([(c, rule) for c, rule in values.items()])
    return grouped.select([*keys, *(f"{c}_{rule}" for c, rule in values.items())]).rename_columns(
        [*keys, *values])


def sum_by(table: pa.Table, key: str, value: str | None = None) -> list[dict]:
    """``[{key, "n"}]`` sorted by ``key``: ``value`` summed per key, or rows counted."""
    agg = (value, "sum") if value else ([], "count_all")
    out = table.group_by(key, use_threads=False).aggregate([agg])
    out = out.rename_columns([*out.column_names[:-1], "n"])
    return out.sort_by(key).to_pylist()


def ranked(table: pa.Table, key: str, count: str, top: int | None, label: str | None = None) -> list[dict]:
    """``[{label: key, "count": n}, ...]``: counts summed per non-null key, sorted by count
    descending then key ascending, at most ``top`` entries (all when ``top`` is None)."""
    agg = group(table.filter(pc.field(key).is_valid()).select([key, count]), [key], {count: "sum"})
    agg = agg.sort_by([(count, "descending"), (key, "ascending")])
    if top is not None:
        agg = agg.slice(0, top)
    return [{label or key: r[key], "count": int(r[count])} for r in agg.to_pylist()]


def side_by_side(calls, workers: int = 3) -> list:
    """Run the callables concurrently, each typically one Spark job, and return their
    results in order. Most jobs of a batch are small (scheduling and file-system round
    trips), so a few in flight keep both cores busy; the first failure is raised."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]
