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


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _map(pairs) -> Column:
    """A constant map column (built when called: a column needs an active session)."""
    return F.create_map(*[F.lit(x) for pair in pairs for x in pair])


def _with_timestamp(df: DataFrame, text: str) -> DataFrame:
    """``df`` plus ``__instant``, ``__date`` and ``__hour`` from the column ``text``, a
    ``dd/Mon/yyyy:HH:MM:SS +zzzz`` (the regex has fixed the width and the digits); all
    three null when it names no real instant (32/Jul, 29/Feb/1995, 24:00:00, +1900...).

    Taken apart by position: ``try_to_timestamp`` with a pattern cost more than all the
    rest of the parse. Few arithmetic operations, as each is overflow-checked under
    ANSI mode, and ``make_date`` only once the date is known to be real (it fails
    otherwise). Each step is its own projection so that Spark computes every piece once
    instead of inlining it into every use (a generated method too big to compile runs
    interpreted)."""
    t = F.col(text)

    def num(pos: int, length: int) -> Column:
        return F.substring(t, pos, length).cast("int")

    month = F.substring(t, 4, 3)
    pieces = df.select(
        "*", num(1, 2).alias("__d"), num(8, 4).alias("__y"), num(13, 2).alias("__h"),
        num(16, 2).alias("__mi"), num(19, 2).alias("__s"), num(25, 2).alias("__om"),
        (F.when(F.substring(t, 22, 1) == "-", -1).otherwise(1) * (num(23, 2) * 60 + num(25, 2))).alias("__off"),
        # the month as logs write it, else in lower case: lower() goes through ICU, slow per row
        F.coalesce(F.try_element_at(_map((m, i) for i, m in enumerate(_MONTHS, 1)), month),
                   F.try_element_at(_map((m.lower(), i) for i, m in enumerate(_MONTHS, 1)), F.lower(month))
                   ).alias("__mo"),
    )
    d, y, h, mi, sec, om, off, mo = (F.col(c) for c in ("__d", "__y", "__h", "__mi", "__s", "__om", "__off", "__mo"))
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = F.when((mo == 2) & leap, 29).otherwise(F.try_element_at(_map(enumerate(_DAYS_IN_MONTH, 1)), mo))
    real = ((d >= 1) & (d <= month_days) & (h < 24) & (mi < 60) & (sec < 60)
            & (om < 60) & (F.abs(off) <= 18 * 60))
    dated = pieces.select("*", F.when(real, F.unix_date(F.make_date(y, mo, d))).alias("__days"))
    days = F.col("__days")
    local_seconds = days.cast("long") * 86400 + (h * 3600 + mi * 60 + sec - off * 60)
    return dated.select(
        *df.columns,
        F.timestamp_seconds(local_seconds).alias("__instant"),
        F.date_from_unix_date(days).alias("__date"),
        F.when(days.isNotNull(), h).alias("__hour"),
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
    matched = (f(0) == "") & ~line.startswith(SEP) & (line != "")  # a match starts with SEP
    step1 = step1.select("*", *[e.alias(n) for n, e in words.items()],
                         F.when(matched, f(4)).alias("__ts"))  # f(4) is any text when not matched
    step1 = _with_timestamp(step1, "__ts")
    method, endpoint, protocol = _request_parts()
    combined = f(8) == '"'
    parsed = {
        "host": f(1),
        "ident": f(2),
        "user": f(3),
        "timestamp": F.col("__instant"),
        "date": F.col("__date"),
        "hour": F.col("__hour"),
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
