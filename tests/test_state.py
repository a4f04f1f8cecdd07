"""The per-day state, batch by batch, against the independent pure-Python reference
(tests/reference.py): random splits of real lines into batches, lines that arrive late for
earlier days, date ranges, a replay after a crash, and the retention of batches/."""

import datetime as dt
import random
import sys
from pathlib import Path

import pytest

from analytics import report
from analytics.metrics import sources
from analytics.storage import state, store
from analytics.batch import census, write_batch
from analytics.parse import for_cache, parse

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"  # real logs, see data/SOURCES.md
TOP = 1000  # every ranked list whole: the comparison covers every key


def _lines() -> list[str]:
    """About 600 real lines over ten days (17-20 May 2015, 22-27 Oct 2021), a few rejects."""
    rng = random.Random(16)
    elastic = reference.read_lines(str(DATA / "elastic_apache_logs_2015-05.log.gz"))
    secrepo = reference.read_lines(str(DATA / "secrepo_access_2021-10-22_to_27.log.gz"))
    return rng.sample(elastic, 300) + rng.sample(secrepo, 300) + ["", "garbage", elastic[8898]]


LINES = _lines()
DAYS = sorted({r["date"] for r in map(reference.parse_line, LINES) if r})


def cached(spark, lines: list[str]):
    return for_cache(parse(spark.createDataFrame([(x,) for x in lines], "value string"))).persist()


def run_batches(spark, out: str, batches: list[list[str]], first_id: int = 0, keep_batches=None,
                kept=sources.ALL_SOURCES) -> None:
    for batch_id, batch in enumerate(batches, first_id):
        parsed = cached(spark, batch)
        write_batch(parsed, out, batch_id, keep_batches=keep_batches, kept=kept)
        parsed.unpersist()


def got(spark, out: str, first=None, last=None) -> dict:
    return report.build(state.read_totals(out, first, last), TOP, first, last)


def want(lines, first=None, last=None) -> dict:
    return reference.report_of_text(lines, TOP, first, last)


@pytest.fixture(scope="module")
def in_order(spark, tmp_path_factory):
    """The lines in time order, in four batches (each touches a few days), then a batch
    of lines that come late: their days were already written by earlier batches."""
    out = f"file://{tmp_path_factory.mktemp('state')}/in-order"
    dated = sorted((r["timestamp"], x) for x in LINES if (r := reference.parse_line(x)))
    ordered = [x for _, x in dated]
    late = ordered[:40:3] + ordered[300:340:4]  # a few lines of the first days of each file, again
    batches = [ordered[k * 150:(k + 1) * 150] for k in range(4)]
    batches[-1] += ordered[600:]  # the rest, and the rejects below
    batches.append(late + ["", "garbage"])
    run_batches(spark, out, batches)
    return out, [x for b in batches for x in b]


def test_totals_after_batches_in_time_order_and_late_lines(spark, in_order):
    out, lines = in_order
    reference.assert_same(got(spark, out), want(lines))


def test_a_batch_rewrites_only_the_days_it_touches(spark, in_order, tmp_path):
    out, _ = in_order
    base = Path(out.removeprefix("file://")) / "state"
    versions = {d.name: sorted(v.name for v in d.iterdir()) for d in base.glob("date=*")}
    # the late batch (4) touched the first days of each file only
    touched = {d for d, v in versions.items() if "version=4" in v}
    assert touched and touched < set(versions), versions
    assert all(v for v in versions.values()), versions


def test_superseded_versions_stay_readable_for_a_while_then_go(spark, tmp_path, monkeypatch):
    import time

    out, lines = f"file://{tmp_path}/kept", LINES[:300]  # every batch touches the same four days
    run_batches(spark, out, [lines[0::3], lines[1::3], lines[2::3]])
    base = tmp_path / "kept" / "state"

    def versions():
        return {d.name: sorted(int(v.name.removeprefix("version=")) for v in d.iterdir()) for d in base.glob("date=*")}

    before = versions()
    assert all(v == [0, 1, 2] for v in before.values()), before  # superseded in the last minutes: kept
    # what a replay of each day's newest version merges from: the one before it
    listed = {d: state.versions(out, d) for d in before}
    keep_from = {d: v[-2] for d, v in before.items()}
    state.prune(out, listed, keep_from)
    assert versions() == before  # superseded just now: a report may be reading them
    state.prune(out, listed, keep_from, now=time.time() + state.SUPERSEDED_KEPT + 1)
    after = versions()
    assert after == {d: v[-2:] for d, v in before.items()}  # the newest and the one before it
    reference.assert_same(got(spark, out), want(lines))
    # a closed day's compaction prunes it the same way, once the grace is past
    run_batches(spark, out, [lines[0::2]], first_id=3)
    monkeypatch.setattr(state, "SUPERSEDED_KEPT", 0)
    day = sorted(after)[0]
    assert versions()[day] == [1, 2, 3]
    state.prune_day(out, day)
    assert versions()[day] == [2, 3]
    reference.assert_same(got(spark, out), want(lines + lines[0::2]))


