"""A warm Spark driver for ``python -m analytics run|report``: ``python -m analytics serve``.

A new Spark driver spends most of a two-million-line run compiling Spark, Parquet and the
generated code of each job (the JIT): 21-23 s cold, 8-10 s warm. The service starts one driver,
warms it on the bundled sample, then runs every ``run`` and ``report`` that
``python -m analytics`` hands it, one at a time, on 127.0.0.1 only. Clients find it through
a state file (port, a random token, pid) and run in their own process when there is none,
so the service only ever makes a command faster, never different: it runs the same
:func:`analytics.cli.main` and returns its exit status, stdout and stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("LOG_ANALYTICS_SERVICE_STATE", ROOT / "stack" / "run" / "analytics-service.json"))
WARM_UP_LOG = ROOT / "data" / "sample" / "apache_combined_2015-05.log.gz"
WARM_UP_RUNS = 3


def _connect() -> tuple[dict, socket.socket] | None:
    """(state, connection) of the running service, or None."""
    try:
        state = json.loads(STATE.read_text())
        return state, socket.create_connection(("127.0.0.1", int(state["port"])), timeout=2)
    except (OSError, ValueError, KeyError):
        return None


def submit(argv: list[str], master: str) -> int | None:
    """Run ``argv`` (a complete ``run`` or ``report`` command line) in the service and
    print what it printed; its exit status, or None when no service with this Spark
    ``master`` answers."""
    found = _connect()
    if found is None:
        return None
    state, conn = found
    with conn:
        if state.get("master") != master:
            return None
        conn.settimeout(None)  # a run takes as long as it takes
        conn.sendall(json.dumps({"token": state["token"], "argv": argv}).encode() + b"\n")
        reply = conn.makefile("rb").readline()
    if not reply:
        return None  # the service went away without an answer: run here instead
    result = json.loads(reply)
    sys.stdout.write(result["stdout"])
    sys.stderr.write(result["stderr"])
    return int(result["code"])


def _run(argv: list[str]) -> dict:
    from .cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv, standalone=True)
        except SystemExit as e:  # argparse
            code = e.code if isinstance(e.code, int) else 2
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def warm_up(log: Path = WARM_UP_LOG, runs: int = WARM_UP_RUNS) -> float:
    """Run ``log`` through the whole batch path, run and report, ``runs`` times (into a
    scratch folder, in this process) so that this driver has loaded and compiled it;
    seconds taken."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="analytics-warm-up-") as scratch:
        for _ in range(runs):
            for argv in (["run", str(log), "--output", f"file://{scratch}", "--overwrite"],
                         ["report", "--output", f"file://{scratch}", "--format", "json"]):
                result = _run(argv)
                if result["code"] != 0:
                    raise RuntimeError(f"warm-up failed: {result['stderr'].strip()[-400:]}")
    return time.monotonic() - started


def serve(master: str, port: int = 0) -> int:
    from .session import spark_session

    found = _connect()
    if found is not None:
        found[1].close()
        print(f"service: one is already running (pid {found[0].get('pid')}, state in {STATE})", file=sys.stderr)
        return 2
    started = time.monotonic()
    spark = spark_session("log-analytics-service", master)
    print(f"service: warming up on {WARM_UP_LOG.name} ...", flush=True)
    try:
        seconds = warm_up()
    except KeyboardInterrupt:
        print("service: stopped before it was ready", flush=True)
        return 130
    token = secrets.token_hex(16)
    server = socket.create_server(("127.0.0.1", port))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True) or server.close())
    STATE.parent.mkdir(parents=True, exist_ok=True)
    temporary = STATE.with_suffix(".tmp")
    temporary.write_text(json.dumps({"port": server.getsockname()[1], "token": token, "pid": os.getpid(),
                                     "master": master}))
    temporary.replace(STATE)  # clients see a complete state file or none
    print(f"service: ready on 127.0.0.1:{server.getsockname()[1]} after {time.monotonic() - started:.1f} s "
          f"(warm-up {seconds:.1f} s); state in {STATE}", flush=True)
    try:
        while not stop:
            try:
                conn, _ = server.accept()
            except OSError:
                break  # closed by SIGTERM
            with conn:
                conn.settimeout(10)  # a client sends its request at once; a silent one is dropped
                try:
                    request = json.loads(conn.makefile("rb").readline() or b"{}")
                except (OSError, ValueError):
                    continue
                conn.settimeout(None)
                argv = request.get("argv") if isinstance(request, dict) else None
                if request.get("token") != token or not isinstance(argv, list) or argv[:1] not in (["run"], ["report"]):
                    continue  # not one of ours: no answer, the client runs it itself
                started_run = time.monotonic()
                result = _run([str(a) for a in argv])
                print(f"service: {argv[0]} exit {result['code']} "
                      f"in {time.monotonic() - started_run:.1f} s", flush=True)
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps(result).encode() + b"\n")
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            if json.loads(STATE.read_text()).get("pid") == os.getpid():
                STATE.unlink()
        with contextlib.suppress(Exception):  # Ctrl-C reaches the JVM too: it may be gone already
            spark.stop()
    print("service: stopped", flush=True)
    return 0
