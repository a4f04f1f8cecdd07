"""4. frequent_hosts: requests per host. View: the top 10 ``[{"host", "count"}]``."""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, ranked, valid


class FrequentHosts(Analytic):
    name = "frequent_hosts"
    keys = ("host",)
    values = {"count": "sum"}
    default_top = 10

    def aggregate(self, parsed):
        return valid(parsed).groupBy("host").agg(F.count("*").alias("count"))

    def view(self, total, top=None):
        return ranked(total, "host", "count", self._top(top))


ANALYTIC = FrequentHosts()
