"""spark_stream.py against the real broker, the real HDFS and real Spark.

Lines are published with kafka-python directly (not kafka_producer.py), so a
stream failure here is the stream's. The expected totals come from the
independent pure-Python reference (tests/reference.py) over the same lines.
"""
import gzip
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hdfs import InsecureClient
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from reference import assert_same, report_for_lines

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # real logs, see tests/data/SOURCES.md
PYTHON = sys.executable


def read_lines(path: Path) -> list[bytes]:
    """Each line of a log file, as bytes, without its \\n (a \\r stays: the parser strips it)."""
    data = gzip.decompress(path.read_bytes())
    lines = data.split(b"\n")
    return lines[:-1] if lines and lines[-1] == b"" else lines


def publish(stack, lines: list[bytes], lines_per_message: int = 1, partitions: int = 2) -> str:
    topic = f"stream-test-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA_BOOTSTRAP)
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA_BOOTSTRAP, acks="all", linger_ms=20,
                             batch_size=256 * 1024, max_request_size=8 * 1024 * 1024)
    for start in range(0, len(lines), lines_per_message):
        producer.send(topic, b"\n".join(lines[start:start + lines_per_message]))
    producer.flush()
    producer.close()
    return topic


def stream_cmd(stack, topic: str, output: str, *flags: str) -> list[str]:
    return [PYTHON, str(ROOT / "spark_stream.py"), "--bootstrap-servers", stack.KAFKA_BOOTSTRAP,
            "--topic", topic, "--output", output, *flags]


def run_stream(stack, topic, output, *flags, timeout=300, env=None):
    """The stream in a process group of its own (a crash kills the group, not pytest)."""
    return subprocess.run(stream_cmd(stack, topic, output, *flags), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, start_new_session=True)


BATCH_LINE = re.compile(r"batch (\d+): ([\d,]+) lines, ([\d,]+) rejected, [\d.]+ s, [\d,]+ lines/s"
                        r"(?:, ([\d,]+) messages behind)?$")


def batch_lines(stdout: str) -> list[dict]:
    """The stream's one line per batch, read back: id, lines, rejected, behind (None if
    the line gives no lag). A line that starts with "batch " but does not match fails."""
    found = []
    for line in stdout.splitlines():
        if line.startswith("batch "):
            match = BATCH_LINE.match(line)
            assert match, line
            number = [None if g is None else int(g.replace(",", "")) for g in match.groups()]
            found.append(dict(zip(("id", "lines", "rejected", "behind"), number)))
    return found