@pytest.mark.parametrize("first, last", [
    (DAYS[1], DAYS[1]),            # one day
    (DAYS[0], DAYS[2]),            # several days
    (DAYS[5], None),               # open-ended: from a day on
    (None, DAYS[3]),               # open-ended: up to a day
    (dt.date(2016, 1, 1), dt.date(2016, 12, 31)),  # between the files: no data at all
    (dt.date(1999, 1, 1), None),   # everything after a day before the first
])
def test_ranges_equal_the_reference_over_those_days(spark, in_order, first, last):
    out, lines = in_order
    reference.assert_same(got(spark, out, first, last), want(lines, first, last))


def test_a_range_with_no_data_keeps_the_shape_and_the_whole_input_rejects(spark, in_order):
    out, lines = in_order
    empty = got(spark, out, dt.date(2000, 1, 1), dt.date(2000, 1, 2))
    assert empty["lines"]["records"] == 0 and empty["unique_hosts"] == 0
    assert empty["lines"]["rejected"] == sum(reference.parse_line(x) is None for x in lines) > 0
    assert empty["range"] == {"from": "2000-01-01", "to": "2000-01-02", "whole_input": report.WHOLE_INPUT}
    assert empty["content_size_stats"]["count"] == 0 and empty["not_found"]["daily"] == []


def test_random_splits_give_the_same_state(spark, tmp_path):
    rng = random.Random(2026)
    lines = LINES[:]
    rng.shuffle(lines)  # every batch touches many days, in any order
    cuts = sorted(rng.sample(range(1, len(lines)), 3))
    batches = [lines[a:b] for a, b in zip([0, *cuts], [*cuts, len(lines)])]
    out = f"file://{tmp_path}/random"
    run_batches(spark, out, batches)
    reference.assert_same(got(spark, out), want(lines))
    reference.assert_same(got(spark, out, DAYS[2], DAYS[6]), want(lines, DAYS[2], DAYS[6]))


def test_a_batch_replayed_after_a_crash_counts_once(spark, tmp_path):
    out = f"file://{tmp_path}/replay"
    first, second = LINES[:300], LINES[300:]
    run_batches(spark, out, [first])
    # batch 1 crashes after merging its state and before committing it
    parsed = cached(spark, second)
    state.merge(spark, out, 1, sources.aggregate(parsed), list(census(parsed).days), sources.rules_of(sources.ALL_SOURCES))
    parsed.unpersist()
    # a reader sees batch 0 only: the half-written batch 1 is not committed
    reference.assert_same(got(spark, out), want(first))
    # the replay of batch 1 (the same id, the same lines) writes the same state, once
    run_batches(spark, out, [second], first_id=1)
    run_batches(spark, out, [second], first_id=1)
    reference.assert_same(got(spark, out), want(LINES))


def test_batches_are_kept_for_the_retention_only(spark, tmp_path):
    out = f"file://{tmp_path}/kept"
    batches = [LINES[k * 100:(k + 1) * 100] for k in range(5)]
    run_batches(spark, out, batches, keep_batches=2)
    kept = sorted(p.name for p in (tmp_path / "kept" / "batches").iterdir())
    assert kept == ["batch_id=3", "batch_id=4"]
    # what batches/ keeps is each batch's own result; the totals are whole
    one = report.build(state.read_batch(out, 4), TOP)
    reference.assert_same(one, want(batches[4]))
    reference.assert_same(got(spark, out), want(LINES[:500]))
    # a sweep (what the stream does when it starts) removes what an earlier run left
    assert store.prune_batches(out, before=4) == 1  # batch 3


def records_per_day(spark, out: str) -> dict[str, int]:
    rows = spark.read.parquet(f"{out}/records").groupBy("date").count().collect()
    return {r["date"].isoformat(): r["count"] for r in rows}


