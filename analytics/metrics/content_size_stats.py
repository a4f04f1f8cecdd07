"""1. content_size_stats: count, null count, sum, mean, stddev, min, max of the response size.

Kept: count (non-null sizes), null_count (``-``), sum and sum of squares as
``decimal(38,0)`` (squares of sizes overflow a long), min and max. The view computes the
mean and the *sample* standard deviation exactly (Python integers) from those.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .base import Analytic, group
from .sources import LINE_STATS


class ContentSizeStats(Analytic):
    name = "content_size_stats"
    values = {"count": "sum", "null_count": "sum", "sum": "sum", "sum_squares": "sum", "min": "min", "max": "max"}
    source = LINE_STATS

    def derive(self, source):
        names = {"size_count": "count", "null_content_size": "null_count", "size_sum": "sum",
                 "size_sum_squares": "sum_squares", "size_min": "min", "size_max": "max"}
        return group(source.select(list(names)).rename_columns(list(names.values())), (), self.values)

    def view(self, total, top=None):
        r = total.to_pylist()[0]
        n, s, ss = int(r["count"] or 0), int(r["sum"] or 0), int(r["sum_squares"] or 0)
        mean = s / n if n else None
        stddev = None
        if n >= 2:
            var = Fraction(n * ss - s * s, n * (n - 1))
            stddev = math.sqrt(var)
        return {
            "count": n,
            "null_count": int(r["null_count"] or 0),
            "sum": s,
            "mean": mean,
            "stddev": stddev,
            "min": None if r["min"] is None else int(r["min"]),
            "max": None if r["max"] is None else int(r["max"]),
        }


ANALYTIC = ContentSizeStats()
