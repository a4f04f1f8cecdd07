"""Each analytic on a small hand-made log, answers computed by hand (see comments)."""

import math
from datetime import date

import pyarrow as pa
import pytest

from analytics.metrics import ALL, BY_NAME, sources
from analytics.parse import parse
from analytics.report import build

LINES = [
    'a.com - - [01/Aug/1995:00:00:01 -0400] "GET /x HTTP/1.0" 200 100',             # L1
    'a.com - - [01/Aug/1995:10:00:00 -0400] "GET /y HTTP/1.0" 404 -',               # L2
    'b.org - - [01/Aug/1995:23:30:00 -0400] "GET /x HTTP/1.0" 304 0',               # L3
    'b.org - - [02/Aug/1995:00:10:00 -0400] "GET /y HTTP/1.0" 404 200',             # L4
    'c.net - - [02/Aug/1995:10:05:00 -0400] "GET /x HTTP/1.0" 200 300 "-" "UA"',    # L5
    'a.com - - [02/Aug/1995:10:20:00 -0400] "GET /y HTTP/1.0" 404 -',               # L6
    "garbage",                                                                     # reject
    "",                                                                            # reject
]

# By hand: 6 records, 2 rejects. Sizes 100, -, 0, 200, 300, -: n=4, sum 600, mean 150,
# squared deviations 2500+22500+2500+22500 = 50000, sample variance 50000/3.
EXPECTED = {
    "lines": {"total": 8, "records": 6, "rejected": 2},
    "content_size_stats": {"count": 4, "null_count": 2, "sum": 600, "mean": 150.0,
                           "stddev": math.sqrt(50000 / 3), "min": 0, "max": 300},
    "missing_values": {"host": 0, "ident": 0, "user": 0, "timestamp": 0, "date": 0, "hour": 0,
                       "method": 0, "endpoint": 0, "protocol": 0, "status": 0, "content_size": 2,
                       "referrer": 5, "user_agent": 5, "vhost": 6, "port": 6, "time_served_us": 6,
                       "forwarded_for": 6, "rejected_lines": 2},  # no Common/Combined line has the last four
    "status_codes": {"404": 3, "200": 2, "304": 1},
    "frequent_hosts": [{"host": "a.com", "count": 3}, {"host": "b.org", "count": 2},
                       {"host": "c.net", "count": 1}],
    "frequent_endpoints": [{"endpoint": "/x", "count": 3}, {"endpoint": "/y", "count": 3}],  # tie: by name
    "top_error_endpoints": [{"endpoint": "/y", "count": 3}, {"endpoint": "/x", "count": 1}],  # L2,L4,L6 / L3
    "unique_hosts": 3,
    "daily_unique_hosts": [{"date": "1995-08-01", "unique_hosts": 2}, {"date": "1995-08-02", "unique_hosts": 3}],
    "daily_requests_per_host": [
        {"date": "1995-08-01", "requests": 3, "unique_hosts": 2, "avg_requests_per_host": 1.5},
        {"date": "1995-08-02", "requests": 3, "unique_hosts": 3, "avg_requests_per_host": 1.0},
    ],
    "not_found": {
        "count": 3,
        "top_endpoints": [{"endpoint": "/y", "count": 3}],
        "top_hosts": [{"host": "a.com", "count": 2}, {"host": "b.org", "count": 1}],
        "daily": [{"date": "1995-08-01", "count": 1}, {"date": "1995-08-02", "count": 2}],
        "hourly": [{"hour": 0, "count": 1}, {"hour": 10, "count": 2}],  # local hours, L4 / L2, L6
    },
}


def source_rows(parsed) -> dict:
    """``{source: its rows}`` of a batch, as a batch computes them: every source in one
    Spark aggregation, split on the driver."""
    return sources.split(sources.aggregate(parsed).toArrow())


def partial(analytic, parsed):
    """One analytic's aggregate of a batch."""
    return analytic.derive(source_rows(parsed)[analytic.source]).select(analytic.columns)


def merged(analytic, *batches):
    """One analytic's total over several batches: derived from the union of their rows,
    as the report derives it from the state of several days."""
    rows = [source_rows(b)[analytic.source] for b in batches]
    return analytic.derive(pa.concat_tables(rows)).select(analytic.columns)


@pytest.fixture(scope="module")
def parsed(spark):
    return parse(spark.createDataFrame([(line,) for line in LINES], "value string")).cache()


def test_all_names_in_design_order():
    assert [a.name for a in ALL] == [
        "content_size_stats", "missing_values", "status_codes", "frequent_hosts",
        "frequent_endpoints", "top_error_endpoints", "unique_hosts", "daily_unique_hosts",
        "daily_requests_per_host", "not_found"]


@pytest.mark.parametrize("name", [a.name for a in ALL])
def test_view(parsed, name):
    a = BY_NAME[name]
    got = a.view(partial(a, parsed), None)
    if name == "content_size_stats":
        assert got["stddev"] == pytest.approx(EXPECTED[name]["stddev"], rel=1e-12)
        got = {**got, "stddev": EXPECTED[name]["stddev"]}
    assert got == EXPECTED[name]


