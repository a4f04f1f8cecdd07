"""The batch runner and the report, end to end, against the pure-Python reference
(tests/reference.py) over the real logs; plus the command line's user errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analytics.metrics import sources

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"  # real logs, see data/SOURCES.md
FILES = sorted(str(p) for p in DATA.glob("*.log.gz"))


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=600,
    )


@pytest.fixture(scope="module")
def batch_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    res = cli("run", *FILES, "--output", f"file://{out}")
    assert res.returncode == 0, res.stderr
    return out, res


def test_run_summary_and_layout(batch_output):
    out, res = batch_output
    line = res.stdout.strip()
    assert line.startswith("lines=53482 records=35694 rejects=17788 ")  # SOURCES.md counts
    assert "Traceback" not in res.stderr and "Exception" not in res.stderr
    # the per-day state: one folder per day, every source's rows in it; the batch runner's is version 0
    day = pq.read_table(out / "state" / "date=1995-08-01" / "version=0")
    had_404 = "1995-08-01" in {d["date"] for d in reference.report(FILES)["not_found"]["daily"]}
    assert set(day.column("source").to_pylist()) == {s.name for s in sources.ALL_SOURCES
                                                     if s is not sources.NOT_FOUND or had_404}
    # rejected lines have no date: their counts sit in the one undated folder, line_stats only
    undated = pq.read_table(out / "state" / "date=__HIVE_DEFAULT_PARTITION__" / "version=0")
    assert undated.column("source").to_pylist() == ["line_stats"]
    assert undated.column("rejected").to_pylist() == [17788]
    assert (out / "state" / "_committed" / "batch_id=0").is_file()
    assert (out / "records" / "date=1995-08-01").is_dir()
    assert (out / "records" / "date=1995-08-01" / "batch_id=0").is_dir()
    assert (out / "rejects" / "batch_id=0" / "_SUCCESS").exists()


def test_report_json_equals_reference(batch_output):
    out, _ = batch_output
    res = cli("report", "--format", "json", env={"LOG_ANALYTICS_OUTPUT": str(out)})
    assert res.returncode == 0, res.stderr
    reference.assert_same(json.loads(res.stdout), reference.report(FILES))


def test_report_table_and_top(spark, batch_output, capsys):
    """In-process (reuses the test SparkSession): the table format and --top."""
    from analytics.cli import main

    out, _ = batch_output
    assert main(["report", "--output", str(out), "--top", "3"]) == 0
    text = capsys.readouterr().out
    assert "Most frequent hosts" in text and "53,482" in text
    block = text.split("4. Most frequent hosts")[1].split("\n\n")[0]
    assert len(block.strip().splitlines()) == 2 + 3  # header, rule, 3 hosts


def test_refuses_existing_output(spark, batch_output, capsys):
    from analytics.cli import main

    out, _ = batch_output
    assert main(["run", FILES[0], "--output", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"python -m analytics: error: output {out} already holds state, records, rejects; pass --overwrite to replace it"


def test_missing_file_is_one_line():
    res = cli("run", "/no/such/file.log", "--output", "/tmp/never-written")
    assert res.returncode == 1
    assert res.stderr.strip() == "python -m analytics: error: no such file: /no/such/file.log"
    assert not Path("/tmp/never-written").exists()


def test_missing_parser_jar_is_one_line(tmp_path):
    """Without the jar `make install` builds, a run stops with a line that says so."""
    run = ("import sys, pathlib, analytics.session as S; S.JVM_JAR = pathlib.Path('/no/such.jar'); "
           "from analytics.cli import main; sys.exit(main(sys.argv[1:]))")
    res = subprocess.run([sys.executable, "-c", run, "run", FILES[0], "--output", f"file://{tmp_path}/out"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == \
        "python -m analytics: error: RuntimeError: the line parser is missing (/no/such.jar): run `make install` to build it"
    assert not (tmp_path / "out" / "records").exists()


def test_report_without_totals(spark, tmp_path, capsys):
    from analytics.cli import main

    assert main(["report", "--output", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"python -m analytics: error: no totals at {tmp_path / 'empty'} (run `python -m analytics run` or the stream first)"


def test_help_mentions_env_vars():
    res = cli("report", "--help")
    assert res.returncode == 0
    for flag, env in (("--output", "LOG_ANALYTICS_OUTPUT"), ("--format", "LOG_ANALYTICS_FORMAT"),
                      ("--top", "LOG_ANALYTICS_TOP")):
        assert flag in res.stdout and env in res.stdout
    res = cli("run", "--help")
    assert "LOG_ANALYTICS_OVERWRITE" in res.stdout and "--master" in res.stdout and "LOG_ANALYTICS_MASTER" in res.stdout
