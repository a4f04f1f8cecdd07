"""8. daily_unique_hosts: distinct hosts per calendar day (the log's local date).

Kept exactly as the set of (date, host) pairs. View: every day, in date order:
``[{"date": "YYYY-MM-DD", "unique_hosts": n}]`` (a time series is not cut to a top N).
"""

from __future__ import annotations

from .base import Analytic, sum_by
from .sources import REQUESTS_BY_DATE_HOST


class DailyUniqueHosts(Analytic):
    name = "daily_unique_hosts"
    keys = ("date", "host")
    source = REQUESTS_BY_DATE_HOST  # its keys are the (date, host) pairs

    def view(self, total, top=None):
        rows = sum_by(total, "date")
        return [{"date": r["date"].isoformat(), "unique_hosts": int(r["n"])} for r in rows]


ANALYTIC = DailyUniqueHosts()