def sigterm_after_batch_0(stack, topic: str, output: str, log_path: Path, env=None, timeout: float = 180) -> str:
    """A stream of small batches, sent SIGTERM once it prints batch 0, that must then exit 0;
    what it printed."""
    with open(log_path, "w") as log:
        job = subprocess.Popen(stream_cmd(stack, topic, output, "--max-offsets-per-trigger", "300",
                                          "--trigger-seconds", "1"),
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while "\nbatch 0:" not in log_path.read_text() and time.monotonic() < deadline:
            assert job.poll() is None, log_path.read_text()[-3000:]
            time.sleep(0.2)
        job.send_signal(signal.SIGTERM)
        assert job.wait(timeout) == 0, log_path.read_text()[-3000:]
    return log_path.read_text()


def remaining(messages: int, batches: list[dict]) -> list[int]:
    """Messages left in the topic after each batch, when every message is one line."""
    return [messages - done for done in itertools.accumulate(b["lines"] for b in batches)]


def report(output: str) -> dict:
    result = subprocess.run([PYTHON, "-m", "analytics", "report", "--output", output, "--format", "json", "--top", "1000"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def hdfs_output(stack) -> str:
    return f"{stack.HDFS_URI}/tests/stream-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def real_lines():
    """Every line of the clean real logs (NASA, elastic, secrepo, basjes) and one
    scanner file: about 32,000 lines, a few hundred of them rejects."""
    names = ["nasa_Aug95_first100.log.gz", "elastic_apache_logs_2015-05.log.gz",
             "secrepo_access_2018-12-15.log.gz", "secrepo_access_2021-10-22_to_27.log.gz",
             "basjes_hackers_access_2015-10.log.gz", "ocatak_w3af_2016-12-22.log.gz"]
    return [line for name in names for line in read_lines(DATA / name)]


def test_stream_totals_equal_the_reference_over_many_batches(stack, real_lines):
    topic = publish(stack, real_lines)
    output = hdfs_output(stack)
    result = run_stream(stack, topic, output, "--available-now", "--max-offsets-per-trigger", "8000")
    assert result.returncode == 0, result.stderr[-3000:]
    progress = batch_lines(result.stdout)
    assert len(progress) >= 4, result.stdout  # 32k messages at most 8k per batch
    assert sum(b["lines"] for b in progress) == len(real_lines)
    assert [b["behind"] for b in progress] == remaining(len(real_lines), progress)
    assert_same(report(output), report_for_lines(real_lines, top=1000))
    # the layout of DESIGN.md is there, in HDFS, seen through WebHDFS
    client = InsecureClient(stack.WEBHDFS_URL)
    root = output.removeprefix(stack.HDFS_URI)
    assert set(client.list(root)) >= {"batches", "state", "records", "rejects", "_checkpoint"}
    assert len(client.list(f"{root}/batches")) == len(progress)
    # each batch's progress line, as the dashboard reads it
    from analytics.storage import store
    rows = [store.read_table(f"{output}/progress/{d}").to_pylist()[0] for d in client.list(f"{root}/progress")]
    assert sum(r["lines"] for r in rows) == len(real_lines) and all(r["seconds"] > 0 for r in rows)
    assert [r["behind"] for r in sorted(rows, key=lambda r: r["batch_id"])][-1] == 0
    # the state holds a folder per day (and one for the undated rejects), each with at least its newest version
    days = [d for d in client.list(f"{root}/state") if d.startswith("date=") and "__HIVE_DEFAULT" not in d]
    assert len(days) == len(report_for_lines(real_lines)["daily_unique_hosts"])
    assert all(client.list(f"{root}/state/{day}") for day in days)


def test_packed_messages_give_the_same_totals(stack, real_lines):
    lines = real_lines[:6000]
    topic = publish(stack, lines, lines_per_message=100)
    output = hdfs_output(stack)
    result = run_stream(stack, topic, output, "--available-now")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same(report(output), report_for_lines(lines, top=1000))


@pytest.mark.faults  # make test has a SIGKILL and restart of its own: test_faults.py, at the "written" point
def test_sigkill_mid_stream_then_restart_counts_every_line_once(stack, real_lines, tmp_path):
    lines = real_lines[:12000]
    topic = publish(stack, lines)
    output = hdfs_output(stack)
    log = open(tmp_path / "first-run.log", "w+")
    first = subprocess.Popen(stream_cmd(stack, topic, output, "--max-offsets-per-trigger", "2000",
                                        "--trigger-seconds", "1"),
                             cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 240
    # kill after two complete batches, while the third is being written
    while time.monotonic() < deadline and (tmp_path / "first-run.log").read_text().count("\nbatch ") < 2:
        time.sleep(0.2)
        assert first.poll() is None, (tmp_path / "first-run.log").read_text()[-3000:]
    time.sleep(1.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)
    done_before_kill = (tmp_path / "first-run.log").read_text().count("\nbatch ")
    assert 2 <= done_before_kill < 10
    result = run_stream(stack, topic, output, "--available-now")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same(report(output), report_for_lines(lines, top=1000))


def test_the_lag_after_a_restart_counts_every_partition_from_where_the_stream_is(stack, real_lines):
    """The first batch after a restart reads from one partition only: the lag still counts
    the other partition from the checkpoint's offsets, not from offset 0."""
    first, later = real_lines[:3000], real_lines[3000:7000]
    topic = publish(stack, first)
    output = hdfs_output(stack)
    assert run_stream(stack, topic, output, "--available-now").returncode == 0
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA_BOOTSTRAP, acks="all")
    for line in later:
        producer.send(topic, line, partition=0)
    producer.close()
    result = run_stream(stack, topic, output, "--available-now", "--max-offsets-per-trigger", "1000")
    assert result.returncode == 0, result.stderr[-3000:]
    batches = batch_lines(result.stdout)
    assert len(batches) == 4 and all(b["lines"] == 1000 for b in batches), result.stdout
    assert [b["behind"] for b in batches] == [3000, 2000, 1000, 0]


def test_a_topic_of_malformed_lines_only(stack):
    lines = [b"", b"garbage", b"\xff\xfe not a log line", b'1.2.3.4 - - [01/Foo/1995:00:00:00 -0400] "GET /" 200 1',
             b'"1.2.3.4 - - [01/Jul/1995:00:00:00 -0400] \\"GET / HTTP/1.0\\" 200 1"']
    topic = publish(stack, lines, partitions=1)
    output = hdfs_output(stack)
    result = run_stream(stack, topic, output, "--available-now")
    assert result.returncode == 0, result.stderr[-3000:]
    got = report(output)
    assert got["lines"] == {"total": 5, "records": 0, "rejected": 5}
    assert got["unique_hosts"] == 0 and got["status_codes"] == {}
    assert got["missing_values"]["rejected_lines"] == 5


def test_an_empty_topic_with_available_now_exits_cleanly(stack):
    topic = publish(stack, [])
    output = hdfs_output(stack)
    result = run_stream(stack, topic, output, "--available-now")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "batch " not in result.stdout
    assert "Traceback" not in result.stderr


def test_spark_submit_runs_the_job_quietly_with_the_projects_conf(stack, tmp_path):
    """The README's line: `SPARK_CONF_DIR=conf spark-submit spark_stream.py`, no other
    argument. It prints what `python spark_stream.py` prints (Spark's own log: errors
    only), and a --conf of the user's wins over the project's defaults."""
    lines = read_lines(DATA / "nasa_Aug95_first100.log.gz")
    topic = publish(stack, lines)
    output = hdfs_output(stack)
    env = {**os.environ, "PATH": f"{Path(PYTHON).parent}:{os.environ['PATH']}", "SPARK_CONF_DIR": "conf"}
    probe = tmp_path / "probe.py"
    probe.write_text("import sys; sys.path.insert(0, sys.argv[1]); from analytics.session import spark_session\n"
                     "spark = spark_session()\n"
                     "print(spark.conf.get('spark.sql.shuffle.partitions'), spark.conf.get('spark.driver.host'))\n")
    for flags, want in (([], "4 127.0.0.1"), (["--conf", "spark.sql.shuffle.partitions=7"], "7 127.0.0.1")):
        result = subprocess.run(["spark-submit", *flags, str(probe), str(ROOT)], cwd=ROOT, capture_output=True,
                                text=True, timeout=300, env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.split("\n")[-2] == want
    result = subprocess.run(["spark-submit", str(ROOT / "spark_stream.py"), "--bootstrap-servers",
                             stack.KAFKA_BOOTSTRAP, "--topic", topic, "--output", output, "--available-now"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert report(output)["lines"] == {"total": 100, "records": 100, "rejected": 0}
    assert all(l.startswith(("stream: ", "log format: ", "batch ")) for l in result.stdout.splitlines()), result.stdout
    assert [l for l in result.stderr.splitlines() if " INFO " in l or " WARN " in l] == []


def test_no_broker_is_one_clear_line(stack, tmp_path):
    started = time.monotonic()
    result = subprocess.run([PYTHON, str(ROOT / "spark_stream.py"), "--bootstrap-servers", "127.0.0.1:1",
                             "--output", f"file://{tmp_path}/out"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == ("spark_stream.py: error: cannot reach Kafka at 127.0.0.1:1 (connection refused "
                                     "or timed out); is the broker up? (`make up`)")
    assert time.monotonic() - started < 30


def test_no_hdfs_is_one_clear_line(stack):
    topic = publish(stack, [b"x"])
    result = run_stream(stack, topic, "hdfs://127.0.0.1:1/nowhere", "--available-now", timeout=180)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]  # the JVM may print its own start-up notice before
    assert last.startswith("spark_stream.py: error: cannot write to hdfs://127.0.0.1:1/nowhere: java.net.ConnectException")
    assert "Traceback" not in result.stderr


def test_the_stream_and_the_batch_runner_refuse_each_others_output(stack, real_lines, tmp_path):
    """Both number their state versions from batch 0: neither writes over the other's totals."""
    lines = real_lines[:2000]
    log = tmp_path / "access.log"
    log.write_bytes(b"\n".join(lines) + b"\n")
    ran = hdfs_output(stack)
    assert subprocess.run([PYTHON, "-m", "analytics", "run", str(log), "--output", ran], cwd=ROOT,
                          capture_output=True, timeout=600).returncode == 0
    topic = publish(stack, real_lines[2000:3000])
    result = run_stream(stack, topic, ran, "--available-now")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"spark_stream.py: error: {ran} already holds totals that no batch of the checkpoint {ran}/_checkpoint wrote")
    assert_same(report(ran), report_for_lines(lines, top=1000))  # untouched

    streamed = hdfs_output(stack)
    assert run_stream(stack, topic, streamed, "--available-now").returncode == 0
    result = subprocess.run([PYTHON, "-m", "analytics", "run", str(log), "--output", streamed], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    # (no rejects/: these lines all parse, and a batch without rejects writes none)
    assert result.stderr.strip().splitlines()[-1] == (f"python -m analytics: error: output {streamed} already holds state, records, "
                                                      f"batches, progress, _checkpoint; pass --overwrite "
                                                      f"to replace it")


@pytest.mark.parametrize("variable, value, message", [
    ("LOG_ANALYTICS_AVAILABLE_NOW", "maybe",
     "LOG_ANALYTICS_AVAILABLE_NOW='maybe' is not a boolean (use 1/0, true/false, yes/no or on/off)"),
    ("LOG_ANALYTICS_TRIGGER_SECONDS", "ten", "LOG_ANALYTICS_TRIGGER_SECONDS='ten' is not a number"),
    ("LOG_ANALYTICS_KEEP_BATCHES", "1.5", "LOG_ANALYTICS_KEEP_BATCHES='1.5' is not an integer"),
])
def test_a_bad_environment_variable_is_one_line(variable, value, message):
    result = subprocess.run([PYTHON, str(ROOT / "spark_stream.py"), "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, variable: value})
    assert result.returncode == 2  # a bad value is a usage error, like a bad flag
    assert result.stderr.strip() == f"spark_stream.py: error: {message}"


@pytest.mark.parametrize("value, expected", [("no", False), ("OFF", False), ("0", False), ("", False),
                                             ("yes", True), ("True", True), ("1", True)])
def test_boolean_variables_follow_one_rule(value, expected, monkeypatch):
    import spark_stream
    from analytics import cli
    monkeypatch.setenv("LOG_ANALYTICS_AVAILABLE_NOW", value)
    monkeypatch.setenv("LOG_ANALYTICS_WARM_UP", value)
    monkeypatch.setenv("LOG_ANALYTICS_OVERWRITE", value)
    args = spark_stream.parse_args([])
    assert args.available_now is expected
    assert args.warm_up is (expected if value else True)  # unset or blank: the default, on
    assert cli.build_parser().parse_args(["run", "x"]).overwrite is expected


def test_sigterm_stops_after_the_batch_in_progress_and_exits_0(stack, real_lines, tmp_path):
    lines = real_lines[:1000]
    topic = publish(stack, lines)
    output = hdfs_output(stack)
    printed = sigterm_after_batch_0(stack, topic, output, tmp_path / "stream.log")
    assert "stream: stopped on signal after the last complete batch" in printed
    assert "stream: warmed up in " in printed  # on its own scratch folder, not the output:
    # what was committed is consistent: a rerun finishes the topic with exact totals
    result = run_stream(stack, topic, output, "--available-now")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same(report(output), report_for_lines(lines, top=1000))
