"""2. missing_values: null count per parsed column, and the number of rejected lines.

One row: ``records`` (valid lines), ``rejected`` (rejected lines) and, per parsed column
``c``, ``null_c`` (valid records where ``c`` is null). Line totals derive from it:
lines = records + rejected. ``-`` in ident, authuser and referrer is a value, not a null;
``-`` as the size is null, and referrer/user agent are null on Common-format lines.
"""

from __future__ import annotations

from pyspark.sql import functions as F

from .base import Analytic, count_where
from .parse import RECORD_COLUMNS


class MissingValues(Analytic):
    name = "missing_values"
    values = {"records": "sum", "rejected": "sum", **{f"null_{c}": "sum" for c in RECORD_COLUMNS}}

    def aggregate(self, parsed):
        ok = F.col("reject_reason").isNull()
        return parsed.agg(
            count_where(ok).alias("records"),
            count_where(~ok).alias("rejected"),
            *[count_where(ok & F.col(c).isNull()).alias(f"null_{c}") for c in RECORD_COLUMNS],
        )

    def view(self, total, top=None):
        r = total.collect()[0]
        out = {c: int(r[f"null_{c}"]) for c in RECORD_COLUMNS}
        out["rejected_lines"] = int(r["rejected"])
        return out

    def lines(self, total) -> dict:
        """``{"total", "records", "rejected"}`` line counts from this analytic's total."""
        r = total.collect()[0]
        rec, rej = int(r["records"]), int(r["rejected"])
        return {"total": rec + rej, "records": rec, "rejected": rej}


ANALYTIC = MissingValues()
