"""10. not_found: 404 responses — total, top endpoints, top hosts, per day, per hour.

Kept as one table of 404 counts keyed by (date, endpoint, host, hour); the view derives
the five answers: ``count``; ``top_endpoints`` and ``top_hosts`` (top 20 each, count
descending then name); ``daily`` and ``hourly`` (every day / hour that has a 404, in
chronological order; hours are the log's local wall clock, 0-23).
"""

from __future__ import annotations

from .base import Analytic, ranked, sum_by
from .sources import NOT_FOUND


class NotFound(Analytic):
    name = "not_found"
    keys = NOT_FOUND.keys
    values = NOT_FOUND.values
    default_top = 20
    source = NOT_FOUND

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
