"""The batch runner, the stream and the report through a real Spark Connect server (`make
connect`): no JVM on the client side, the same output as a classic session's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference import assert_same, report_for_lines  # noqa: E402
from test_stream import (DATA, PYTHON, ROOT, batch_lines, hdfs_output, publish, read_lines, report,  # noqa: E402
                         run_stream, sigterm_after_batch_0)

pytestmark = pytest.mark.stack

NAMES = ["nasa_Aug95_first100.log.gz", "secrepo_access_2018-12-15.log.gz", "ocatak_w3af_2016-12-22.log.gz"]


def no_jvm() -> dict:
    """An environment in which the client cannot start a JVM of its own (pyspark starts
    one with $JAVA_HOME/bin/java when JAVA_HOME is set)."""
    return {**os.environ, "JAVA_HOME": "/nonexistent-jdk"}


def test_run_through_connect_equals_the_reference(spark_connect):
    lines = [line for name in NAMES for line in read_lines(DATA / name)]
    output = hdfs_output(spark_connect)
    res = subprocess.run([PYTHON, "-m", "analytics", "run", *[str(DATA / n) for n in NAMES], "--output", output],
                         cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**no_jvm(), "SPARK_REMOTE": spark_connect.SPARK_REMOTE})
    assert res.returncode == 0, res.stderr[-3000:]
    records = sum(1 for _ in lines) - report_for_lines(lines)["lines"]["rejected"]
    assert res.stdout.startswith(f"lines={len(lines)} records={records} ")
    assert_same(report(output), report_for_lines(lines, top=1000))


def test_report_needs_no_jvm(spark, tmp_path, capsys):
    """`report` reads the state with pyarrow: it works where no Java can start."""
    from analytics.cli import main
    out = tmp_path / "out"
    lines = read_lines(DATA / NAMES[0])
    assert main(["run", str(DATA / NAMES[0]), "--output", f"file://{out}"]) == 0  # this test session's Spark
    capsys.readouterr()
    res = subprocess.run([PYTHON, "-m", "analytics", "report", "--output", f"file://{out}", "--format", "json",
                          "--top", "1000"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=no_jvm())
    assert res.returncode == 0, res.stderr[-3000:]
    assert_same(json.loads(res.stdout), report_for_lines(lines, top=1000))



def through_connect(server) -> dict:
    return {**no_jvm(), "SPARK_REMOTE": server.SPARK_REMOTE}


def test_stream_through_connect_prints_what_a_classic_session_prints_and_equals_the_reference(spark_connect):
    """The batch function runs in the server's Python worker; each batch's line still
    reaches the client's stdout, in the classic format, lag included."""
    lines = [line for name in NAMES for line in read_lines(DATA / name)]
    topic = publish(spark_connect, lines)
    output = hdfs_output(spark_connect)
    result = run_stream(spark_connect, topic, output, "--available-now", "--max-offsets-per-trigger", "3000",
                        timeout=900, env=through_connect(spark_connect))
    assert result.returncode == 0, result.stderr[-3000:]
    assert all(line.startswith(("stream: ", "log format: ", "batch ")) for line in result.stdout.splitlines()), result.stdout
    batches = batch_lines(result.stdout)
    assert len(batches) == 4, result.stdout  # 9,057 messages, at most 3,000 a batch
    assert [b["id"] for b in batches] == [0, 1, 2, 3]
    assert sum(b["lines"] for b in batches) == len(lines)
    want = report_for_lines(lines, top=1000)
    assert sum(b["rejected"] for b in batches) == want["lines"]["rejected"]
    assert batches[-1]["behind"] == 0 and all(b["behind"] is not None for b in batches)
    assert_same(report(output), want)


def test_sigterm_stops_a_connect_stream_after_its_batch_then_a_rerun_ends_exact(spark_connect, tmp_path):
    lines = [line for name in NAMES for line in read_lines(DATA / name)][:2000]
    topic = publish(spark_connect, lines)
    output = hdfs_output(spark_connect)
    first = sigterm_after_batch_0(spark_connect, topic, output, tmp_path / "stream.log",
                                  env=through_connect(spark_connect), timeout=300)
    assert "stream: stopped on signal after the last complete batch" in first
    done = batch_lines(first)
    assert 1 <= len(done) and sum(b["lines"] for b in done) < len(lines), first
    result = run_stream(spark_connect, topic, output, "--available-now", timeout=900,
                        env=through_connect(spark_connect))
    assert result.returncode == 0, result.stderr[-3000:]
    # each line in exactly one printed batch: the stop lost none and the rerun doubled none
    assert sum(b["lines"] for b in done + batch_lines(result.stdout)) == len(lines), first + result.stdout
    assert_same(report(output), report_for_lines(lines, top=1000))
