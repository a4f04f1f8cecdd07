"""2. missing_values: null count per parsed column, and the number of rejected lines.

One row: ``records`` (valid lines), ``rejected`` (rejected lines) and, per parsed column
``c``, ``null_c`` (valid records where ``c`` is null). Line totals derive from it:
lines = records + rejected. ``-`` in ident, authuser and referrer is a value, not a null;
``-`` as the size is null, and referrer/user agent are null on Common-format lines.
"""

from __future__ import annotations

from .base import Analytic
from ..columns import RECORD_COLUMNS
from .sources import LINE_STATS


class MissingValues(Analytic):
    name = "missing_values"
    values = {"records": "sum", "rejected": "sum", **{f"null_{c}": "sum" for c in RECORD_COLUMNS}}
    source = LINE_STATS  # derive: the columns above, summed over the days

    def view(self, total, top=None):
        r = total.to_pylist()[0]
        out = {c: int(r[f"null_{c}"] or 0) for c in RECORD_COLUMNS}  # null: no line at all
        out["rejected_lines"] = int(r["rejected"] or 0)
        return out

    def lines(self, total) -> dict:
        """``{"total", "records", "rejected"}`` line counts from this analytic's total."""
        r = total.to_pylist()[0]
        rec, rej = int(r["records"] or 0), int(r["rejected"] or 0)
        return {"total": rec + rej, "records": rec, "rejected": rej}


ANALYTIC = MissingValues()
