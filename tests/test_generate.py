"""The synthetic log generator (analytics/generate.py): determinism, the shape of its
output, and that the project's parser rejects exactly the lines it made malformed."""

import gzip
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analytics.generate import generate, main

ROOT = Path(__file__).resolve().parent.parent
# counted independently of the generator: status and size at the end of a Common line
TAIL = re.compile(r'" (\d{3}) (\d+|-)$')
COMBINED = re.compile(r'^\S+ - - \[[^\]]+\] "[^"]*" \d{3} (?:\d+|-) "[^"]*" "[^"]+"$')


def lines_of(path: Path) -> list[str]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    return data.decode().split("\n")[:-1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """100,000 Common lines with the defaults: (summary, lines)."""
    path = tmp_path_factory.mktemp("gen") / "sample.log"
    return generate(path, 100_000, seed=7), lines_of(path)


def test_same_seed_same_bytes(tmp_path):
    kw = dict(format="combined", malformed=0.01)
    for name in ("a.log", "b.log", "c.log.gz", "d.log.gz"):
        generate(tmp_path / name, 30_000, seed=42, **kw)
    generate(tmp_path / "other.log", 30_000, seed=43, **kw)
    assert (tmp_path / "a.log").read_bytes() == (tmp_path / "b.log").read_bytes()
    assert (tmp_path / "c.log.gz").read_bytes() == (tmp_path / "d.log.gz").read_bytes()  # no mtime in the header
    assert (tmp_path / "a.log").read_bytes() != (tmp_path / "other.log").read_bytes()


def test_gzip_output_is_the_same_text(tmp_path):
    plain = generate(tmp_path / "x.log", 5_000, seed=3)
    packed = generate(tmp_path / "x.log.gz", 5_000, seed=3)
    assert gzip.decompress((tmp_path / "x.log.gz").read_bytes()) == (tmp_path / "x.log").read_bytes()
    assert plain["bytes"] == packed["bytes"] == (tmp_path / "x.log").stat().st_size
    assert not list(tmp_path.glob("*.tmp"))


def test_summary_and_nasa_shape(sample):
    summary, lines = sample
    assert summary["lines"] == len(lines) == 100_000 and summary["malformed"] == 0
    assert summary["bytes"] == sum(len(line) + 1 for line in lines)
    clf = re.compile(r'^\S+ - - \[\d\d/Jul/1995:\d\d:\d\d:\d\d -0400\] '
                     r'"(GET|HEAD|POST) /\S*( HTTP/1\.0)?" \d{3} (\d+|-)$')
    assert all(clf.match(line) for line in lines)
    hosts = {line.split(" ", 1)[0] for line in lines}
    assert any(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", h) for h in hosts)
    assert any("." not in h for h in hosts) and any(re.search(r"[a-z]\.[a-z]", h) for h in hosts)
    methods = Counter(line.split('"', 2)[1].split(" ", 1)[0] for line in lines)
    assert methods["GET"] > 0.98 * len(lines) and methods["HEAD"] > 0 and methods["POST"] > 0
    assert any(line.split('"')[1].count(" ") == 1 for line in lines)  # "GET /x", no protocol


def test_status_mix(sample):
    _, lines = sample
    tails = [TAIL.search(line).groups() for line in lines]
    share = {s: n / len(lines) for s, n in Counter(s for s, _ in tails).items()}
    assert set(share) == {"200", "304", "302", "404", "403", "500"}
    assert 0.87 < share["200"] < 0.92
    assert 0.05 < share["304"] < 0.09
    assert 0.015 < share["302"] < 0.035
    assert 0.007 < share["404"] < 0.013
    assert share["403"] < 0.002 and share["500"] < 0.002
    assert all(size == "-" for status, size in tails if status in ("304", "404"))
    ok_sizes = [size for status, size in tails if status == "200"]
    assert sum(size == "-" for size in ok_sizes) < 0.01 * len(ok_sizes)  # a few, not many
    assert sorted(int(s) for s in ok_sizes if s != "-")[len(ok_sizes) // 2] > 200


def host_counts(lines):
    return sorted(Counter(line.split(" ", 1)[0] for line in lines).values(), reverse=True)


def test_zipf_skew(sample, tmp_path):
    _, lines = sample
    counts = host_counts(lines)
    assert counts[0] > 100 * counts[len(counts) // 2]
    endpoints = sorted(Counter(line.split('"')[1].split(" ")[1] for line in lines).values(), reverse=True)
    assert endpoints[0] > 100 * endpoints[len(endpoints) // 2]
    generate(tmp_path / "flat.log", 100_000, seed=7, zipf=0.0)
    flat = host_counts(lines_of(tmp_path / "flat.log"))
    assert flat[0] < 20 * flat[len(flat) // 2]


@pytest.mark.parametrize("start, days", [("01/Jul/1995:00:00:00 -0400", 31), ("30/Jun/2000:18:30:00 +0530", 2.5)])
def test_timestamps_monotonic_within_the_days(tmp_path, start, days):
    generate(tmp_path / "t.log", 20_000, seed=5, start=start, days=days)
    stamps = [datetime.strptime(line.split("[", 1)[1].split("]", 1)[0], "%d/%b/%Y:%H:%M:%S %z")
              for line in lines_of(tmp_path / "t.log")]
    first = datetime.strptime(start, "%d/%b/%Y:%H:%M:%S %z")
    end = first + timedelta(days=days)
    assert all(a <= b for a, b in zip(stamps, stamps[1:]))
    assert first <= stamps[0] and stamps[-1] < end
    assert {s.utcoffset() for s in stamps} == {first.utcoffset()}
    # spread evenly: each tenth of the span holds about a tenth of the lines
    tenths = Counter(int(10 * (s - first) / (end - first)) for s in stamps)
    assert all(1700 < tenths[i] < 2300 for i in range(10))


def test_combined_format(tmp_path):
    generate(tmp_path / "common.log", 10_000, seed=9)
    generate(tmp_path / "combined.log", 10_000, seed=9, format="combined")
    common, combined = lines_of(tmp_path / "common.log"), lines_of(tmp_path / "combined.log")
    assert all(COMBINED.match(line) for line in combined)
    assert not any(COMBINED.match(line) for line in common)
    assert all(b.startswith(a + ' "') for a, b in zip(common, combined))  # the same requests, extended
    referrers = Counter(line.split('"')[-4] for line in combined)
    assert referrers["-"] > 0.3 * len(combined) and any(r.startswith("http://") for r in referrers)
    assert len({line.split('"')[-2] for line in combined}) > 5


def test_parser_rejects_exactly_the_malformed_lines(spark, tmp_path):
    """The same seed with and without --malformed: the lines that differ are the malformed
    ones, and they are exactly the lines analytics.parse rejects (as a multiset of texts,
    so no normal line may be rejected either)."""
    from analytics.parse import parse, read_lines

    expected, paths = Counter(), []
    for fmt in ("common", "combined"):
        clean = generate(tmp_path / f"{fmt}.log", 10_000, seed=11, format=fmt)
        dirty = generate(tmp_path / f"{fmt}-bad.log", 10_000, seed=11, format=fmt, malformed=0.05)
        assert clean["malformed"] == 0 and dirty["malformed"] == 500
        assert all(n > 50 for n in dirty["malformed_kinds"].values())
        a, b = lines_of(tmp_path / f"{fmt}.log"), lines_of(tmp_path / f"{fmt}-bad.log")
        assert len(a) == len(b) == 10_000
        changed = [y for x, y in zip(a, b) if x != y]
        assert len(changed) == dirty["malformed"]
        expected.update(changed)
        paths.append(str(tmp_path / f"{fmt}-bad.log"))
    rows = parse(read_lines(spark, paths)).select("value", "reject_reason").collect()
    assert len(rows) == 20_000
    rejected = [r for r in rows if r["reject_reason"] is not None]
    assert Counter(r["value"] for r in rejected) == expected
    reasons = Counter(r["reject_reason"] for r in rejected)
    assert {"blank", "truncated", "bad timestamp", "bad status", "not combined"} <= set(reasons)


def test_stdout_and_summary_line():
    res = subprocess.run([sys.executable, "-m", "analytics.generate", "-", "--lines", "3", "--seed", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    assert len(res.stdout.splitlines()) == 3 and all(TAIL.search(line) for line in res.stdout.splitlines())
    assert re.search(r"3 lines \(0 malformed\), [\d,]+ bytes in [\d.]+ s", res.stderr)


@pytest.mark.parametrize("args", [
    [],                                           # --lines is required
    ["--lines", "-1"],
    ["--lines", "ten"],
    ["--lines", "10", "--malformed", "1.5"],
    ["--lines", "10", "--malformed", "-0.1"],
    ["--lines", "10", "--days", "0"],
    ["--lines", "10", "--zipf", "-1"],
    ["--lines", "10", "--seed", "-3"],
    ["--lines", "10", "--format", "json"],
    ["--lines", "10", "--start", "1995-07-01"],
])
def test_bad_arguments_exit_2(tmp_path, capsys, args):
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "x.log"), *args])
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
