"""6. top_error_endpoints: requests per endpoint whose status is not 200 (as in the
original design: 304, 206, 302... count as "errors" too). View: top 10
``[{"endpoint", "count"}]``; null endpoints are not ranked."""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, ranked, valid


class TopErrorEndpoints(Analytic):
    name = "top_error_endpoints"
    keys = ("endpoint",)
    values = {"count": "sum"}
    default_top = 10

    def aggregate(self, parsed):
        errors = valid(parsed).where(F.col("status") != 200)
        return errors.groupBy("endpoint").agg(F.count("*").alias("count"))

    def view(self, total, top=None):
        return ranked(total, "endpoint", "count", self._top(top))


ANALYTIC = TopErrorEndpoints()
