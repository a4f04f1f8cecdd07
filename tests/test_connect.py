"""The batch runner and the report through a real Spark Connect server (`make connect`):
no JVM on the client side, the same output as a classic session's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference import assert_same, report_for_lines  # noqa: E402
from test_stream import DATA, PYTHON, ROOT, hdfs_output, read_lines, report  # noqa: E402

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

