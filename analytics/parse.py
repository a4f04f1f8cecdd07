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
* Control characters are field characters like any other (U+0001 included): real servers
  escape them, but a line that holds one is still a valid line.

Rejected lines keep every parsed column null and carry a ``reject_reason``:
``blank``, ``wrapped in quotes``, ``no match``, ``truncated``,
``bad timestamp``, ``no status``, ``bad status``, ``bad size``, ``trailing garbage``.

Parsing is one call per line of a Java function, ``analytics/jvm/AccessLineParser.java``
(a Spark UDF, built by ``make install``), which scans the line once, left to right. It
took the place of an anchored regex and about forty column expressions, with the same
rules, because one pass per line is cheaper than forty. The reason of a reject is worked out in Spark, by regexes, only for rejected lines.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .columns import RECORD_COLUMNS  # noqa: E402  (part of this module's interface)

_PARSER_UDF = "log_analytics_parse_line"

_TS = r"\d{2}/[A-Za-z]{3}/[1-9]\d{3}:\d{2}:\d{2}:\d{2} [+-]\d{4}"

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


def parse(lines: DataFrame, column: str = "value") -> DataFrame:
    """Parse a DataFrame of raw log lines, one line per row.

    ``lines[column]`` holds one raw line (it may end in ``\\r``, hold U+FFFD from invalid
    UTF-8, or be empty). Returns every input column, in order, followed by the parsed
    columns :data:`RECORD_COLUMNS` (host, ident, user: string; timestamp: timestamp;
    date: date; hour: int; method, endpoint, protocol: string; status: int;
    content_size: long; referrer, user_agent: string) and ``reject_reason`` (string, null
    for a valid line). Exactly one output row per input row; a rejected row has every
    parsed column null. No I/O and no Python UDF, safe under ANSI mode; it registers the
    JVM parser in the session (:func:`_register_parser`).
    """
    p = F.col("__parsed")
    with_parsed = lines.select("*", F.call_udf(_register_parser(lines.sparkSession), F.col(column)).alias("__parsed"))
    columns = {name: p[name] for name in RECORD_COLUMNS}
    columns.update(timestamp=F.timestamp_seconds(p["epoch_second"]), date=F.date_from_unix_date(p["epoch_day"]))
    line = F.coalesce(_line(column), F.lit(""))
    return with_parsed.select(
        *[F.col(c) for c in lines.columns],
        *[e.alias(n) for n, e in columns.items()],
        F.when(p["epoch_second"].isNull(), _reason(line, p["matched"])).alias("reject_reason"),
    )


def _register_parser(spark) -> str:
    """Register the JVM line parser (analytics/jvm/AccessLineParser.java, built by `make
    install`) in ``spark``, putting its jar on the classpath first; its SQL name. Through
    Spark Connect the jar is on the server's classpath (`make connect`), and the parser's
    result type is asked of it in SQL."""
    from .session import JVM_JAR, PARSER_CLASS, add_jars, is_remote

    if is_remote(spark):
        schema = spark.sql(f"SELECT reflect('{PARSER_CLASS}', 'schema')").first()[0]
    else:
        parser = add_jars(spark, [str(JVM_JAR)], PARSER_CLASS) if JVM_JAR.is_file() else None
        if parser is None:
            raise RuntimeError(f"the line parser is missing ({JVM_JAR}): run `make install` to build it")
        schema = parser.getField("SCHEMA").get(None)
    spark.udf.registerJavaFunction(_PARSER_UDF, PARSER_CLASS, schema)
    return _PARSER_UDF


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
