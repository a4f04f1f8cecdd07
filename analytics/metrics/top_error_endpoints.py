"""6. top_error_endpoints: requests per endpoint whose status is not 200 (as in the
original design: 304, 206, 302... count as "errors" too). View: top 10
``[{"endpoint", "count"}]``; null endpoints are not ranked."""

from .base import RequestsPerKey
from .sources import REQUESTS_BY_DATE_ENDPOINT

ANALYTIC = RequestsPerKey("top_error_endpoints", "endpoint", default_top=10, source=REQUESTS_BY_DATE_ENDPOINT,
                          count="not_ok")
