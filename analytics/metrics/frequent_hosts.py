"""4. frequent_hosts: requests per host. View: the top 10 ``[{"host", "count"}]``."""

from .base import RequestsPerKey
from .sources import REQUESTS_BY_DATE_HOST

ANALYTIC = RequestsPerKey("frequent_hosts", "host", default_top=10, source=REQUESTS_BY_DATE_HOST, count="requests")
