"""What a batch costs in Spark jobs: a fixed number, whatever the number of sources. A sixth
source (requests per (date, hour)) joins the same pass and the same merge, and its state is
exact against the independent reference."""

import sys
from collections import Counter
from pathlib import Path

import pytest

from analytics import report
from analytics.batch import write_batch
from analytics.metrics import sources
from analytics.metrics.base import Source
from analytics.session import defaults
from analytics.storage import state

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402
from test_state import LINES, TOP, cached  # noqa: E402  (real lines over ten days, a few rejects)


REQUESTS_BY_DATE_HOUR = Source("requests_by_date_hour", ("date", "hour"), {"hits": ("sum", "1")}, sources.VALID)
SIX = (*sources.ALL_SOURCES, REQUESTS_BY_DATE_HOUR)


def jobs_of(spark, call) -> int:
    """How many Spark jobs ``call()`` ran (Spark's own status tracker counts them)."""
    tracker = spark.sparkContext.statusTracker()
    before = set(tracker.getJobIdsForGroup(None))
    call()
    return len(set(tracker.getJobIdsForGroup(None)) - before)


def batch_jobs(spark, out: str, kept) -> list[int]:
    """The jobs of each of three batches: the first writes new days, the others merge into
    them (a read of the previous versions, a grouping), all keep batches/ and have rejects."""
    counts = []
    for batch_id, batch in enumerate([LINES[0::3], LINES[1::3], LINES[2::3]]):
        parsed = cached(spark, batch)
        counts.append(jobs_of(spark, lambda: write_batch(parsed, out, batch_id, keep_batches=10, kept=kept)))
        parsed.unpersist()
    return counts


@pytest.fixture
def project_adaptive(spark):
    """The project's setting of adaptive execution (conf/spark-defaults.conf: off), which
    the test session leaves at Spark's default (on: each shuffle then runs as a job of
    its own, which does not depend on the sources either)."""
    before = spark.conf.get("spark.sql.adaptive.enabled")
    spark.conf.set("spark.sql.adaptive.enabled", defaults()["spark.sql.adaptive.enabled"])
    yield
    spark.conf.set("spark.sql.adaptive.enabled", before)


def test_a_sixth_source_adds_no_spark_job(spark, tmp_path, project_adaptive):
    five = batch_jobs(spark, f"file://{tmp_path}/five", sources.ALL_SOURCES)
    six = batch_jobs(spark, f"file://{tmp_path}/six", SIX)
    # census, records, rejects, batches/, the merge: five jobs, whatever the sources
    assert five == six == [5, 5, 5]

    # the sixth source's totals, per (date, hour), against the reference's own parse
    table = state.read_state(f"file://{tmp_path}/six", target=sources.table_schema(SIX))
    hourly = sources.split(table, SIX)[REQUESTS_BY_DATE_HOUR]
    got = {(r["date"], r["hour"]): r["hits"] for r in hourly.to_pylist()}
    want = Counter((r["date"], r["hour"]) for r in map(reference.parse_line, LINES) if r)
    assert got == dict(want)
    # and the ten analytics are what they were
    for out in ("five", "six"):
        reference.assert_same(report.build(state.read_totals(f"file://{tmp_path}/{out}"), TOP),
                              reference.report_of_text(LINES, TOP))