def test_report_lines_and_merge_of_two_batches(spark, parsed):
    """The same answers when the lines arrive in two batches (L1-L3 + rejects, L4-L6)."""
    df = lambda ls: parse(spark.createDataFrame([(x,) for x in ls], "value string"))  # noqa: E731
    b1, b2 = df(LINES[:3] + LINES[6:]).cache(), df(LINES[3:6]).cache()
    totals = {a.name: merged(a, b1, b2) for a in ALL}
    rep = build(totals)
    assert rep["lines"] == EXPECTED["lines"]
    for name in ("status_codes", "frequent_hosts", "daily_requests_per_host", "not_found", "missing_values"):
        assert rep[name] == EXPECTED[name], name


def test_raw_tables(parsed):
    cs = partial(BY_NAME["content_size_stats"], parsed)
    assert cs.to_pylist() == [{"count": 4, "null_count": 2, "sum": 600,
                               "sum_squares": 100**2 + 0 + 200**2 + 300**2, "min": 0, "max": 300}]
    assert cs.schema.field("sum_squares").type == pa.decimal128(38, 0)
    nf = sorted(tuple(r.values()) for r in partial(BY_NAME["not_found"], parsed).to_pylist())
    assert nf == [(date(1995, 8, 1), "/y", "a.com", 10, 1), (date(1995, 8, 2), "/y", "a.com", 10, 1),
                  (date(1995, 8, 2), "/y", "b.org", 0, 1)]
    pairs = sorted(tuple(r.values()) for r in partial(BY_NAME["daily_unique_hosts"], parsed).to_pylist())
    assert pairs == [(date(1995, 8, 1), "a.com"), (date(1995, 8, 1), "b.org"),
                     (date(1995, 8, 2), "a.com"), (date(1995, 8, 2), "b.org"), (date(1995, 8, 2), "c.net")]


def test_top_n(parsed):
    fh = BY_NAME["frequent_hosts"]
    assert fh.view(partial(fh, parsed), 1) == [{"host": "a.com", "count": 3}]
    nf = BY_NAME["not_found"].view(partial(BY_NAME["not_found"], parsed), 1)
    assert nf["top_hosts"] == [{"host": "a.com", "count": 2}]
    assert len(nf["hourly"]) == 2  # time series are never cut


def test_empty_input(spark):
    empty = parse(spark.createDataFrame([], "value string"))
    views = {a.name: a.view(partial(a, empty), None) for a in ALL}
    assert views["content_size_stats"] == {"count": 0, "null_count": 0, "sum": 0, "mean": None,
                                           "stddev": None, "min": None, "max": None}
    assert views["unique_hosts"] == 0 and views["frequent_hosts"] == [] and views["status_codes"] == {}
    assert views["not_found"] == {"count": 0, "top_endpoints": [], "top_hosts": [], "daily": [], "hourly": []}


def test_one_size_has_no_stddev(spark):
    one = parse(spark.createDataFrame([('h - - [01/Aug/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 7',)], "value string"))
    a = BY_NAME["content_size_stats"]
    assert a.view(partial(a, one)) == {"count": 1, "null_count": 0, "sum": 7, "mean": 7.0, "stddev": None,
                                      "min": 7, "max": 7}


def test_huge_sizes_do_not_overflow(spark):
    """Two 15-digit sizes: the sum overflows nothing, the squares need decimal(38,0)."""
    big = 999_999_999_999_999
    lines = [f'h - - [01/Aug/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 {big}'] * 2
    a = BY_NAME["content_size_stats"]
    v = a.view(merged(a, *[parse(spark.createDataFrame([(x,)], "value string")) for x in lines]))
    assert (v["sum"], v["mean"], v["stddev"], v["max"]) == (2 * big, float(big), 0.0, big)


def test_an_eleventh_analytic_is_one_file_and_one_line(parsed, monkeypatch):
    """The README's example: hosts ranked by their 404s, from the 404 source the tenth
    analytic keeps. By hand: a.com got two 404s (L2, L6), b.org one (L4)."""
    from analytics import metrics, report
    from analytics.metrics.base import RequestsPerKey
    from analytics.metrics.sources import NOT_FOUND

    eleventh = RequestsPerKey("not_found_hosts", "host", default_top=10, source=NOT_FOUND, count="count")
    monkeypatch.setattr(metrics, "ALL", [*ALL, eleventh])
    monkeypatch.setattr(report, "ALL", metrics.ALL)
    totals = {a.name: partial(a, parsed) for a in metrics.ALL}
    got = report.build(totals)
    assert got["not_found_hosts"] == [{"host": "a.com", "count": 2}, {"host": "b.org", "count": 1}]
    assert "not_found_hosts\n  host   count\n  -----  -----\n  a.com      2\n  b.org      1\n" in report.to_table(got)
