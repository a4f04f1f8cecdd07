"""The aggregates that several analytics share (see :class:`analytics.metrics.base.Source`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from .base import Source, count_where, valid
from ..columns import RECORD_COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
# Spark is imported where an aggregate is built: the report reads the state without it.

#: sums and sums of squares of sizes: squares of sizes overflow a long
DEC = "decimal(38,0)"


def _line_stats(parsed: DataFrame) -> DataFrame:
    """Per day: line counts, nulls per parsed column and the size statistics. Rejected
    lines have no date: they are counted in the row whose date is null."""
    from pyspark.sql import functions as F
    ok = F.col("reject_reason").isNull()
    size = F.col("content_size")  # null on rejects too
    dec = size.cast("decimal(20,0)")
    return parsed.groupBy(F.when(ok, F.col("date")).alias("date")).agg(
        count_where(ok).alias("records"),
        count_where(~ok).alias("rejected"),
        *[count_where(ok & F.col(c).isNull()).alias(f"null_{c}") for c in RECORD_COLUMNS],
        F.count(size).alias("size_count"),
        F.sum(size.cast(DEC)).cast(DEC).alias("size_sum"),
        F.sum((dec * dec).cast(DEC)).cast(DEC).alias("size_sum_squares"),
        F.min(size).alias("size_min"),
        F.max(size).alias("size_max"),
    )


def _requests_by_date_host(parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F
    return valid(parsed).groupBy("date", "host").agg(F.count("*").alias("requests"))


def _requests_by_date_endpoint(parsed: DataFrame) -> DataFrame:
    """Requests per day and endpoint, and how many of them had a status other than 200."""
    from pyspark.sql import functions as F
    return valid(parsed).groupBy("date", "endpoint").agg(
        F.count("*").alias("requests"), count_where(F.col("status") != 200).alias("not_ok"))


def _requests_by_date_status(parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F
    return valid(parsed).groupBy("date", "status").agg(F.count("*").alias("requests"))


NOT_FOUND_KEYS = ("date", "endpoint", "host", "hour")


def _not_found(parsed: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F
    return valid(parsed).where(F.col("status") == 404).groupBy(*NOT_FOUND_KEYS).agg(F.count("*").alias("count"))


LINE_STATS = Source("line_stats", ("date",), {
    "records": "sum", "rejected": "sum", **{f"null_{c}": "sum" for c in RECORD_COLUMNS},
    "size_count": "sum", "size_sum": "sum", "size_sum_squares": "sum", "size_min": "min", "size_max": "max",
}, _line_stats)
REQUESTS_BY_DATE_HOST = Source("requests_by_date_host", ("date", "host"), {"requests": "sum"},
                               _requests_by_date_host)
REQUESTS_BY_DATE_ENDPOINT = Source("requests_by_date_endpoint", ("date", "endpoint"),
                                   {"requests": "sum", "not_ok": "sum"}, _requests_by_date_endpoint)
REQUESTS_BY_DATE_STATUS = Source("requests_by_date_status", ("date", "status"), {"requests": "sum"},
                                 _requests_by_date_status)
NOT_FOUND = Source("not_found", NOT_FOUND_KEYS, {"count": "sum"}, _not_found)

#: every source, in the order the state is written
ALL_SOURCES = (LINE_STATS, REQUESTS_BY_DATE_HOST, REQUESTS_BY_DATE_ENDPOINT, REQUESTS_BY_DATE_STATUS, NOT_FOUND)


#: the Arrow type of each key; every value is a count (int64) but the size sums
KEY_TYPES = {"date": pa.date32(), "host": pa.string(), "endpoint": pa.string(), "status": pa.int32(),
             "hour": pa.int32()}
VALUE_TYPES = {"size_sum": pa.decimal128(38, 0), "size_sum_squares": pa.decimal128(38, 0)}


def arrow_schema(source: Source) -> pa.Schema:
    """The Arrow schema of a source's aggregate and state, as Spark writes it (a test
    holds the two equal), for reading the state without Spark."""
    return pa.schema([(c, KEY_TYPES[c]) for c in source.keys] +
                     [(c, VALUE_TYPES.get(c, pa.int64())) for c in source.values])
