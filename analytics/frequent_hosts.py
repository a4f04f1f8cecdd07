"""4. frequent_hosts: requests per host. View: the top 10 ``[{"host", "count"}]``."""

from .base import RequestsPerKey

ANALYTIC = RequestsPerKey("frequent_hosts", "host", default_top=10)
