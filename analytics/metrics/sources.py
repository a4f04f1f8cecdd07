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
# Spark is imported where a plan is built: the report reads the state without it.

#: sums and sums of squares of sizes: squares of sizes overflow a long
DEC = "decimal(38,0)"
VALID = "reject_reason IS NULL"


def _ones(condition: str) -> str:
    """1 where ``condition`` holds, else 0: summed, a count that is never null."""
    return f"CAST({condition} AS BIGINT)"


NOT_FOUND_KEYS = ("date", "endpoint", "host", "hour")

#: Per day: line counts, nulls per parsed column and the size statistics. Every line
#: counts; rejected lines have no date and are counted in the row whose date is null.
LINE_STATS = Source("line_stats", ("date",), {
    "records": ("sum", _ones(VALID)), "rejected": ("sum", _ones("reject_reason IS NOT NULL")),
    **{f"null_{c}": ("sum", _ones(f"{VALID} AND `{c}` IS NULL")) for c in RECORD_COLUMNS},
    "size_count": ("sum", _ones("content_size IS NOT NULL")),
    "size_sum": ("sum", "content_size"),
    "size_sum_squares": ("sum", "CAST(content_size AS decimal(20,0)) * CAST(content_size AS decimal(20,0))"),
    "size_min": ("min", "content_size"), "size_max": ("max", "content_size"),
})
REQUESTS_BY_DATE_HOST = Source("requests_by_date_host", ("date", "host"), {"requests": ("sum", "1")}, VALID)
#: requests per day and endpoint, and how many of them had a status other than 200
REQUESTS_BY_DATE_ENDPOINT = Source("requests_by_date_endpoint", ("date", "endpoint"),
                                   {"requests": ("sum", "1"), "not_ok": ("sum", _ones("status <> 200"))}, VALID)
REQUESTS_BY_DATE_STATUS = Source("requests_by_date_status", ("date", "status"), {"requests": ("sum", "1")}, VALID)
NOT_FOUND = Source("not_found", NOT_FOUND_KEYS, {"count": ("sum", "1")}, f"{VALID} AND status = 404")

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


#: the temporary view of a batch's parsed lines that :func:`aggregate` reads (one per session)
LINES_VIEW = "log_analytics_batch_lines"


def aggregate(parsed: DataFrame, sources=ALL_SOURCES) -> DataFrame:
    """The source table of one batch: every source of ``sources`` aggregated from
    ``parsed`` (the output of :func:`analytics.parse.parse`), in one Spark plan. Each
    source groups only the lines it counts by its own keys and computes only its own
    values (one narrow pass over the cached batch each: what a line costs does not grow
    with the other sources' columns); their rows, padded with nulls to the source table's
    columns, are put one after the other. The plan is one SQL query over a temporary view
    of ``parsed``, which Spark analyses once, not once per step of a DataFrame chain;
    the view is replaced by the next batch's."""
    keys, rules = keys_of(sources), rules_of(sources)
    types = dict(parsed.dtypes)
    value_types = {c: DEC if c in VALUE_TYPES else "bigint" for c in rules}
    selects = []
    for source in sources:
        columns = [f"'{source.name}' AS source",
                   *[f"`{k}`" if k in source.keys else f"CAST(NULL AS {types[k]}) AS `{k}`" for k in keys],
                   *[f"{rules[c]}(CAST({source.adds[c]} AS {value_types[c]}))" if c in source.values
                     else f"CAST(NULL AS {value_types[c]})" for c in rules]]
        where = f" WHERE {source.where}" if source.where else ""
        selects.append(f"SELECT {', '.join(columns)} FROM {LINES_VIEW}{where} "
                       f"GROUP BY {', '.join(f'`{k}`' for k in source.keys)}")
    parsed.createOrReplaceTempView(LINES_VIEW)
    table = parsed.sparkSession.sql(" UNION ALL ".join(selects))
    return table.toDF("source", *keys, *rules)


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
