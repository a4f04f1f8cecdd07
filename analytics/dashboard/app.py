"""The dashboard's web server: a Flask app, read-only, GET only.

Routes::

    GET /                         the page (analytics/dashboard/assets/dashboard.html)
    GET /assets/<name>            its script, style sheet and plotly.min.js (from the plotly package)
    GET /api/report?from=&to=&top=  exactly what `python -m analytics report --format json` prints
    GET /api/status               the newest commit, how fresh it is, the stream's recent batches

A poller thread asks the output for its newest commit every ``poll`` seconds (three small
listings); on a new one it warms the whole-history report, then reads the stream's
progress, and keeps the result as the status. The page asks for the status twice a second
(an answer from memory) and fetches its report when the commit changed. (Polling rather
than server-sent events: a browser keeps at most six connections to one server, and
every open tab of the page would hold one of them.)
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
import time

from flask import Flask, Response, abort, request

from . import assets
from .results import Results, freshness

#: seconds between two looks at the output's newest commit (three listings of small folders)
POLL_SECONDS = 0.5


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning to print when ``host`` exposes the dashboard beyond this machine."""
    if is_loopback(host):
        return None
    return (f"dashboard: warning: listening on {host} exposes the dashboard to every machine that can "
            f"reach this one, with no authentication and no TLS; the default 127.0.0.1 keeps it on this machine")


class Status:
    """The newest status of the output, shared by the poller and the request threads."""

    def __init__(self, results: Results, poll: float = POLL_SECONDS):
        self.results, self.poll = results, poll
        self._lock = threading.Lock()
        self.version = 0
        self.value: dict = {"version": 0, "output": results.output, "batch_id": None, "committed_at": None,
                            "fresh_at": None, "days": None, "progress": [], "error": None}
        self.commit = None
        self.seen = None  # (commit, newest progress batch) last published
        self._stop = threading.Event()

    def refresh(self) -> None:
        """Look once; on a new commit, then on a new row of progress (or a changed error),
        publish a new status. A new commit is published as soon as its whole-history report
        is read (what most pages show, so their fetch finds it ready), before its progress."""
        try:
            commit = self.results.commit()
            newest = self.results.newest_progress()
            if (commit, newest) == self.seen and self.value["error"] is None:
                return
            seen_commit, seen_newest = self.seen or (None, None)
            if commit != seen_commit or self.value["error"] is not None:
                started = time.monotonic()
                whole = self.results.report(commit=commit) if commit else None
                if commit:
                    print(f"dashboard: batch {commit[0]}, committed {time.time() - commit[1]:.1f} s ago, "
                          f"read in {time.monotonic() - started:.1f} s", flush=True)
                days = [d["date"] for d in whole["daily_unique_hosts"]] if whole else []
                self._publish(commit, {"batch_id": commit and commit[0], "committed_at": commit and commit[1],
                                       "fresh_at": freshness(commit, self.value["progress"]),
                                       "days": [days[0], days[-1]] if days else None, "error": None})
                self.seen = (commit, seen_newest)
            if newest != seen_newest:
                progress = self.results.progress() if newest is not None else []
                self._publish(commit, {"progress": progress, "fresh_at": freshness(commit, progress)})
            self.seen = (commit, newest)
        except Exception as e:  # the output went away, HDFS is down: say so on the page, keep trying
            from analytics.errors import one_line
            error = one_line(e)
            if error != self.value["error"]:
                self._publish(self.commit, {**self.value, "error": error})

    def _publish(self, commit, fields: dict) -> None:
        with self._lock:
            self.commit = commit
            self.version += 1
            self.value = {**self.value, **fields, "version": self.version}

    def run(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self.poll)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="dashboard-poller", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

def _json(value, status: int = 200) -> Response:
    return Response(json.dumps(value, ensure_ascii=False), status=status, mimetype="application/json")


def create_app(results: Results, status: Status, host: str) -> Flask:
    from analytics.errors import UserError
    from analytics.report import check_range

    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    loopback = is_loopback(host)

    @app.before_request
    def only_this_machine():
        # bound to loopback: refuse requests that name another host (DNS rebinding)
        if loopback and not is_loopback((request.host or "").rsplit(":", 1)[0]):
            abort(Response(f"this dashboard answers only to localhost, not {request.host}\n", 403,
                           mimetype="text/plain"))

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = assets.CSP
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/")
    def page():
        return Response(assets.page(), mimetype="text/html")

    @app.get("/assets/<name>")
    def asset(name: str):
        found = assets.served(name)
        if found is None:
            abort(404)
        body, mimetype = found
        response = Response(body, mimetype=mimetype)
        response.headers["Cache-Control"] = "max-age=3600"
        return response

    @app.get("/api/report")
    def report():
        try:
            top, first, last = check_range(request.args.get("top"), request.args.get("from"),
                                           request.args.get("to"), names=("top", "from", "to"))
        except UserError as e:
            return _json({"error": str(e)}, 400)
        from analytics import report as R
        try:
            rep = results.report(top, first, last, commit=status.commit)
        except Exception as e:
            from analytics.errors import one_line
            return _json({"error": one_line(e)}, 503)
        if rep is None:
            return _json({"error": f"no totals at {results.output} yet (run `python -m analytics run` "
                                   f"or the stream first)"}, 404)
        return Response(R.to_json(rep) + "\n", mimetype="application/json")

    @app.get("/api/status")
    def current_status():
        return _json(status.value)

    return app


def serve(output: str, host: str = "127.0.0.1", port: int = 8050) -> int:
    """Serve the dashboard of ``output`` until Ctrl-C or SIGTERM."""
    import signal
    import sys

    from werkzeug.serving import make_server

    from analytics.errors import UserError, one_line

    warning = exposure_warning(host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    started = time.monotonic()
    ready: dict = {}  # the app, once the first read is done; until then requests wait in the backlog

    def app(environ, start_response):
        return ready["app"](environ, start_response)

    # listen first: a port in use is one line before the first read (werkzeug's own message
    # would be two lines and an exit)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as e:
        raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    server = make_server(host, port, app, threaded=True)
    results = Results(output)
    try:
        results.commit()
    except Exception as e:
        server.server_close()
        raise UserError(f"cannot read {output}: {one_line(e)}") from None
    status = Status(results)
    status.refresh()  # the first status (and the whole-history report) before the first page
    ready["app"] = create_app(results, status, host)
    shown = f"[{host}]" if ":" in host else host
    print(f"dashboard: http://{shown}:{server.server_port}/ reading {output} "
          f"(ready in {time.monotonic() - started:.1f} s; Ctrl-C stops it)", flush=True)
    status.start()

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        status.stop()
        server.server_close()
    print("dashboard: stopped", flush=True)
    return 0
