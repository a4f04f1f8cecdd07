"""The report: every analytic's view of the totals, as JSON or as readable tables."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .metrics import ALL, missing_values
from .errors import UserError


#: what a date range does not narrow: rejected lines have no date
WHOLE_INPUT = ["lines.rejected", "lines.total", "missing_values.rejected_lines"]


def parse_day(text: str) -> dt.date:
    """A day of the form YYYY-MM-DD; ValueError with a readable message otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date of the form YYYY-MM-DD: {text!r}") from None


def check_range(top, first, last, names=("--top", "--from", "--to")):
    """``(top, first, last)`` checked and converted (strings from the environment or a
    query string: a whole number >= 1, dates YYYY-MM-DD, first <= last; None or "" stays
    None). Raises UserError with a readable message; ``names`` are what the message calls
    the three (flags here, query parameters in the dashboard)."""
    top_name, first_name, last_name = names
    if top == "":
        top = None
    if top is not None:
        try:
            top = int(top)
        except ValueError:
            raise UserError(f"{top_name} must be a whole number, not {top!r}") from None
        if top < 1:
            raise UserError(f"{top_name} must be at least 1")
    days = []
    for name, day in ((first_name, first), (last_name, last)):
        if day == "":
            day = None
        if isinstance(day, str):  # from the environment or a URL: not checked by argparse
            try:
                day = parse_day(day)
            except ValueError as e:
                raise UserError(f"{name}: {e}") from None
        days.append(day)
    first, last = days
    if first and last and first > last:
        raise UserError(f"{first_name} {first} is after {last_name} {last}")
    return top, first, last


def build(totals: dict, top: int | None = None, first: dt.date | None = None,
          last: dt.date | None = None) -> dict[str, Any]:
    """The report dict: ``range`` (only when ``first`` or ``last`` is given: the days the
    totals cover, both inclusive, and which figures stay whole-input), ``lines``, then one
    entry per analytic of ``ALL``, in order."""
    report: dict[str, Any] = {}
    if first or last:
        report["range"] = {"from": first and first.isoformat(), "to": last and last.isoformat(),
                           "whole_input": WHOLE_INPUT}
    report["lines"] = missing_values.ANALYTIC.lines(totals["missing_values"])
    for a in ALL:
        report[a.name] = a.view(totals[a.name], top)
    return report


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _table(rows: list[dict], title: str) -> str:
    if not rows:
        return f"{title}\n  (none)\n"
    cols = list(rows[0])
    cells = [[_fmt(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    widths = [min(w, 70) for w in widths]

    def line(values):
        out = []
        for v, w in zip(values, widths):
            v = v if len(v) <= w else v[: w - 1] + "…"
            out.append(v.rjust(w) if v[:1].isdigit() or v == "-" else v.ljust(w))
        return "  " + "  ".join(out).rstrip()

    body = [line(cols), "  " + "  ".join("-" * w for w in widths)] + [line(r) for r in cells]
    return title + "\n" + "\n".join(body) + "\n"


def _range_block(span: dict) -> str:
    return (f"Days {span['from'] or 'first'} to {span['to'] or 'last'} (inclusive); "
            f"rejected lines have no date and are counted over the whole input\n")


def _kv(d: dict) -> list[dict]:
    return [{"name": k, "value": v} for k, v in d.items()]


def _not_found(nf: dict) -> list[str]:
    return [f"10. 404 Not Found: {_fmt(nf['count'])} responses\n",
            _table(nf["top_endpoints"], "10a. 404: top endpoints"),
            _table(nf["top_hosts"], "10b. 404: top hosts"),
            _table(nf["daily"], "10c. 404: per day"),
            _table(nf["hourly"], "10d. 404: per hour (local time)")]


#: the blocks of each entry of the report, in the report's order; an entry not named here
#: (an analytic added to ``ALL``) gets a plain block of its own
_LAYOUT = {
    "range": lambda v: [_range_block(v)],
    "lines": lambda v: [_table(_kv(v), "Lines")],
    "content_size_stats": lambda v: [_table(_kv(v), "1. Content size (bytes)")],
    "missing_values": lambda v: [_table(_kv(v), "2. Missing values (nulls per column)")],
    "status_codes": lambda v: [_table([{"status": k, "count": n} for k, n in v.items()], "3. Status codes")],
    "frequent_hosts": lambda v: [_table(v, "4. Most frequent hosts")],
    "frequent_endpoints": lambda v: [_table(v, "5. Most frequent endpoints")],
    "top_error_endpoints": lambda v: [_table(v, "6. Top endpoints with a status other than 200")],
    "unique_hosts": lambda v: [f"7. Unique hosts: {_fmt(v)}\n"],
    "daily_unique_hosts": lambda v: [_table(v, "8. Unique hosts per day")],
    "daily_requests_per_host": lambda v: [_table(v, "9. Requests per host per day")],
    "not_found": _not_found,
}


def to_table(report: dict) -> str:
    """Readable text tables, one block per analytic."""
    return "\n".join(block for name, value in report.items()
                     for block in (_LAYOUT[name](value) if name in _LAYOUT else [_block(name, value)]))


def _block(name: str, value) -> str:
    if isinstance(value, dict):
        return _table(_kv(value), name)
    if isinstance(value, list):
        return _table(value, name)
    return f"{name}: {_fmt(value)}\n"
