"""1. content_size_stats: count, null count, sum, mean, stddev, min, max of the response size.

Kept: count (non-null sizes), null_count (``-``), sum and sum of squares as
``decimal(38,0)`` (squares of sizes overflow a long), min and max. The view computes the
mean and the *sample* standard deviation exactly (Python integers) from those.
"""

from __future__ import annotations

import math
from fractions import Fraction

from pyspark.sql import functions as F

from .base import Analytic, count_where, valid

DEC = "decimal(38,0)"


class ContentSizeStats(Analytic):
    name = "content_size_stats"
    values = {"count": "sum", "null_count": "sum", "sum": "sum", "sum_squares": "sum", "min": "min", "max": "max"}

    def aggregate(self, parsed):
        size = F.col("content_size")
        dec = size.cast("decimal(20,0)")
        return valid(parsed).agg(
            F.count(size).alias("count"),
            count_where(size.isNull()).alias("null_count"),
            F.sum(size.cast(DEC)).cast(DEC).alias("sum"),
            F.sum((dec * dec).cast(DEC)).cast(DEC).alias("sum_squares"),
            F.min(size).alias("min"),
            F.max(size).alias("max"),
        )

    def view(self, total, top=None):
        r = total.collect()[0]
        n, s, ss = int(r["count"]), int(r["sum"] or 0), int(r["sum_squares"] or 0)
        mean = s / n if n else None
        stddev = None
        if n >= 2:
            var = Fraction(n * ss - s * s, n * (n - 1))
            stddev = math.sqrt(var)
        return {
            "count": n,
            "null_count": int(r["null_count"]),
            "sum": s,
            "mean": mean,
            "stddev": stddev,
            "min": None if r["min"] is None else int(r["min"]),
            "max": None if r["max"] is None else int(r["max"]),
        }


ANALYTIC = ContentSizeStats()
