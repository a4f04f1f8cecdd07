"""The parser on a table of named edge cases (expected values written by hand)."""

from datetime import date, datetime, timezone

import pytest

from analytics.parse import RECORD_COLUMNS, parse, records, rejects

NASA = ('in24.inetnebr.com - - [01/Aug/1995:00:00:01 -0400] '
        '"GET /shuttle/missions/sts-68/news/sts-68-mcc-05.txt HTTP/1.0" 200 1839')
COMBINED = ('83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/x.png HTTP/1.1" '
            '200 203023 "http://semicomplete.com/presentations/" "Mozilla/5.0 (Macintosh)"')
LONG_PATH = "/" + "a" * 32767  # 32 KiB endpoint

# name -> (line, expected fields; only the listed fields are checked; a timestamp is the
# instant in UTC)
VALID = {
    "nasa common": (NASA, dict(
        host="in24.inetnebr.com", ident="-", user="-", timestamp=datetime(1995, 8, 1, 4, 0, 1),
        date=date(1995, 8, 1), hour=0, method="GET",
        endpoint="/shuttle/missions/sts-68/news/sts-68-mcc-05.txt", protocol="HTTP/1.0",
        status=200, content_size=1839, referrer=None, user_agent=None)),
    "combined": (COMBINED, dict(
        host="83.149.9.216", timestamp=datetime(2015, 5, 17, 10, 5, 3), date=date(2015, 5, 17),
        hour=10, endpoint="/presentations/x.png", status=200, content_size=203023,
        referrer="http://semicomplete.com/presentations/", user_agent="Mozilla/5.0 (Macintosh)")),
    "host without a dot, size -": ('titan02f - - [01/Aug/1995:23:59:59 -0400] "GET / HTTP/1.0" 304 -',
                                   dict(host="titan02f", status=304, content_size=None, hour=23,
                                        date=date(1995, 8, 1), timestamp=datetime(1995, 8, 2, 3, 59, 59))),
    "ipv6 host, authuser": (
        '2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
        '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
        dict(host="2001:db8::1", user="frank", timestamp=datetime(2000, 10, 10, 20, 55, 36),
             date=date(2000, 10, 10), hour=13, user_agent="Mozilla/4.08 [en] (Win98; I ;Nav)")),
    "request without protocol": ('h - - [01/Aug/1995:00:00:01 -0400] "GET /" 200 5',
                                 dict(method="GET", endpoint="/", protocol=None)),
    "endpoint with a space": ('h - - [01/Aug/1995:00:00:01 -0400] "GET /a b.html HTTP/1.0" 404 5',
                              dict(method="GET", endpoint="/a b.html", protocol="HTTP/1.0", status=404)),
    "request -": ('h - - [01/Aug/1995:00:00:01 -0400] "-" 408 -',
                  dict(method=None, endpoint=None, protocol=None, status=408)),
    "one-word request": ('h - - [01/Aug/1995:00:00:01 -0400] "PRI" 400 226',
                         dict(method="PRI", endpoint=None, protocol=None)),
    "TLS handshake on port 80 (nginx)": ('h - - [01/Aug/1995:00:00:01 -0400] "\\x16\\x03\\x01\\x00\\xF4\\x01" 400 157',
                                         dict(method=None, endpoint=None, protocol=None, status=400)),
    "binary first word then more": ('h - - [01/Aug/1995:00:00:01 -0400] "\x16\x03 / HTTP/1.1" 400 0',
                                    dict(method=None, endpoint="/", protocol="HTTP/1.1")),
    "U+0001 in fields": ('h\x01 - - [01/Aug/1995:00:00:01 -0400] "GET /a\x01b HTTP/1.0" 200 5 "\x01" "ua\x01"',
                         dict(host="h\x01", endpoint="/a\x01b", referrer="\x01", user_agent="ua\x01")),
    "escaped quotes": (
        'h - - [01/Aug/1995:00:00:01 -0400] "GET /a\\"b HTTP/1.1" 200 5 "-" "Bot \\"quoted\\" 1.0"',
        dict(endpoint='/a\\"b', referrer="-", user_agent='Bot \\"quoted\\" 1.0')),
    "crlf": (COMBINED + "\r", dict(user_agent="Mozilla/5.0 (Macintosh)", content_size=203023)),
    "crlf common": (NASA + "\r", dict(content_size=1839, user_agent=None)),
    "trailing space (secrepo)": (COMBINED + " ", dict(user_agent="Mozilla/5.0 (Macintosh)")),
    "extra nginx field": (COMBINED + ' "-"', dict(user_agent="Mozilla/5.0 (Macintosh)")),
    "replacement char (invalid UTF-8)": ('h - - [01/Aug/1995:00:00:01 -0400] "GET /\ufffd\ufffd HTTP/1.0" 200 5',
                                         dict(endpoint="/\ufffd\ufffd")),
    "very long line": (f'h - - [01/Aug/1995:00:00:01 -0400] "GET {LONG_PATH} HTTP/1.0" 200 5',
                       dict(endpoint=LONG_PATH, protocol="HTTP/1.0")),
    "positive offset crosses midnight": ('h - - [01/Jan/2019:02:00:00 +0330] "GET / HTTP/1.1" 200 5',
                                         dict(timestamp=datetime(2018, 12, 31, 22, 30), date=date(2019, 1, 1), hour=2)),
    "lower-case month": ('h - - [01/aug/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5', dict(date=date(1995, 8, 1))),
    "leap day": ('h - - [29/Feb/1996:12:00:00 +0000] "GET / HTTP/1.0" 200 5', dict(date=date(1996, 2, 29), hour=12)),
    "offset at the +18:00 limit": ('h - - [01/Aug/1995:00:00:00 +1800] "GET / HTTP/1.0" 200 5',
                                   dict(timestamp=datetime(1995, 7, 31, 6, 0), date=date(1995, 8, 1), hour=0)),
    "half-hour negative offset": ('h - - [31/Dec/1999:23:59:59 -0930] "GET / HTTP/1.0" 200 5',
                                  dict(timestamp=datetime(2000, 1, 1, 9, 29, 59), date=date(1999, 12, 31), hour=23)),
    "upper-case month, century leap day": ('h - - [29/FEB/2000:00:00:00 +0000] "GET / HTTP/1.0" 200 5',
                                           dict(date=date(2000, 2, 29), hour=0)),
    "status 499, size 0": ('h - - [01/Aug/1995:00:00:01 -0400] "GET / HTTP/1.0" 499 0', dict(status=499, content_size=0)),
}

