"""3. status_codes: requests per HTTP status. View: ``{"200": n, ...}`` (most frequent first)."""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, Source, valid


class StatusCodes(Analytic):
    name = "status_codes"
    keys = ("status",)
    values = {"count": "sum"}
    source = Source(name, lambda parsed: valid(parsed).groupBy("status").agg(F.count("*").alias("count")))

    def view(self, total, top=None):
        rows = total.sort_by([("count", "descending"), ("status", "ascending")]).to_pylist()
        return {str(r["status"]): int(r["count"]) for r in rows}


ANALYTIC = StatusCodes()
