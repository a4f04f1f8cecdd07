"""The ten analytics: what the pipeline computes, one module each.

``ALL`` is the ordered list of the ten analytics. Each has ``name``, a ``source`` (the
shared aggregate, per calendar day, that it is derived from: :mod:`.sources`),
``derive(rows)`` (its table from its source's rows: a batch's, or the per-day state of any
days, for any split into batches) and ``view(total, top)`` (the JSON-able value of the
report); tables are Arrow tables.
"""

from . import (
    content_size_stats,
    daily_requests_per_host,
    daily_unique_hosts,
    frequent_endpoints,
    frequent_hosts,
    missing_values,
    not_found,
    status_codes,
    top_error_endpoints,
    unique_hosts,
)

ALL = [
    content_size_stats.ANALYTIC,
    missing_values.ANALYTIC,
    status_codes.ANALYTIC,
    frequent_hosts.ANALYTIC,
    frequent_endpoints.ANALYTIC,
    top_error_endpoints.ANALYTIC,
    unique_hosts.ANALYTIC,
    daily_unique_hosts.ANALYTIC,
    daily_requests_per_host.ANALYTIC,
    not_found.ANALYTIC,
]

BY_NAME = {a.name: a for a in ALL}


__all__ = ["ALL", "BY_NAME"]
