"""The ten analytics: what the pipeline computes, one module each.

``ALL`` is the ordered list of the ten analytics. Each has ``name``, a ``source`` (the
shared aggregate in Spark, per calendar day, that it is derived from), ``partial_of(rows)``
(this batch's aggregate, from its source's rows),
``merge(total, partial)`` (running totals, equal to the one-pass aggregate for any split
into batches), ``derive(rows)`` (its table from its source's rows: a batch's, or the
per-day state of any days) and ``view(total, top)`` (the JSON-able value of the report);
partials and totals are Arrow tables. :func:`batch_partials` gives all ten partials of a batch, sharing
the work between them.
"""

from .base import side_by_side
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


def batch_partials(parsed, workers: int = 3) -> dict:
    """``{name: partial}`` of every analytic for one batch (``parsed`` should be cached).
    Each distinct source is aggregated once, a few side by side, so the ten partials cost
    five Spark jobs."""
    sources = list(dict.fromkeys(a.source for a in ALL))
    collected = dict(zip(sources, side_by_side([lambda s=s: s.collect(parsed) for s in sources], workers)))
    return {a.name: a.partial_of(collected[a.source]) for a in ALL}


__all__ = ["ALL", "BY_NAME", "batch_partials"]
