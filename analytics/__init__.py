"""Log analytics: a Common/Combined Log Format parser and ten mergeable analytics.

``ALL`` is the ordered list of the ten analytics. Each has ``name``, ``partial(parsed)``
(this batch's aggregate, from the output of :func:`analytics.parse.parse`),
``merge(total, partial)`` (running totals, equal to the one-pass aggregate for any split
into batches) and ``view(total, top)`` (the JSON-able value of the report).
:func:`batch_partials` gives all ten partials of a batch, sharing the work between them.
"""

from contextlib import contextmanager

from pyspark import StorageLevel

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


@contextmanager
def batch_partials(parsed):
    """``{name: partial}`` of every analytic for one batch (``parsed`` should be cached).
    Each distinct source is aggregated once and kept in memory while the block runs, so
    the ten partials cost five scans of the batch; they are released on exit."""
    sources = {}
    for a in ALL:
        if a.source not in sources:
            sources[a.source] = a.source.aggregate(parsed).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        yield {a.name: a.derive(sources[a.source]).select(*a.columns) for a in ALL}
    finally:
        for df in sources.values():
            df.unpersist()


__all__ = ["ALL", "BY_NAME", "batch_partials"]
