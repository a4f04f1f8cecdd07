"""3. status_codes: requests per HTTP status. View: ``{"200": n, ...}`` (most frequent first)."""

from __future__ import annotations

from .base import Analytic, group
from .sources import REQUESTS_BY_DATE_STATUS


class StatusCodes(Analytic):
    name = "status_codes"
    keys = ("status",)
    values = {"count": "sum"}
    source = REQUESTS_BY_DATE_STATUS

    def derive(self, source):
        return group(source.select(["status", "requests"]).rename_columns(["status", "count"]), self.keys, self.values)

    def view(self, total, top=None):
        rows = total.sort_by([("count", "descending"), ("status", "ascending")]).to_pylist()
        return {str(r["status"]): int(r["count"]) for r in rows}


ANALYTIC = StatusCodes()
