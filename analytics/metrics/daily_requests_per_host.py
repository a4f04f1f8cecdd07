"""9. daily_requests_per_host: per day, requests, distinct hosts and requests / hosts.

Kept as requests per (date, host). View: every day, in date order:
``[{"date", "requests", "unique_hosts", "avg_requests_per_host"}]``.
"""

from __future__ import annotations

from .base import Analytic
from .sources import REQUESTS_BY_DATE_HOST


class DailyRequestsPerHost(Analytic):
    name = "daily_requests_per_host"
    keys = ("date", "host")
    values = {"requests": "sum"}
    source = REQUESTS_BY_DATE_HOST

    def view(self, total, top=None):
        rows = total.group_by("date", use_threads=False).aggregate([("requests", "sum"), ([], "count_all")])
        rows = rows.rename_columns(["date", "requests", "hosts"]).sort_by("date").to_pylist()
        return [
            {
                "date": r["date"].isoformat(),
                "requests": int(r["requests"]),
                "unique_hosts": int(r["hosts"]),
                "avg_requests_per_host": int(r["requests"]) / int(r["hosts"]),
            }
            for r in rows
        ]


ANALYTIC = DailyRequestsPerHost()
