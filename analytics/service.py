"""A warm Spark driver for ``python -m analytics run|report`` and ``python spark_stream.py``:
``python -m analytics serve``.

A new Spark driver spends most of a two-million-line run compiling Spark, Parquet and the
generated code of each job (the JIT): 21-23 s cold, 8-10 s warm. The service starts one driver,
warms it on the bundled sample (the batch path and the stream's batch function), then runs
every ``run``, ``report`` and stream that ``python -m analytics`` and ``spark_stream.py`` hand
it, one at a time, on 127.0.0.1 only. Clients find it through a state file (port, a random
token, pid) and run in their own process when there is none or it is busy, so the service
only ever makes a command faster, never different: it runs the same :func:`analytics.cli.main`
or :func:`spark_stream.main`, relays what they print as they print it, and returns their exit
status. A stream stops after its current batch when its client goes away or is
interrupted, or when the service gets SIGTERM.
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
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("LOG_ANALYTICS_SERVICE_STATE", ROOT / "stack" / "run" / "analytics-service.json"))
WARM_UP_LOG = ROOT / "data" / "sample" / "apache_combined_2015-05.log.gz"
WARM_UP_RUNS = 3
COMMANDS = ("run", "report", "stream")


def absolute(uri: str) -> str:
    """A local path made absolute (the service has its own working folder); URIs as they are."""
    return os.path.abspath(uri) if not urlparse(uri).scheme else uri


def _connect() -> tuple[dict, socket.socket] | None:
    """(state, connection) of the running service, or None."""
    try:
        state = json.loads(STATE.read_text())
        return state, socket.create_connection(("127.0.0.1", int(state["port"])), timeout=2)
    except (OSError, ValueError, KeyError):
        return None


def submit(argv: list[str], master: str) -> int | None:
    """Run ``argv`` (a complete ``run``, ``report`` or ``stream`` command line) in the
    service and print what it prints; its exit status, or None when no service with this
    Spark ``master`` takes it. SIGINT and SIGTERM of this process stop a stream there."""
    found = _connect()
    if found is None:
        return None
    state, conn = found
    with conn:
        if state.get("master") != master:
            return None
        conn.settimeout(None)  # a run takes as long as it takes
        conn.sendall(json.dumps({"token": state["token"], "argv": argv}).encode() + b"\n")
        previous = {}
        if argv[0] == "stream" and threading.current_thread() is threading.main_thread():
            def stop(*_):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_WR)  # the service sees the end of the request

            previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            return _relay(conn.makefile("rb"))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _relay(replies) -> int | None:
    answered = False
    for line in replies:
        reply = json.loads(line)
        if "code" in reply:
            return int(reply["code"])
        answered = True
        stream = sys.stdout if "stdout" in reply else sys.stderr
        stream.write(reply.get("stdout", reply.get("stderr", "")))
        stream.flush()
    if not answered:
        return None  # busy, or gone before it started: run here instead
    print("error: analytics serve stopped before the command finished", file=sys.stderr)
    return 1


class _Relayed(io.TextIOBase):
    """A text stream whose writes go to the client as they happen."""

    def __init__(self, conn: socket.socket, name: str, lock: threading.Lock):
        self.conn, self.name, self.lock = conn, name, lock

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            with self.lock, contextlib.suppress(OSError):  # a client that left still lets the command end
                self.conn.sendall(json.dumps({self.name: text}).encode() + b"\n")
        return len(text)


def _run(argv: list[str], stdout, stderr, stop: threading.Event | None = None) -> int:
    """Run one command in this process, its output to ``stdout`` and ``stderr``; its exit status."""
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            if argv[0] == "stream":
                return _spark_stream().main(argv[1:], stop=stop or threading.Event())
            from .cli import main
            return main(argv, standalone=True)
        except SystemExit as e:  # argparse
            return e.code if isinstance(e.code, int) else 2
        except Exception:  # as the command would alone: its traceback, exit 1
            traceback.print_exc()
            return 1


def _spark_stream():
    """spark_stream.py, beside this package."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import spark_stream
    return spark_stream


