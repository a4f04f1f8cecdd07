"""Bad input through the whole pipeline: file -> kafka_producer.py -> Kafka -> spark_stream.py
-> report, and file -> `analytics run` -> report. Expected figures come from the pure-Python
reference (tests/reference.py) and, for the clock cases, from hand calculation."""

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference import assert_same, report_for_lines  # noqa: E402
from test_stream import PYTHON, ROOT, hdfs_output, report, run_stream  # noqa: E402

pytestmark = pytest.mark.stack

PRODUCER = ROOT / "kafka_producer.py"
BIG = 10 << 20  # the stack's broker takes messages of at most 10 MiB: a line this long is not sent

# the same instant written in three zones, on two different local dates
MIXED_OFFSETS = [
    b'zone-a - - [31/Dec/2020:23:30:00 +0000] "GET /midnight HTTP/1.0" 200 100',
    b'zone-b - - [01/Jan/2021:05:00:00 +0530] "GET /midnight HTTP/1.0" 200 100',
    b'zone-c - - [31/Dec/2020:19:30:00 -0400] "GET /midnight HTTP/1.0" 200 100',
]
# Sao Paulo began summer time at midnight on 4 November 2018: 23:59:59 -0300 is followed,
# one second later, by 01:00:00 -0200; there is no 00:xx on the 4th
DST_AT_MIDNIGHT = [
    b'dst - - [03/Nov/2018:23:59:59 -0300] "GET /dst HTTP/1.0" 200 10',
    b'dst - - [04/Nov/2018:01:00:00 -0200] "GET /dst HTTP/1.0" 200 10',
]
NULS = [
    b'nul - - [01/Aug/1995:10:00:00 -0400] "GET /a\x00b HTTP/1.0" 200 5 "-" "agent\x00x"',  # valid
    b"\x00" * 64,  # rejected
]
HUGE = b'huge - - [01/Aug/1995:11:00:00 -0400] "GET /big HTTP/1.0" 200 7 "-" "' + b"u" * BIG + b'"'


def binary_lines() -> list[bytes]:
    data = random.Random(7).randbytes(64 << 10)
    return data.split(b"\n")


def lines_of_the_file() -> list[bytes]:
    return [*MIXED_OFFSETS, *DST_AT_MIDNIGHT, *NULS, *binary_lines(), HUGE]


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_the_clock_cases_by_hand():
    """The reference's dates and hours for the clock lines, checked by hand first: the
    date and hour are the local wall clock as written, whatever the offset."""
    got = report_for_lines(MIXED_OFFSETS + DST_AT_MIDNIGHT)
    assert {d["date"]: d["unique_hosts"] for d in got["daily_unique_hosts"]} == {
        "2018-11-03": 1, "2018-11-04": 1, "2020-12-31": 2, "2021-01-01": 1}
    assert got["lines"] == {"total": 5, "records": 5, "rejected": 0}


def test_the_batch_runner_on_bad_input(spark, tmp_path, capsys):
    from analytics.storage import store
    from analytics.cli import main
    lines = lines_of_the_file()
    path = write(tmp_path / "bad.log", lines)
    out = f"file://{tmp_path}/out"
    assert main(["run", str(path), "--output", out]) == 0
    want = report_for_lines(lines, top=1000)
    assert want["lines"]["records"] == 7  # three zones, two DST lines, a NUL line, the 10 MiB line
    capsys.readouterr()
    assert main(["report", "--output", out, "--format", "json", "--top", "1000"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert_same(got, want)
    # every rejected line is kept with its reason
    rejects = store.read_table(f"{out}/rejects/batch_id=0")
    assert rejects.num_rows == want["lines"]["rejected"] and None not in rejects.column("reason").to_pylist()


def test_a_truncated_gzip_is_one_line_and_writes_nothing(spark, tmp_path, capsys):
    from analytics.cli import main
    whole = gzip.compress(b"\n".join(MIXED_OFFSETS * 2000) + b"\n")
    path = tmp_path / "cut.log.gz"
    path.write_bytes(whole[:len(whole) // 2])
    assert main(["run", str(path), "--output", f"file://{tmp_path}/out"]) == 1
    # the format it read the first lines by, then the error: one line each
    said, err = capsys.readouterr().err.strip().split("\n")
    assert said == "log format: common (detected)", said
    assert err.startswith("python -m analytics: error: "), err
    assert err.endswith("(caused by java.io.EOFException: Unexpected end of input stream)"), err
    assert not (tmp_path / "out" / "state" / "_committed").exists()


def test_the_producer_stops_at_a_truncated_gzip_after_its_complete_lines(stack, tmp_path):
    whole = gzip.compress(b"\n".join(MIXED_OFFSETS * 20000) + b"\n")
    path = tmp_path / "cut.log.gz"
    path.write_bytes(whole[:len(whole) // 2])
    topic = f"bad-input-{random.Random().getrandbits(40):x}"
    done = subprocess.run([PYTHON, str(PRODUCER), "--bootstrap-servers", stack.KAFKA_BOOTSTRAP, "--topic", topic,
                           str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "cut.log.gz: read error at byte" in errors[0], done.stderr
    assert "Traceback" not in done.stderr


def test_the_stream_on_bad_input(stack, tmp_path):
    """Through Kafka the 10 MiB line is over the broker's limit: the producer skips and
    counts it (exit 3); everything else arrives and is counted as the batch runner counts it."""
    lines = lines_of_the_file()
    path = write(tmp_path / "bad.log", lines)
    topic = f"bad-input-{random.Random().getrandbits(40):x}"
    done = subprocess.run([PYTHON, str(PRODUCER), "--bootstrap-servers", stack.KAFKA_BOOTSTRAP, "--topic", topic,
                           str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert f"line {len(lines)}" in done.stderr and "skipped" in done.stderr
    output = hdfs_output(stack)
    result = run_stream(stack, topic, output, "--available-now")
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same(report(output), report_for_lines(lines[:-1], top=1000))
