"""The aggregates that several analytics share (see :class:`analytics.base.Source`)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .base import Source, count_where, valid
from .parse import RECORD_COLUMNS

#: sums and sums of squares of sizes: squares of sizes overflow a long
DEC = "decimal(38,0)"


def _line_stats(parsed: DataFrame) -> DataFrame:
    """One row: line counts, nulls per parsed column and the size statistics."""
    ok = F.col("reject_reason").isNull()
    size = F.col("content_size")  # null on rejects too
    dec = size.cast("decimal(20,0)")
    return parsed.agg(
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
    return valid(parsed).groupBy("date", "host").agg(F.count("*").alias("requests"))


def _requests_by_endpoint(parsed: DataFrame) -> DataFrame:
    """Requests per endpoint, and how many of them had a status other than 200."""
    return valid(parsed).groupBy("endpoint").agg(
        F.count("*").alias("requests"), count_where(F.col("status") != 200).alias("not_ok"))


LINE_STATS = Source("line_stats", _line_stats)
REQUESTS_BY_DATE_HOST = Source("requests_by_date_host", _requests_by_date_host)
REQUESTS_BY_ENDPOINT = Source("requests_by_endpoint", _requests_by_endpoint)
