"""8. daily_unique_hosts: distinct hosts per calendar day (the log's local date).

Kept exactly as the set of (date, host) pairs. View: every day, in date order:
``[{"date": "YYYY-MM-DD", "unique_hosts": n}]`` (a time series is not cut to a top N).
"""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, valid


class DailyUniqueHosts(Analytic):
    name = "daily_unique_hosts"
    keys = ("date", "host")

    def aggregate(self, parsed):
        return valid(parsed).select("date", "host").distinct()

    def view(self, total, top=None):
        rows = total.groupBy("date").agg(F.count("*").alias("n")).orderBy("date").collect()
        return [{"date": r["date"].isoformat(), "unique_hosts": int(r["n"])} for r in rows]


ANALYTIC = DailyUniqueHosts()
