"""7. unique_hosts: number of distinct hosts. Kept exactly as the set of hosts."""

from __future__ import annotations

from .base import Analytic, valid


class UniqueHosts(Analytic):
    name = "unique_hosts"
    keys = ("host",)

    def aggregate(self, parsed):
        return valid(parsed).select("host").distinct()

    def view(self, total, top=None):
        return int(total.count())


ANALYTIC = UniqueHosts()
