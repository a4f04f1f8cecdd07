# --- spark fixture (owned by the analytics tests; keep self-contained) -------------------
import json
import os
import warnings
from pathlib import Path

import pytest

# A classic session unless a test asks for Spark Connect itself: a SPARK_REMOTE left in the
# shell would send every "standalone" run through someone's server.
os.environ.pop("SPARK_REMOTE", None)


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test run: 2 cores, 4 shuffle partitions,
    ANSI on (the Spark 4 default, set explicitly), quiet logs."""
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("analytics-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")  # loopback only, as the project's own
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
# --- end of spark fixture ------------------------------------------------------------------


# --- the fault suite's table (tests/test_faults.py) -------------------------------------------
_FAULTS: list[dict] = []
FAULTS_RESULT = Path(__file__).resolve().parent.parent / "bench" / "results" / "faults.json"


@pytest.fixture(scope="session")
def fault_table():
    """Where each fault test records: fault, behaviour, detected_s, lost, doubled."""
    return _FAULTS


def pytest_terminal_summary(terminalreporter):
    if not _FAULTS:
        return
    header = ("fault", "what the job did", "detected (s)", "lines lost", "lines doubled")
    rows = [(r["fault"], r["behaviour"], "-" if r["detected_s"] is None else f"{r['detected_s']:.1f}",
             f"{r['lost']:,}", f"{r['doubled']:,}") for r in _FAULTS]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    terminalreporter.write_sep("=", "faults")
    for row in [header, ["-" * w for w in widths], *rows]:
        terminalreporter.write_line("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)))
    if os.environ.get("LOG_ANALYTICS_FAULTS_RESULT"):  # make faults keeps the table
        FAULTS_RESULT.parent.mkdir(exist_ok=True)
        FAULTS_RESULT.write_text(json.dumps(_FAULTS, indent=1) + "\n")


def pytest_collection_modifyitems(items):
    """A test that uses the stack is marked ``stack``, whether or not its module says so
    (`make zones` runs the others)."""
    for item in items:
        if {"stack", "spark_cluster", "spark_connect"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)
