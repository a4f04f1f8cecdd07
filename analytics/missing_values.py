"""2. missing_values: null count per parsed column, and the number of rejected lines.

One row: ``records`` (valid lines), ``rejected`` (rejected lines) and, per parsed column
``c``, ``null_c`` (valid records where ``c`` is null). Line totals derive from it:
lines = records + rejected. ``-`` in ident, authuser and referrer is a value, not a null;
``-`` as the size is null, and referrer/user agent are null on Common-format lines.
"""

from __future__ import annotations

from .base import Analytic
from .parse import RECORD_COLUMNS
from .sources import LINE_STATS


class MissingValues(Analytic):
    name = "missing_values"
    values = {"records": "sum", "rejected": "sum", **{f"null_{c}": "sum" for c in RECORD_COLUMNS}}
    source = LINE_STATS  # derive: the columns above, selected by partial()

    def view(self, total, top=None):
        r = total.to_pylist()[0]
        out = {c: int(r[f"null_{c}"]) for c in RECORD_COLUMNS}
        out["rejected_lines"] = int(r["rejected"])
        return out

    def lines(self, total) -> dict:
        """``{"total", "records", "rejected"}`` line counts from this analytic's total."""
        r = total.to_pylist()[0]
        rec, rej = int(r["records"]), int(r["rejected"])
        return {"total": rec + rej, "records": rec, "rejected": rej}


ANALYTIC = MissingValues()
