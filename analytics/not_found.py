"""10. not_found: 404 responses — total, top endpoints, top hosts, per day, per hour.

Kept as one table of 404 counts keyed by (endpoint, host, date, hour); the view derives
the five answers: ``count``; ``top_endpoints`` and ``top_hosts`` (top 20 each, count
descending then name); ``daily`` and ``hourly`` (every day / hour that has a 404, in
chronological order; hours are the log's local wall clock, 0-23).
"""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, Source, ranked, sum_by, valid

KEYS = ("endpoint", "host", "date", "hour")


def _not_found(parsed):
    return valid(parsed).where(F.col("status") == 404).groupBy(*KEYS).agg(F.count("*").alias("count"))


class NotFound(Analytic):
    name = "not_found"
    keys = KEYS
    values = {"count": "sum"}
    default_top = 20
    source = Source(name, _not_found)

    def view(self, total, top=None):
        top = self._top(top)
        daily = sum_by(total, "date", "count")
        hourly = sum_by(total, "hour", "count")
        return {
            "count": sum(int(r["n"]) for r in daily),  # every 404 has a date
            "top_endpoints": ranked(total, "endpoint", "count", top),
            "top_hosts": ranked(total, "host", "count", top),
            "daily": [{"date": r["date"].isoformat(), "count": int(r["n"])} for r in daily],
            "hourly": [{"hour": int(r["hour"]), "count": int(r["n"])} for r in hourly],
        }


ANALYTIC = NotFound()
