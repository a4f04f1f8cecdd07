"""Parse raw access-log lines (NCSA Common and Combined Log Format) into typed records.

A line is *valid* when the whole line is a Common Log Format entry::

    host ident authuser [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes

optionally followed by Combined's quoted referrer and user agent, which may themselves
be followed by any further fields (nginx adds some, e.g. ``"$http_x_forwarded_for"``).
Trailing whitespace is allowed. Fields are separated by single spaces. Quoted fields
may contain backslash escapes (``\\"``); the text is kept as written (not unescaped).

Rules, in detail:

* One trailing ``\\r`` is stripped (CRLF files). A line that starts with ``"`` is
  rejected as ``wrapped in quotes``: the ocatak scanner logs wrap every line in an extra
  pair of quotes (a CSV export), and such a line is not a log entry as written.
* host, ident and authuser are runs of non-space characters (hosts without a dot and
  IPv6 addresses are fine). They are kept as written: ``-`` stays ``-``.
* The timestamp must look like ``dd/Mon/yyyy:HH:MM:SS +zzzz`` (month name in any case,
  year 1000-9999) and be a real instant (``32/Jul``, ``31/Jun``, ``24:00:00``, offsets
  beyond +-18:00 are ``bad timestamp``). ``timestamp`` is the true instant (offset
  applied); ``date`` and ``hour`` are the local wall clock as written in the line.
* The request is split on spaces: ``method`` is the first word, ``protocol`` the last word
  when there are at least three words and it starts with ``HTTP/``, ``endpoint`` is what
  lies between (it may contain spaces). ``"GET /"`` has no protocol. A request of ``-``
  or empty gives null method, endpoint and protocol; a one-word request is a method only.
* status is exactly three digits; bytes is ``-`` (null ``content_size``) or 1-15 digits
  (so sums of squares can never overflow ``decimal(38,0)`` in practice).
* ``referrer`` and ``user_agent`` are null for Common lines.
* U+0001 may not appear in the parsed fields (it is the internal field separator);
  such lines are rejected as ``control character``. Real servers escape control bytes.

Rejected lines keep every parsed column null and carry a ``reject_reason``:
``blank``, ``wrapped in quotes``, ``control character``, ``no match``, ``truncated``,
``bad timestamp``, ``no status``, ``bad status``, ``bad size``, ``trailing garbage``.

Parsing is one ``regexp_replace`` of the whole line by one anchored regex that rewrites a
match into its fields joined by U+0001, then one ``split``: one regex pass per valid line.
The reason of a reject is worked out only for rejected lines.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

SEP = "\u0001"

#: Parsed columns added by :func:`parse`, in order (``reject_reason`` follows them).
RECORD_COLUMNS = [
    "host", "ident", "user", "timestamp", "date", "hour", "method", "endpoint",
    "protocol", "status", "content_size", "referrer", "user_agent",
]

# --- the regular expressions (Java syntax; possessive quantifiers avoid backtracking) ---
_NS = r"[^\s\x01]"                                  # one field character
_QUOTED = r'((?:[^"\\\x01]++|\\.)*+)'               # content of a quoted field
_TS = r"\d{2}/[A-Za-z]{3}/[1-9]\d{3}:\d{2}:\d{2}:\d{2} [+-]\d{4}"
TS_FORMAT = "dd/MMM/yyyy:HH:mm:ss Z"

#: The one regex a valid line must match (groups: host, ident, user, time, request,
#: status, bytes, combined marker, referrer, user agent).
LINE_RE = (
    r"(?s)^([^\s\"\x01]" + _NS + r"*+) (" + _NS + r"++) (" + _NS + r"++) "
    r"\[(" + _TS + r")\] "
    r'"' + _QUOTED + r'" '
    r"(\d{3}) (\d{1,15}|-)"
    r'(?: (")' + _QUOTED + r'" "' + _QUOTED + r'"(?:\s.*)?)?'
    r"\s*\z"
)
_REPLACEMENT = "".join(SEP + "$" + str(i) for i in range(1, 11))

# Loose prefixes, used only to name the reason of a reject.
_Q_ANY = r'"(?:[^"\\]++|\\.)*+"'
_HEAD = r"(?s)^\S+ \S+ \S+ \["
_REQ_DONE = _HEAD + r"[^\]]*\] " + _Q_ANY
_STATUS_OK = _HEAD + r"[^\]]*\] " + _Q_ANY + r" \d{3}(?:\s|\z)"
_SIZE_OK = _HEAD + r"[^\]]*\] " + _Q_ANY + r" \S+ (?:\d{1,15}|-)(?:\s|\z)"
_OPEN_QUOTE_TAIL = _HEAD + r"[^\]]*\] " + _Q_ANY + r" \S+ \S+ " + r'(?:' + _Q_ANY + r' )?"(?:[^"\\]++|\\.)*+\z'


def _line(column: str) -> Column:
    """The raw line minus one trailing carriage return."""
    c = F.col(column)
    return F.when(c.endswith("\r"), F.substring(c, F.lit(1), F.length(c) - 1)).otherwise(c)


def _reason(line: Column, matched: Column) -> Column:
    """Why a line was rejected (evaluated for rejects only: CASE WHEN is lazy)."""
    return (
        F.when(line.rlike(r"^\s*$"), "blank")
        .when(line.startswith('"'), "wrapped in quotes")
        .when(matched, "bad timestamp")           # the shape is right, the instant is not
        .when(~line.rlike(_HEAD), "no match")
        .when(line.contains(SEP), "control character")
        .when(line.rlike(_HEAD + r"[^\]]*\z"), "truncated")
        .when(~line.rlike(_HEAD + r"[^\]]*\] "), "no match")
        .when(~line.rlike(_HEAD + _TS + r"\] "), "bad timestamp")
        .when(~line.rlike(_REQ_DONE), "truncated")
        .when(line.rlike(_REQ_DONE + r"\s*\z"), "truncated")
        .when(line.rlike(_REQ_DONE + r" \S+\s*\z"), "no status")
        .when(~line.rlike(_STATUS_OK), "bad status")
        .when(~line.rlike(_SIZE_OK), "bad size")
        .when(line.rlike(_OPEN_QUOTE_TAIL), "truncated")
        .otherwise("trailing garbage")
    )


def _request_words(req: Column) -> dict[str, Column]:
    """Byte-level pieces of the request, materialised once as columns."""
    first2 = F.substring_index(req, " ", 2)
    return {
        "__req": req,
        "__first": F.substring_index(req, " ", 1),
        "__last": F.substring_index(req, " ", -1),
        "__first2": first2,
        "__second": F.substring_index(first2, " ", -1),
    }


def _request_parts() -> tuple[Column, Column, Column]:
    """method, endpoint, protocol from the columns of :func:`_request_words`. The common
    shapes (one, two or three words) need only ``octet_length`` comparisons; longer
    requests (spaces in the URL) take the general, slower path."""
    req, first, last, first2, second = (F.col(c) for c in ("__req", "__first", "__last", "__first2", "__second"))
    size = F.octet_length
    empty = (req == "") | (req == "-")
    one_word = size(first) == size(req)
    two_words = ~one_word & (size(first2) == size(req))
    three_words = ~one_word & ~two_words & (size(first2) + 1 + size(last) == size(req))
    has_proto = ~one_word & ~two_words & last.startswith("HTTP/")  # >= 3 words
    rest = F.substring(req, F.length(first) + 2, F.lit(1 << 30))  # after the first space
    method = F.when(~empty, first)
    endpoint = (
        F.when(empty | one_word, None)
        .when(two_words, last)
        .when(three_words & has_proto, second)
        .when(has_proto, F.substring(rest, F.lit(1), F.length(rest) - F.length(last) - 1))
        .otherwise(rest)
    )
    protocol = F.when(~empty & has_proto, last)
    return F.nullif(method, F.lit("")), F.nullif(endpoint, F.lit("")), protocol


def parse(lines: DataFrame, column: str = "value") -> DataFrame:
    """Parse a DataFrame of raw log lines, one line per row.

    ``lines[column]`` holds one raw line (it may end in ``\\r``, hold U+FFFD from invalid
    UTF-8, or be empty). Returns every input column, in order, followed by the parsed
    columns :data:`RECORD_COLUMNS` (host, ident, user: string; timestamp: timestamp;
    date: date; hour: int; method, endpoint, protocol: string; status: int;
    content_size: long; referrer, user_agent: string) and ``reject_reason`` (string, null
    for a valid line). Exactly one output row per input row; a rejected row has every
    parsed column null. Pure: no I/O, no Python UDF, safe under ANSI mode.
    """
    mtc, arr = "__matched__", "__fields__"
    # Step 1: the one regex pass. The array is its own column so that every field below
    # reads it instead of re-running the regex; so is the line without its CR.
    step0 = lines.select("*", _line(column).alias("__line"))
    line = F.col("__line")
    step1 = step0.select("*", F.split(F.regexp_replace(line, LINE_RE, _REPLACEMENT), SEP, -1).alias(arr))
    fields = F.col(arr)
    f = lambda i: F.get(fields, i)  # noqa: E731  (NULL, not an error, past the end)
    words = _request_words(f(5))
    step1 = step1.select("*", *[e.alias(n) for n, e in words.items()])
    matched = (f(0) == "") & ~line.startswith(SEP) & (line != "")  # a match starts with SEP
    ts_text = f(4)
    ts = F.try_to_timestamp(ts_text, F.lit(TS_FORMAT))
    # Local wall clock = instant + offset; cheaper than parsing the text a second time.
    sign = F.when(F.substring(ts_text, 22, 1) == "-", -1).otherwise(1)
    offset = sign * (F.substring(ts_text, 23, 2).try_cast("int") * 3600 + F.substring(ts_text, 25, 2).try_cast("int") * 60)
    local_seconds = F.unix_seconds(ts) + offset
    method, endpoint, protocol = _request_parts()
    combined = f(8) == '"'
    parsed = {
        "host": f(1),
        "ident": f(2),
        "user": f(3),
        "timestamp": ts,
        "date": F.date_from_unix_date(F.floor(local_seconds / 86400).try_cast("int")),
        "hour": F.substring(ts_text, 13, 2).try_cast("int"),
        "method": method,
        "endpoint": endpoint,
        "protocol": protocol,
        "status": f(6).try_cast("int"),
        "content_size": F.when(f(7) != "-", f(7).try_cast("long")),
        "referrer": F.when(combined, f(9)),
        "user_agent": F.when(combined, f(10)),
    }
    step2 = step1.select(
        *[F.col(c) for c in lines.columns],
        line,
        matched.alias(mtc),
        *[expr.alias("__p_" + name) for name, expr in parsed.items()],
    )
    valid = F.col(mtc) & F.col("__p_timestamp").isNotNull()
    return step2.select(
        *[F.col(c) for c in lines.columns],
        *[F.when(valid, F.col("__p_" + n)).alias(n) for n in RECORD_COLUMNS],
        F.when(~valid, _reason(line, F.col(mtc))).alias("reject_reason"),
    )


def records(parsed: DataFrame, column: str = "value") -> DataFrame:
    """Valid rows of :func:`parse` output: the columns of :data:`RECORD_COLUMNS`, then any
    extra input columns (e.g. Kafka ``partition``, ``offset``); the raw ``column`` and
    ``reject_reason`` are dropped."""
    extra = [c for c in parsed.columns if c not in RECORD_COLUMNS and c not in (column, "reject_reason")]
    return parsed.where(F.col("reject_reason").isNull()).select(*RECORD_COLUMNS, *extra)


def rejects(parsed: DataFrame, column: str = "value") -> DataFrame:
    """Rejected rows of :func:`parse` output: ``line`` (the raw text, minus one trailing
    ``\\r``), ``reason`` (the ``reject_reason``), then any extra input columns."""
    extra = [c for c in parsed.columns if c not in RECORD_COLUMNS and c not in (column, "reject_reason")]
    return parsed.where(F.col("reject_reason").isNotNull()).select(
        _line(column).alias("line"), F.col("reject_reason").alias("reason"), *extra
    )


def for_cache(parsed: DataFrame, column: str = "value") -> DataFrame:
    """:func:`parse` output with the raw line kept for rejects only: what to cache
    when records, rejects and the analytics are all computed from it."""
    return parsed.withColumn(column, F.when(F.col("reject_reason").isNotNull(), F.col(column)))


def read_lines(spark, paths) -> DataFrame:
    """Read plain or gzip text files as one ``value`` row per ``\\n``-terminated line
    (a bare ``\\r`` never splits a line; :func:`parse` strips one trailing ``\\r``)."""
    if isinstance(paths, str):
        paths = [paths]
    return spark.read.option("lineSep", "\n").text(list(paths))
