"""The format-string parser (analytics/jvm/LogFormat.java) against the independent
reference (tests/reference.py builds one regex per format string), line by line, on lines
drawn by Hypothesis for the named formats and pasted Apache/nginx strings: near-misses of
every field, possibly cut short or with a stray character put in. Both must agree on which
lines are records and on every field."""

import sys
from datetime import timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402

from analytics.parse import RECORD_COLUMNS, parse  # noqa: E402

TRICKY = ' "\\\x01\t\r[]-/:+.09aHTPms\u00e9'


def text(max_size: int = 3):
    return st.text(alphabet=TRICKY, max_size=max_size)


def mostly(usual, unusual):
    return st.integers(0, 4).flatmap(lambda k: usual if k else unusual)


FIELD = mostly(st.sampled_from(["h", "10.0.0.1", "2001:db8::1", "-", "frank"]), text())
VHOST = mostly(st.sampled_from(["www.example.com", "www.example.com:80", "[::1]:443", "::1", "h:x", "v:123456"]),
               text())
CLF_TIME = mostly(st.sampled_from(["10/Oct/2000:13:55:36 -0700", "29/Feb/1996:00:00:00 +1800",
                                   "31/Jun/1995:00:00:01 -0400", "01/aug/1995:23:59:59 +0330"]), text(26))
ISO_TIME = mostly(st.sampled_from(["2024-03-12T08:15:42+01:00", "2019-01-22T03:56:14Z", "2019-01-22T03:56:14.123+0330",
                                   "2019-02-29T00:00:00Z", "2019-01-22T03:56:14", "2019-01-22 03:56:14"]), text(8))
REQUEST = mostly(st.sampled_from(["GET / HTTP/1.1", "GET /a b HTTP/1.0", "-", "", 'GET /a\\"b HTTP/1.1',
                                  "GET /a\\x22b HTTP/1.1", "\\x16\\x03"]), text())
STATUS = mostly(st.sampled_from(["200", "404"]), st.sampled_from(["2000", "20", "-", "abc"]))
SIZE = mostly(st.sampled_from(["-", "0", "2326"]), st.sampled_from(["1" * 16, "12a", ""]))
QUOTED = mostly(st.sampled_from(["-", "http://x/", "Mozilla/5.0 (X)", 'a \\"b\\"', "203.0.113.7, 10.0.0.2"]),
                st.just("\\") | text())
SECONDS = mostly(st.sampled_from(["0.000", "0.123", "12", "-", "1.5", "-1"]), st.sampled_from(["1.", ".5", "x", "1" * 16]))
INTEGER = mostly(st.sampled_from(["0", "1523", "87"]), st.sampled_from(["-", "1.5", "x"]))
DAY = mostly(st.sampled_from(["2019-02-12", "2020-02-29", "2019-02-29"]), text(10))
CLOCK = mostly(st.sampled_from(["00:00:02", "23:59:59", "24:00:00"]), text(8))
WORD = mostly(st.sampled_from(["-", "/default.htm", "q=iis", "GET", "Mozilla/5.0+(X)", "HTTP/2.0"]), text())
HOST_PORT = mostly(st.sampled_from(["192.168.131.39:2817", "[2001:db8::1]:443", "10.0.0.1", "h:"]), text())
ABSOLUTE = mostly(st.sampled_from(["GET http://www.example.com:80/ HTTP/1.1", "GET https://a.example:443/x?y HTTP/2.0",
                                   "GET https://h HTTP/1.1", "- - - ", "GET / HTTP/1.1"]), text())
TAIL = mostly(st.sampled_from(["", "\r", " extra"]), st.sampled_from(["x", "\t", "  \r"]))

NGINX_ISO = '$host $remote_addr [$time_iso8601] "$request" $status $body_bytes_sent $request_time "$http_x_forwarded_for"'
NGINX_MAIN = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
              '"$http_user_agent" "$http_x_forwarded_for" $request_time')
APACHE_PROXY = r'%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" \"%{X-Forwarded-For}i\" %{ms}T'


