"""The defining property: for any split of a set of lines into batches, folding ``merge``
over the batch partials gives exactly ``partial`` of all the lines — the raw tables and
the report views alike, for all ten analytics."""

import sys
from functools import reduce
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.metrics import ALL, batch_partials
from analytics.parse import parse

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402  (pure-Python file reading, no Spark)

DATA = Path(__file__).resolve().parent / "data"  # real logs, see data/SOURCES.md


def _pool() -> list[str]:
    pool = []
    for f in sorted(DATA.glob("*.log.gz")):
        lines = reference.read_lines(str(f))
        pool += lines[:6]
        pool += [x for x in lines if '" 404 ' in x][:4]
        pool += [x for x in lines if '" 200 -' in x or '" 304 ' in x][:2]
    pool.append(reference.read_lines(str(DATA / "elastic_apache_logs_2015-05.log.gz"))[8898])
    pool += [
        "", "garbage", 'titan02f - - [01/Aug/1995:23:59:59 -0400] "GET /" 404 -',
        '2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 404 2326 "-" "x \\" y"',
        'h - - [32/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5',
        'h - - [01/Aug/1995:00:00:01 -0400] "-" 408 -\r',
    ]
    return pool


POOL = _pool()


@pytest.fixture(scope="module")
def parsed_pool(spark):
    """Every pool line parsed once. ``parse`` maps each row on its own (tested in
    test_parse*), so a batch's parsed rows are the slice of these rows; building the
    batches from them keeps each Hypothesis example fast."""
    df = parse(spark.createDataFrame([(x,) for x in POOL], "value string"))
    return df.schema, df.collect()


@pytest.fixture
def few_partitions(spark):
    """Tiny inputs: 2 shuffle partitions (still more than one) halve the per-job cost."""
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "2")
    yield
    spark.conf.set("spark.sql.shuffle.partitions", before)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_merge_of_partials_equals_partial_of_all(spark, parsed_pool, few_partitions, data):
    schema, rows = parsed_pool
    picks = data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=40), label="lines")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(picks)), min_size=1, max_size=3), label="cuts"))
    bounds = [0, *cuts, len(picks)]
    batches = [picks[a:b] for a, b in zip(bounds, bounds[1:])]  # may include empty batches

    def parsed(indices):
        return spark.createDataFrame([rows[i] for i in indices], schema)

    one_pass = batch_partials(parsed(picks))
    parts = [batch_partials(parsed(b)) for b in batches]
    for a in ALL:
        folded = reduce(a.merge, [p[a.name] for p in parts])
        assert folded.schema.types == one_pass[a.name].schema.types, a.name
        table_rows = lambda table: sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)  # noqa: E731
        assert table_rows(folded) == table_rows(one_pass[a.name]), a.name
        assert a.view(folded, None) == a.view(one_pass[a.name], None), a.name
