"""5. frequent_endpoints: requests per endpoint. View: the top 20 ``[{"endpoint", "count"}]``.

Requests with no endpoint (request line ``-`` or a single word) are kept in the table
under a null key but are not ranked.
"""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, ranked, valid


class FrequentEndpoints(Analytic):
    name = "frequent_endpoints"
    keys = ("endpoint",)
    values = {"count": "sum"}
    default_top = 20

    def aggregate(self, parsed):
        return valid(parsed).groupBy("endpoint").agg(F.count("*").alias("count"))

    def view(self, total, top=None):
        return ranked(total, "endpoint", "count", self._top(top))


ANALYTIC = FrequentEndpoints()
