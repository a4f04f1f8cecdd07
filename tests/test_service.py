"""`python -m analytics serve`: commands handed to the warm driver give what they give in
their own process (checked against the pure-Python reference), errors included; with no
service, or a stale state file, commands run in their own process."""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402
from test_analytics_cli import FILES, ROOT, cli as analytics  # noqa: E402


def cli(*args, state: Path):
    return analytics(*args, env={"LOG_ANALYTICS_SERVICE_STATE": str(state)})


def logged(proc) -> str:
    """The service's next line on stdout ("" if none within 30 s: the command ran elsewhere)."""
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    return proc.stdout.readline() if ready else ""


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    state = tmp_path_factory.mktemp("service") / "state.json"
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "LOG_ANALYTICS_SERVICE_STATE": str(state)})
    try:
        ready = proc.stdout.readline()
        while ready and not ready.startswith("service: ready"):
            ready = proc.stdout.readline()
        assert ready.startswith("service: ready on 127.0.0.1:"), "the service stopped before it was ready"
        yield proc, state
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)


def test_run_and_report_through_the_service(service, tmp_path):
    proc, state = service
    out = tmp_path / "out"
    res = cli("run", *FILES, "--output", f"file://{out}", state=state)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("lines=53482 records=35694 rejects=17788 ")  # SOURCES.md counts
    assert logged(proc).startswith("service: run exit 0 in ")  # it ran there
    res = cli("report", "--format", "json", "--output", str(out), state=state)
    assert res.returncode == 0, res.stderr
    assert logged(proc).startswith("service: report exit 0 in ")
    reference.assert_same(json.loads(res.stdout), reference.report(FILES))


def test_a_user_error_comes_back_as_it_would_alone(service):
    proc, state = service
    res = cli("run", "/no/such/file.log", "--output", "/tmp/never-written", state=state)
    assert res.returncode == 2
    assert res.stderr.strip() == "error: no such file: /no/such/file.log"
    assert logged(proc).startswith("service: run exit 2 in ")


def test_garbage_and_silence_do_not_stop_the_service(service, tmp_path):
    proc, state = service
    port = json.loads(state.read_text())["port"]
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"not json\n")
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(json.dumps({"token": "wrong", "argv": ["run", "x"]}).encode() + b"\n")
    res = cli("report", "--output", str(tmp_path / "empty"), state=state)
    assert res.returncode == 2
    assert logged(proc).startswith("service: report exit 2 in ")


def test_relative_paths_are_the_clients(service, tmp_path):
    """The service has its own working folder: a relative output is the client's."""
    proc, state = service
    res = subprocess.run([sys.executable, "-m", "analytics", "run", FILES[0], "--output", "rel-out"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "LOG_ANALYTICS_SERVICE_STATE": str(state), "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr
    assert logged(proc).startswith("service: run exit 0 in ")
    assert (tmp_path / "rel-out" / "state" / "_committed" / "batch_id=0").is_file()


def test_stale_state_runs_in_its_own_process(tmp_path):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"port": port, "token": "x", "pid": 1, "master": "local[2]"}))
    res = cli("report", "--output", str(tmp_path / "empty"), state=state)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == \
        f"error: no totals at {tmp_path / 'empty'} (run `python -m analytics run` or the stream first)"


def test_sigterm_stops_the_service_and_removes_its_state(tmp_path):
    state = tmp_path / "state.json"
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "LOG_ANALYTICS_SERVICE_STATE": str(state)})
    for line in proc.stdout:
        if line.startswith("service: ready"):
            break
    assert state.exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(120) == 0
    assert proc.stdout.read().strip().endswith("service: stopped")
    assert not state.exists()


def test_a_stream_runs_in_the_service_stops_with_its_client_and_resumes_exactly(service, stack, tmp_path):
    """spark_stream.py hands its stream to the service and relays its progress; the
    service, busy with it, turns other commands away to their own process; SIGTERM to the
    client stops the stream after its batch; a drain on the same checkpoint, through the
    service again, ends with the reference's totals."""
    from test_stream import DATA, publish, read_lines, report, stream_cmd
    proc, state = service
    lines = read_lines(DATA / "elastic_apache_logs_2015-05.log.gz")[:3000]
    topic = publish(stack, lines)
    out = f"file://{tmp_path}/out"
    env = {**os.environ, "LOG_ANALYTICS_SERVICE_STATE": str(state)}
    log_path = tmp_path / "client.log"
    with open(log_path, "w") as log:
        client = subprocess.Popen(stream_cmd(stack, topic, out, "--max-offsets-per-trigger", "300",
                                             "--trigger-seconds", "1"),
                                  cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while "\nbatch 0:" not in log_path.read_text():
            assert client.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)
        busy = cli("report", "--format", "json", "--output", out, state=state)  # runs in its own process
        assert busy.returncode == 0, busy.stderr
        assert json.loads(busy.stdout)["lines"]["total"] >= 300
        client.send_signal(signal.SIGTERM)
        assert client.wait(120) == 0, log_path.read_text()[-3000:]
    assert "stream: stopped on signal after the last complete batch" in log_path.read_text()
    assert logged(proc).startswith("service: stream exit 0 in ")  # the stream ran there, the report did not
    batches = log_path.read_text().count("\nbatch ")
    assert 1 <= batches < 10

    drain = subprocess.run(stream_cmd(stack, topic, out, "--available-now"), cwd=ROOT, capture_output=True,
                           text=True, timeout=300, env=env)
    assert drain.returncode == 0, drain.stderr[-3000:]
    assert logged(proc).startswith("service: stream exit 0 in ")
    reference.assert_same(report(out), reference.report_for_lines(lines, top=1000))