def warm_up(log: Path = WARM_UP_LOG, runs: int = WARM_UP_RUNS) -> float:
    """Run ``log`` through the whole batch path, run and report, ``runs`` times, then twice as
    many times through the stream's batch function, into a scratch folder, in this process,
    so that this driver has loaded and compiled them; seconds taken."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="analytics-warm-up-") as scratch:
        for _ in range(runs):
            for argv in (["run", str(log), "--output", f"file://{scratch}", "--overwrite"],
                         ["report", "--output", f"file://{scratch}", "--format", "json"]):
                err = io.StringIO()
                if _run(argv, io.StringIO(), err) != 0:
                    raise RuntimeError(f"warm-up failed: {err.getvalue().strip()[-400:]}")
        from .session import spark_session
        _spark_stream().warm_up(spark_session(), str(log), f"file://{scratch}/stream", batches=runs * 2)
    return time.monotonic() - started


class _Service:
    """The accept loop's state: one command at a time, in a worker thread, so that the
    loop can turn away the clients that come meanwhile (they run in their own process)."""

    def __init__(self, server: socket.socket, token: str):
        self.server, self.token = server, token
        self.worker: threading.Thread | None = None
        self.stopping = threading.Event()
        self.stream_stop: threading.Event | None = None

    def stop(self, *_) -> None:
        self.stopping.set()
        if self.stream_stop is not None:
            self.stream_stop.set()
        self.server.close()

    def accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                break  # closed by stop()
            conn.settimeout(10)  # a client sends its request at once; a silent one is dropped
            reader = conn.makefile("rb")
            argv = self._command(reader)
            if argv is None or (self.worker is not None and self.worker.is_alive()):
                reader.close()  # not one of ours, or busy: no answer, the client runs it itself
                conn.close()
                continue
            conn.settimeout(None)
            self.worker = threading.Thread(target=self._handle, args=(conn, reader, argv), daemon=True)
            self.worker.start()

    def _command(self, reader) -> list[str] | None:
        """The command line of a request with this service's token, or None."""
        try:
            request = json.loads(reader.readline() or b"{}")
        except (OSError, ValueError):
            return None
        if not isinstance(request, dict) or request.get("token") != self.token:
            return None
        argv = request.get("argv")
        if not isinstance(argv, list) or not argv or argv[0] not in COMMANDS:
            return None
        return [str(a) for a in argv]

    def _handle(self, conn: socket.socket, reader, argv: list[str]) -> None:
        with conn:
            stop = None
            if argv[0] == "stream":
                stop = self.stream_stop = threading.Event()
                if self.stopping.is_set():
                    stop.set()
                # the client ends its request (Ctrl-C) or goes away: stop after this batch
                threading.Thread(target=lambda: _wait_for_end(reader) or stop.set(), daemon=True).start()
            lock = threading.Lock()
            started = time.monotonic()
            code = _run(argv, _Relayed(conn, "stdout", lock), _Relayed(conn, "stderr", lock), stop)
            self.stream_stop = None
            print(f"service: {argv[0]} exit {code} in {time.monotonic() - started:.1f} s", flush=True)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"code": code}).encode() + b"\n")
                conn.shutdown(socket.SHUT_RDWR)  # ends the watcher's read too
            reader.close()

    def wait(self) -> None:
        if self.worker is not None:
            self.worker.join()


def _wait_for_end(reader) -> None:
    with contextlib.suppress(OSError, ValueError):
        reader.read()


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
    service = _Service(socket.create_server(("127.0.0.1", port)), secrets.token_hex(16))
    signal.signal(signal.SIGTERM, service.stop)
    address = service.server.getsockname()
    STATE.parent.mkdir(parents=True, exist_ok=True)
    temporary = STATE.with_suffix(".tmp")
    temporary.write_text(json.dumps({"port": address[1], "token": service.token, "pid": os.getpid(),
                                     "master": master}))
    temporary.replace(STATE)  # clients see a complete state file or none
    print(f"service: ready on 127.0.0.1:{address[1]} after {time.monotonic() - started:.1f} s "
          f"(warm-up {seconds:.1f} s); state in {STATE}", flush=True)
    try:
        service.accept()
        service.wait()  # SIGTERM: the command in progress ends first (a stream after its batch)
    except KeyboardInterrupt:
        service.stop()
    finally:
        with contextlib.suppress(FileNotFoundError):
            if json.loads(STATE.read_text()).get("pid") == os.getpid():
                STATE.unlink()
        with contextlib.suppress(Exception):  # Ctrl-C reaches the JVM too: it may be gone already
            spark.stop()
    print("service: stopped", flush=True)
    return 0