T = "[01/Aug/1995:00:00:01 -0400]"
REJECTED = {
    "blank": ("", "blank"),
    "spaces only": ("   ", "blank"),
    "bare CR": ("\r", "blank"),
    "wrapped in quotes (ocatak)": ('"' + COMBINED + '"', "wrapped in quotes"),
    "garbage": ("hello world", "not combined"),
    "binary garbage": ("\x16\x03\x01\x02\x00\x01\x00", "not combined"),
    "truncated in the timestamp": ("h - - [01/Aug/1995:00:0", "truncated"),
    "truncated in the request": (f'h - - {T} "GET /index.html HTT', "truncated"),
    "truncated after the request": (f'h - - {T} "GET / HTTP/1.0"', "truncated"),
    "truncated user agent (elastic line 8899)": (COMBINED[:-10], "truncated"),
    "month Foo": ('h - - [01/Foo/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "day 32": ('h - - [32/Jul/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "31 June": ('h - - [31/Jun/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "29 February of a common year": ('h - - [29/Feb/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "29 February 1900": ('h - - [29/Feb/1900:00:00:01 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "minute 60": ('h - - [01/Aug/1995:00:60:00 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "second 60": ('h - - [01/Aug/1995:00:00:60 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "day 00": ('h - - [00/Aug/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "offset beyond 18 hours": ('h - - [01/Aug/1995:00:00:01 +1801] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "offset minutes 60": ('h - - [01/Aug/1995:00:00:01 -0060] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "hour 24": ('h - - [01/Aug/1995:24:00:00 -0400] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "iso timestamp": ('h - - [1995-08-01T00:00:01Z] "GET / HTTP/1.0" 200 5', "bad timestamp"),
    "missing status": (f'h - - {T} "GET / HTTP/1.0" 1839', "no status"),
    "status -": (f'h - - {T} "GET / HTTP/1.0" - 1839', "bad status"),
    "four-digit status": (f'h - - {T} "GET / HTTP/1.0" 2000 1839', "bad status"),
    "size not a number": (f'h - - {T} "GET / HTTP/1.0" 200 12a', "bad size"),
    "size of 16 digits": (f'h - - {T} "GET / HTTP/1.0" 200 1234567890123456', "bad size"),
    "junk after common": (f'h - - {T} "GET / HTTP/1.0" 200 5 junk', "trailing garbage"),
    "two spaces between fields": (f'h  - - {T} "GET / HTTP/1.0" 200 5', "not combined"),
}


@pytest.fixture(scope="module")
def parsed(spark):
    cases = [(n, line) for n, (line, _) in VALID.items()] + [(n, line) for n, (line, _) in REJECTED.items()]
    df = spark.createDataFrame(cases, "name string, value string")
    rows = parse(df).collect()
    assert len(rows) == len(cases)  # exactly one output row per input row
    return {r["name"]: r.asDict() for r in rows}


def test_schema(spark):
    df = parse(spark.createDataFrame([(0, 7, "x")], "partition int, offset long, value string"))
    types = dict(df.dtypes)
    assert df.columns == ["partition", "offset", "value", *RECORD_COLUMNS, "reject_reason"]
    assert types["timestamp"] == "timestamp" and types["date"] == "date"
    assert types["hour"] == "int" and types["status"] == "int" and types["content_size"] == "bigint"


@pytest.mark.parametrize("name", list(VALID))
def test_valid_line(parsed, name):
    row = parsed[name]
    assert row["reject_reason"] is None
    for field, expected in VALID[name][1].items():
        assert as_utc(row[field]) == expected, field


def as_utc(value):
    """PySpark returns a timestamp as a naive datetime in this process's local zone (TZ):
    the same instant as a naive datetime in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


@pytest.mark.parametrize("name", list(REJECTED))
def test_rejected_line(parsed, name):
    row = parsed[name]
    assert row["reject_reason"] == REJECTED[name][1]
    assert all(row[c] is None for c in RECORD_COLUMNS)


def test_records_and_rejects_split(spark):
    df = spark.createDataFrame([(0, 10, NASA + "\r"), (0, 11, "oops\r"), (1, 3, COMBINED)],
                               "partition int, offset long, value string")
    p = parse(df)
    recs, rejs = records(p), rejects(p)
    assert recs.columns == [*RECORD_COLUMNS, "partition", "offset"]
    assert rejs.columns == ["line", "reason", "partition", "offset"]
    assert sorted((r["partition"], r["offset"]) for r in recs.collect()) == [(0, 10), (1, 3)]
    assert [tuple(r) for r in rejs.collect()] == [("oops", "not combined", 0, 11)]


def test_file_bytes(spark, tmp_path):
    """Raw bytes: CRLF, a bare CR inside a field, invalid UTF-8, a blank line, no final
    newline, gzip; read with lineSep=\\n so the bare CR does not split the line."""
    import gzip

    from analytics.parse import read_lines

    lines = [
        NASA.encode() + b"\r",
        b'h - - [01/Aug/1995:00:00:01 -0400] "GET /caf\xe9\xff HTTP/1.0" 200 5',
        b'h - - [01/Aug/1995:00:00:01 -0400] "GET /a\rb HTTP/1.0" 200 5',
        b"",
        COMBINED.encode(),
    ]
    raw = b"\n".join(lines)
    (tmp_path / "a.log").write_bytes(raw)
    (tmp_path / "b.log.gz").write_bytes(gzip.compress(raw))
    for name in ("a.log", "b.log.gz"):
        rows = parse(read_lines(spark, str(tmp_path / name))).collect()
        assert len(rows) == 5
        assert [r["reject_reason"] for r in rows] == [None, None, None, "blank", None]
        assert rows[0]["content_size"] == 1839
        assert rows[1]["endpoint"].startswith("/caf") and "\ufffd" in rows[1]["endpoint"]
        assert rows[2]["endpoint"] == "/a\rb"
        assert rows[4]["user_agent"] == "Mozilla/5.0 (Macintosh)"