def test_compaction_and_its_recovery_keep_the_records_exact(spark, in_order):
    from collections import Counter

    from analytics.storage.compact import compact, recover, stage

    out, lines = in_order
    root = Path(out.removeprefix("file://")) / "records"
    expected = dict(Counter(r["date"].isoformat() for r in map(reference.parse_line, lines) if r))
    assert records_per_day(spark, out) == expected
    folders = {d.name: sorted(b.name for b in d.iterdir()) for d in root.iterdir()}
    # a crash after the compacted files were written: recovery finishes the job
    day, batches = next((d, b) for d, b in sorted(folders.items()) if len(b) > 1 and "batch_id=4" not in b)
    stage(spark, out, day, [int(b.removeprefix("batch_id=")) for b in batches])
    assert records_per_day(spark, out) == expected  # the staging folder is not read
    recover(out)
    assert sorted(b.name for b in (root / day).iterdir()) == [batches[-1]]
    assert records_per_day(spark, out) == expected
    # a crash while they were being written: recovery drops the half-written copy
    other, others = next((d, b) for d, b in sorted(folders.items())
                         if d != day and len(b) > 1 and "batch_id=4" not in b)
    stage(spark, out, other, [int(b.removeprefix("batch_id=")) for b in others])
    (root / "_compacting" / other / others[-1] / "_SUCCESS").unlink()
    recover(out)
    assert not list((root / "_compacting").iterdir())
    assert sorted(b.name for b in (root / other).iterdir()) == others
    # then every closed day is compacted; days the last batch (4) wrote stay open: it may be replayed
    removed = compact(spark, out, idle_seconds=0, log=lambda line: None)
    after = {d.name: sorted(b.name for b in d.iterdir()) for d in root.iterdir() if d.name.startswith("date=")}
    assert removed == sum(len(b) - 1 for d, b in folders.items() if d != day and "batch_id=4" not in b)
    assert all(len(b) == 1 for d, b in after.items() if "batch_id=4" not in folders[d])
    assert any(len(b) > 1 for b in after.values())  # the open ones
    assert records_per_day(spark, out) == expected
    reference.assert_same(got(spark, out), want(lines))


def test_the_state_read_without_spark_has_the_schema_spark_writes(spark):
    """The report reads the state with pyarrow alone: its schema of the source table must
    be the one Spark gives a batch's (and so writes)."""
    written = sources.aggregate(parse(spark.createDataFrame([], "value string"))).limit(0).toArrow().schema
    assert [(f.name, f.type) for f in sources.table_schema()] == [(f.name, f.type) for f in written]


def test_rejects_are_folded_by_blocks_of_batches(spark, tmp_path):
    """Rejects have no date: every full block of batches that can no longer be replayed
    becomes one folder, and a crash while folding loses and doubles nothing."""
    from analytics.storage import compact as C

    out = f"file://{tmp_path}/folded"
    batches = [LINES[k * 80:(k + 1) * 80] + [f"garbage {k}", ""] for k in range(5)]
    run_batches(spark, out, batches)
    root = tmp_path / "folded" / "rejects"
    want_lines = sorted(x for batch in batches for x in batch if reference.parse_line(x) is None)
    assert len(want_lines) >= 10

    def folders():
        return sorted(int(p.name.removeprefix("batch_id=")) for p in root.iterdir() if p.name.startswith("batch_id="))

    def rejected():
        return sorted(r["line"] for r in spark.read.parquet(f"{out}/rejects").select("line").collect())

    assert folders() == [0, 1, 2, 3, 4] and rejected() == want_lines
    # a crash after block 0-1 was written in full: recovery finishes the fold
    C.BatchFolders(out, store.REJECTS).stage(spark, [0, 1])
    assert rejected() == want_lines  # the staging folder is not read
    C.recover(out, block=2)
    assert folders() == [1, 2, 3, 4] and rejected() == want_lines
    # batch 4 is the newest committed and may be replayed: 2-3 is the only full block left
    # (days were written just now, so no day of records is closed)
    assert C.compact(spark, out, idle_seconds=3600, log=lambda line: None, block=2) == 1
    assert folders() == [1, 3, 4] and rejected() == want_lines
    assert C.compact(spark, out, idle_seconds=3600, log=lambda line: None, block=2) == 0
    reference.assert_same(got(spark, out), want([x for batch in batches for x in batch]))
