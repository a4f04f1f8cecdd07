"""The page's files: ours in assets/, plotly.min.js from the plotly package (no CDN).

The live page links them; the one-file report (:func:`inline_page`) holds them inline,
with its report (and the stream's progress) as a JSON block the same script renders.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).with_name("assets")
OURS = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
PLOTLY = "plotly.min.js"
#: the live page loads nothing but its own server's files
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
#: the one-file report loads nothing at all: its scripts and styles are inline
CSP_FILE = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
            "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def plotly_path() -> Path:
    """plotly.js as shipped in the plotly Python package (found without importing it)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is missing: run `make install`")
    path = Path(list(spec.submodule_search_locations)[0]) / "package_data" / PLOTLY
    if not path.is_file():
        raise RuntimeError(f"plotly.js is missing from the plotly package ({path})")
    return path


@lru_cache(maxsize=None)
def _read(name: str) -> bytes:
    return (plotly_path() if name == PLOTLY else HERE / name).read_bytes()


def served(name: str) -> tuple[bytes, str] | None:
    """``(body, mime type)`` of an asset the page may load, or None."""
    if name == PLOTLY:
        return _read(name), "text/javascript"
    if name in OURS:
        return _read(name), OURS[name]
    return None


def _template() -> str:
    return (HERE / "dashboard.html").read_text(encoding="utf-8")


def page() -> str:
    """The live page: its assets linked from this server."""
    return (_template()
            .replace("<!--CSP-->", "")
            .replace("<!--STYLE-->", '<link rel="stylesheet" href="/assets/dashboard.css">')
            .replace("<!--SCRIPTS-->", '<script src="/assets/plotly.min.js"></script>\n'
                                       '<script src="/assets/dashboard.js"></script>')
            .replace("<!--DATA-->", ""))


def _script_text(text: str) -> str:
    """JavaScript ``text`` safe inside a <script> element: no "</script" can end it early
    ("<\\/script" means the same in a string or a regular expression)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_page(data: dict) -> str:
    """One self-contained HTML page: scripts, style and ``data`` (the report and its
    metadata) inline; it loads nothing from anywhere."""
    plotly = _read(PLOTLY).decode("utf-8")
    ours = _read("dashboard.js").decode("utf-8")
    css = _read("dashboard.css").decode("utf-8")
    # in JSON, "<" occurs only inside strings, where the escape \u003c means the same
    blob = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return (_template()
            .replace("<!--CSP-->", f'<meta http-equiv="Content-Security-Policy" content="{CSP_FILE}">')
            .replace("<!--STYLE-->", f"<style>\n{css}\n</style>")
            .replace("<!--DATA-->", f'<script type="application/json" id="report-data">{blob}</script>')
            .replace("<!--SCRIPTS-->", f"<script>{_script_text(plotly)}</script>\n<script>{_script_text(ours)}</script>"))
