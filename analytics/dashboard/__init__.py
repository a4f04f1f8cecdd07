"""`python -m analytics dashboard`: a live web page of the ten analytics, and the one-file
HTML report of `python -m analytics report --format html`.

- :mod:`.results` — every read of the output (the one place that reads the totals);
- :mod:`.app` — the Flask app and its server: read-only, GET only, 127.0.0.1 by default;
- :mod:`.assets` — the page, its script and style, and plotly.js from the plotly package.
"""

from __future__ import annotations

import time


def serve(output: str, host: str = "127.0.0.1", port: int = 8050) -> int:
    from .app import serve as _serve
    return _serve(output, host, port)


def html_report(output: str, report: dict) -> str:
    """One self-contained HTML page of ``report`` (the dict of ``report.build``) with the
    panels of the dashboard and the stream's recent batches at ``output``."""
    from .assets import inline_page
    from .results import Results, freshness

    results = Results(output)
    commit = results.commit()
    progress = results.progress()
    return inline_page({"output": output, "batch_id": commit and commit[0], "fresh_at": freshness(commit, progress),
                        "written_at": time.time(), "progress": progress, "report": report})