@st.composite
def case(draw):
    kind = draw(st.sampled_from(["vcombined", "vcommon", "traefikclf", "nginx_iso", "nginx_main", "apache_proxy",
                                 "w3c", "cloudfront", "awselb", "awsalb"]))
    f, q = draw(FIELD), lambda: f'"{draw(QUOTED)}"'
    if kind in ("vcombined", "vcommon"):
        line = f'{draw(VHOST)} {f} {draw(FIELD)} {draw(FIELD)} [{draw(CLF_TIME)}] "{draw(REQUEST)}" {draw(STATUS)} {draw(SIZE)}'
        if kind == "vcombined":
            line += f" {q()} {q()}"
        fmt = kind
    elif kind == "traefikclf":
        line = (f'{f} - {draw(FIELD)} [{draw(CLF_TIME)}] "{draw(REQUEST)}" {draw(STATUS)} {draw(SIZE)} {q()} {q()} '
                f'{draw(INTEGER)} {q()} {q()} {draw(INTEGER)}ms')
        fmt = kind
    elif kind == "nginx_iso":
        line = (f'{draw(VHOST)} {f} [{draw(ISO_TIME)}] "{draw(REQUEST)}" {draw(STATUS)} {draw(SIZE)} '
                f'{draw(SECONDS)} {q()}')
        fmt = NGINX_ISO
    elif kind == "w3c":
        line = (f"{draw(DAY)} {draw(CLOCK)} {draw(FIELD)} {draw(WORD)} {draw(WORD)} {draw(WORD)} {draw(INTEGER)} "
                f"{draw(FIELD)} {f} {draw(WORD)} {draw(WORD)} {draw(STATUS)} 0 0 {draw(INTEGER)}")
        fmt = kind
    elif kind == "cloudfront":
        line = "\t".join([draw(DAY), draw(CLOCK), "LAX1", draw(SIZE), f, draw(WORD), "d1.cloudfront.net", draw(WORD),
                          draw(STATUS), draw(WORD), draw(WORD), draw(WORD), "-", "Hit", "id==", draw(VHOST), "https",
                          "23", draw(SECONDS), draw(WORD), "TLSv1.2", "ECDHE", "Hit", draw(WORD)])
        fmt = kind
    elif kind in ("awselb", "awsalb"):
        line = (f"{draw(ISO_TIME)} my-lb {draw(HOST_PORT)} 10.0.0.1:80 0.000073 {draw(SECONDS)} 0.000057 "
                f'{draw(STATUS)} 200 0 {draw(SIZE)} "{draw(ABSOLUTE)}" {q()} - -')
        line = ("h2 " + line) if kind == "awsalb" else line
        fmt = kind
    elif kind == "nginx_main":
        line = (f'{f} - {draw(FIELD)} [{draw(CLF_TIME)}] "{draw(REQUEST)}" {draw(STATUS)} {draw(SIZE)} {q()} {q()} '
                f'{q()} {draw(SECONDS)}')
        fmt = NGINX_MAIN
    else:
        line = (f'{f} - {draw(FIELD)} [{draw(CLF_TIME)}] "{draw(REQUEST)}" {draw(STATUS)} {draw(SIZE)} {q()} {q()} '
                f'{q()} {draw(INTEGER)}')
        fmt = APACHE_PROXY
    line += draw(TAIL)
    damage = draw(st.sampled_from(["none"] * 6 + ["cut", "insert"]))
    if damage != "none":
        at = draw(st.integers(0, len(line)))
        line = line[:at] if damage == "cut" else line[:at] + draw(text(1)) + line[at:]
    return fmt, line


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(case(), min_size=1, max_size=60))
def test_format_parser_agrees_with_the_reference(spark, cases):
    by_format = {}
    for i, (fmt, line) in enumerate(cases):
        by_format.setdefault(fmt, []).append((i, line))
    for fmt, rows in by_format.items():
        got_rows = parse(spark.createDataFrame(rows, "i int, value string"), log_format=fmt).collect()
        assert len(got_rows) == len(rows)
        for (_, line), row in zip(rows, got_rows):
            want = reference.parse_line(line, fmt)
            if want is None:
                assert row["reject_reason"] is not None, (fmt, line, row)
                assert all(row[c] is None for c in RECORD_COLUMNS), (line, row)
                continue
            assert row["reject_reason"] is None, (fmt, line, row["reject_reason"])
            got = {c: row[c] for c in RECORD_COLUMNS}
            got["timestamp"] = got["timestamp"].astimezone(timezone.utc)
            assert got == want, (fmt, line)
