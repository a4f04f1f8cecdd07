"""The parser on every real log in tests/data (expected counts from tests/data/SOURCES.md)."""

import gzip
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from analytics.parse import parse, read_lines

DATA = Path(__file__).resolve().parent / "data"  # real logs, see data/SOURCES.md

# file -> {reject_reason (None = valid record): lines}; line counts from SOURCES.md.
EXPECTED = {
    "nasa_Aug95_first100.log.gz": {None: 100},                       # every NASA line parses
    "elastic_apache_logs_2015-05.log.gz": {None: 9999, "truncated": 1},  # line 8899: UA cut off
    "secrepo_access_2018-12-15.log.gz": {None: 4961},                # trailing spaces are fine
    "secrepo_access_2021-10-22_to_27.log.gz": {None: 5854},
    "secrepo_access_2022-12-22.log.gz": {None: 1262},
    "zanbil_access_2019-01-22_first10k.log.gz": {None: 10000},       # extra nginx field
    "basjes_hackers_access_2015-10.log.gz": {None: 3456},
    # The ocatak files wrap every line in an extra pair of quotes ("...""): we do not
    # unwrap them; such lines are rejected with the reason "wrapped in quotes".
    "ocatak_acunetix_2016-12-22.log.gz": {"wrapped in quotes": 6539},
    "ocatak_netsparker_2016-12-22.log.gz": {"wrapped in quotes": 7314},      # + CRLF
    # w3af: lines 1-3934 wrapped (CRLF), 3935-3996 plain combined lines (LF)
    "ocatak_w3af_2016-12-22.log.gz": {"wrapped in quotes": 3934, None: 62},
}


@pytest.fixture(scope="module")
def parsed_files(spark):
    df = parse(read_lines(spark, [str(DATA / f) for f in EXPECTED]).withColumn("file", F.input_file_name()))
    return df.cache()


def test_every_file_accounted_for(parsed_files):
    counts = {}
    for r in parsed_files.groupBy("file", "reject_reason").count().collect():
        counts.setdefault(Path(r["file"]).name, {})[r["reject_reason"]] = r["count"]
    assert counts == EXPECTED
    # records + rejects = lines, with the line counts of SOURCES.md
    assert parsed_files.count() == 100 + 10000 + 4961 + 5854 + 1262 + 10000 + 3456 + 6539 + 7314 + 3996


def test_elastic_line_8899_is_the_truncated_reject(parsed_files):
    with gzip.open(DATA / "elastic_apache_logs_2015-05.log.gz", "rt") as fh:
        line_8899 = fh.read().split("\n")[8898]
    assert not line_8899.endswith('"')  # the user agent has no closing quote
    rej = parsed_files.where(F.col("reject_reason").isNotNull() & F.col("file").contains("elastic")).collect()
    assert [r["value"] for r in rej] == [line_8899]


def test_w3af_plain_lines_parse(parsed_files):
    rows = parsed_files.where(F.col("file").contains("w3af") & F.col("reject_reason").isNull()).collect()
    assert len(rows) == 62 and {r["host"] for r in rows} == {"192.168.1.20"}  # zcat | tail -62


def test_nasa_first_and_last_line(parsed_files):
    rows = parsed_files.where(F.col("file").contains("nasa")).collect()
    first, last = rows[0], rows[-1]
    assert (first["host"], first["endpoint"], first["status"], first["content_size"]) == (
        "in24.inetnebr.com", "/shuttle/missions/sts-68/news/sts-68-mcc-05.txt", 200, 1839)
    # the last line has no final newline in the file
    assert (last["host"], last["endpoint"], last["status"], last["content_size"], last["hour"]) == (
        "rpgopher.aist.go.jp", "/images/ksclogo-medium.gif", 304, 0, 0)
    assert {r["date"].isoformat() for r in rows} == {"1995-08-01"}
