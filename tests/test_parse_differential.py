"""The parser against the independent pure-Python reference (tests/reference.py), line by
line, on lines drawn by Hypothesis: near-misses of every field of the log format, each
possibly cut short or with a stray character put in, so that both valid lines and every
kind of reject come up. Both must agree on which lines are records and on every field."""

import sys
from datetime import timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402

from analytics.parse import RECORD_COLUMNS, parse  # noqa: E402

# the characters the format gives a meaning to, and a few it does not
TRICKY = ' "\\\x01\t\r\n[]-/:+09aHTP\u00e9\U0001F600'


def text(max_size: int = 4):
    return st.text(alphabet=TRICKY, max_size=max_size)


def two_digits(lo: int, hi: int):
    return st.integers(lo, hi).map(lambda n: f"{n:02d}")


def mostly(usual, unusual):
    """``usual`` four times in five, else ``unusual``: most drawn lines stay valid."""
    return st.integers(0, 4).flatmap(lambda k: usual if k else unusual)


def timestamp(day, month, year, hour, minute, second, sign, offset_hours, offset_minutes):
    return st.builds(lambda *p: "{}/{}/{}:{}:{}:{} {}{}{}".format(*p), day, month, year, hour,
                     minute, second, sign, offset_hours, offset_minutes)


FIELD = mostly(st.sampled_from(["h", "titan02f", "2001:db8::1", 'a"b', "-", "frank", "h\u00e9"]),
               st.just('"q') | text())
TIMESTAMP = mostly(
    timestamp(two_digits(1, 28), st.sampled_from(["Jan", "feb", "MAR", "aPr", "Dec"]),
              st.integers(1000, 9999).map(str), two_digits(0, 23), two_digits(0, 59),
              two_digits(0, 59), st.sampled_from("+-"), two_digits(0, 18), two_digits(0, 59)),
    timestamp(two_digits(0, 39), st.sampled_from(["Feb", "Jun", "Jux", "Ja", "S3p"]),
              st.integers(900, 9999).map(lambda n: f"{n:04d}"), two_digits(0, 29), two_digits(0, 69),
              two_digits(0, 69), st.sampled_from("+-*"), two_digits(0, 25), two_digits(0, 69))
    | text(8))
WORD = mostly(st.sampled_from(["GET", "/", "/a", '/a\\"b', "HTTP/1.0", "HTTP/", "", "-"]),
              st.sampled_from(["\\", "\\\\"]) | text(3))
REQUEST = st.lists(WORD, max_size=5).map(" ".join)
STATUS = mostly(st.sampled_from(["200", "404", "304"]), st.sampled_from(["2000", "20", "abc", "-"]))
SIZE = mostly(st.sampled_from(["-", "0", "1839", "1" * 15]), st.sampled_from(["1" * 16, "--", "", "12a"]))
QUOTED = mostly(st.sampled_from(["-", "http://x/", "Mozilla/5.0 (X)", 'a \\"b\\" c', ""]),
                st.just("\\") | text())
COMBINED = st.just("") | st.builds(lambda r, a: f' "{r}" "{a}"', QUOTED, QUOTED)
TAIL = mostly(st.sampled_from(["", "\r"]), st.sampled_from([" ", "\t", ' "-"', "x", " \x01", "  \r", "\r\r"]))


@st.composite
def log_line(draw) -> str:
    line = (f"{draw(FIELD)} {draw(FIELD)} {draw(FIELD)} [{draw(TIMESTAMP)}] \"{draw(REQUEST)}\" "
            f"{draw(STATUS)} {draw(SIZE)}{draw(COMBINED)}{draw(TAIL)}")
    damage = draw(st.sampled_from(["none"] * 6 + ["cut", "insert"]))
    if damage != "none":
        at = draw(st.integers(0, len(line)))
        line = line[:at] if damage == "cut" else line[:at] + draw(text(1)) + line[at:]
    return line


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(log_line(), min_size=1, max_size=60))
def test_parser_agrees_with_the_reference(spark, lines):
    rows = parse(spark.createDataFrame([(line,) for line in lines], "value string")).collect()
    assert len(rows) == len(lines)
    for line, row in zip(lines, rows):
        want = reference.parse_line(line)
        if want is None:
            assert row["reject_reason"] is not None, (line, row)
            assert all(row[c] is None for c in RECORD_COLUMNS), (line, row)
            continue
        assert row["reject_reason"] is None, (line, row["reject_reason"])
        got = {c: row[c] for c in RECORD_COLUMNS}
        got["timestamp"] = got["timestamp"].astimezone(timezone.utc)
        assert got == want, line
