"""The aggregates that several analytics share (see :class:`analytics.metrics.base.Source`),
and how a batch computes all of them in one pass.

Every source's rows live in one table, the *source table*: a ``source`` column naming the
source, the union of the sources' key columns and the union of their value columns; a
source's row leaves the others' columns null. One Spark aggregation over the batch builds
it (:func:`aggregate`), one merge keeps it per day (:mod:`analytics.storage.state`), and
:func:`split` gives back each source's own table. A new source is a new entry of
:data:`ALL_SOURCES`: it joins the same pass and the same merge, and adds no Spark job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from .base import Source
from ..columns import RECORD_COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
# Spark is imported where an expression is built: the report reads the state without it.

#: sums and sums of squares of sizes: squares of sizes overflow a long
DEC = "decimal(38,0)"


def _ones(condition):
    """1 where ``condition`` holds, else 0: summed, a count that is never null."""
    return condition.cast("long")


def _line_stats():
    """Per day: line counts, nulls per parsed column and the size statistics. Every line
    counts; rejected lines have no date and are counted in the row whose date is null."""
    from pyspark.sql import functions as F
    ok = F.col("reject_reason").isNull()
    size = F.col("content_size")  # null on rejects too
    dec = size.cast("decimal(20,0)")
    return None, {
        "records": _ones(ok), "rejected": _ones(~ok),
        **{f"null_{c}": _ones(ok & F.col(c).isNull()) for c in RECORD_COLUMNS},
        "size_count": _ones(size.isNotNull()),
        "size_sum": size.cast(DEC), "size_sum_squares": (dec * dec).cast(DEC),
        "size_min": size, "size_max": size,
    }


def _valid():
    from pyspark.sql import functions as F
    return F.col("reject_reason").isNull()


def _requests():
    from pyspark.sql import functions as F
    return _valid(), {"requests": F.lit(1).cast("long")}


def _requests_by_date_endpoint():
    """Requests per day and endpoint, and how many of them had a status other than 200."""
    from pyspark.sql import functions as F
    return _valid(), {"requests": F.lit(1).cast("long"), "not_ok": _ones(F.col("status") != 200)}


def _not_found():
    from pyspark.sql import functions as F
    return _valid() & (F.col("status") == 404), {"count": F.lit(1).cast("long")}


NOT_FOUND_KEYS = ("date", "endpoint", "host", "hour")

LINE_STATS = Source("line_stats", ("date",), {
    "records": "sum", "rejected": "sum", **{f"null_{c}": "sum" for c in RECORD_COLUMNS},
    "size_count": "sum", "size_sum": "sum", "size_sum_squares": "sum", "size_min": "min", "size_max": "max",
}, _line_stats)
REQUESTS_BY_DATE_HOST = Source("requests_by_date_host", ("date", "host"), {"requests": "sum"}, _requests)
REQUESTS_BY_DATE_ENDPOINT = Source("requests_by_date_endpoint", ("date", "endpoint"),
                                   {"requests": "sum", "not_ok": "sum"}, _requests_by_date_endpoint)
REQUESTS_BY_DATE_STATUS = Source("requests_by_date_status", ("date", "status"), {"requests": "sum"}, _requests)
NOT_FOUND = Source("not_found", NOT_FOUND_KEYS, {"count": "sum"}, _not_found)

#: every source the analytics read, in the order of the source table's rows
ALL_SOURCES = (LINE_STATS, REQUESTS_BY_DATE_HOST, REQUESTS_BY_DATE_ENDPOINT, REQUESTS_BY_DATE_STATUS, NOT_FOUND)


#: the Arrow type of each key; every value is a count (int64) but the size sums
KEY_TYPES = {"date": pa.date32(), "host": pa.string(), "endpoint": pa.string(), "status": pa.int32(),
             "hour": pa.int32()}
VALUE_TYPES = {"size_sum": pa.decimal128(38, 0), "size_sum_squares": pa.decimal128(38, 0)}


def keys_of(sources) -> list[str]:
    """Every key column of ``sources``, ``date`` first, each once."""
    return list(dict.fromkeys(k for s in sources for k in s.keys))


def rules_of(sources) -> dict[str, str]:
    """``{value column: combine rule}`` of every source; a column means one thing in all."""
    rules: dict[str, str] = {}
    for source in sources:
        for column, rule in source.values.items():
            assert rules.setdefault(column, rule) == rule, (column, rule, rules[column])
    return rules


def arrow_schema(source: Source) -> pa.Schema:
    """The Arrow schema of one source's table, as Spark writes its columns (a test holds
    the two equal), for reading the state without Spark."""
    return pa.schema([(c, KEY_TYPES[c]) for c in source.keys] +
                     [(c, VALUE_TYPES.get(c, pa.int64())) for c in source.values])


def table_schema(sources=ALL_SOURCES) -> pa.Schema:
    """The Arrow schema of the source table of ``sources``, ``date`` included."""
    return pa.schema([("source", pa.string())] + [(c, KEY_TYPES[c]) for c in keys_of(sources)] +
                     [(c, VALUE_TYPES.get(c, pa.int64())) for c in rules_of(sources)])


def aggregate(parsed: DataFrame, sources=ALL_SOURCES) -> DataFrame:
    """The source table of one batch: every source of ``sources`` aggregated from
    ``parsed`` (the output of :func:`analytics.parse.parse`) in one pass. Each line
    becomes one row per source it counts in, and one grouping by (``source``, every key)
    sums them: one shuffle of the batch's distinct keys, whatever the number of sources."""
    from pyspark.sql import functions as F

    keys, rules = keys_of(sources), rules_of(sources)
    types = dict(parsed.dtypes)
    value_types = {c: DEC if c in VALUE_TYPES else "bigint" for c in rules}
    rows = []
    for source in sources:
        where, values = source.per_line()
        row = F.struct(F.lit(source.name).alias("source"),
                       *[(F.col(k) if k in source.keys else F.lit(None).cast(types[k])).alias(k) for k in keys],
                       *[(values[c] if c in values else F.lit(None)).cast(value_types[c]).alias(c) for c in rules])
        rows.append(row if where is None else F.when(where, row))
    contributions = parsed.select(F.inline(F.filter(F.array(*rows), lambda row: row.isNotNull())))
    return contributions.groupBy("source", *keys).agg(*[getattr(F, rule)(c).alias(c) for c, rule in rules.items()])


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly the columns of ``schema``, cast to it: a column it lacks
    (state written before a source was added) is null, one it has beyond is dropped."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def split(table: pa.Table, sources=ALL_SOURCES) -> dict[Source, pa.Table]:
    """``{source: its rows}`` of a source table (a batch's, or the state of any days),
    each in its own columns and types (:func:`arrow_schema`)."""
    names = table.column("source")
    return {s: conform(table.filter(pc.equal(names, s.name)), arrow_schema(s)) for s in sources}
