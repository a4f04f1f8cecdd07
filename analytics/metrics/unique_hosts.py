"""7. unique_hosts: number of distinct hosts. Kept exactly as the set of hosts."""

from __future__ import annotations

from .base import Analytic
from .sources import REQUESTS_BY_DATE_HOST


class UniqueHosts(Analytic):
    name = "unique_hosts"
    keys = ("host",)
    source = REQUESTS_BY_DATE_HOST

    def view(self, total, top=None):
        return total.num_rows


ANALYTIC = UniqueHosts()
