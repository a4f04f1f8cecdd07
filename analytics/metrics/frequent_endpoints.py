"""5. frequent_endpoints: requests per endpoint. View: the top 20 ``[{"endpoint", "count"}]``.

Requests with no endpoint (request line ``-`` or a single word) are kept in the table
under a null key but are not ranked.
"""

from .base import RequestsPerKey
from .sources import REQUESTS_BY_DATE_ENDPOINT

ANALYTIC = RequestsPerKey("frequent_endpoints", "endpoint", default_top=20, source=REQUESTS_BY_DATE_ENDPOINT,
                          count="requests")
