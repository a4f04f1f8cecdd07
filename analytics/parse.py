"""Parse raw access-log lines into typed records, in the format ``--log-format`` names
(:mod:`analytics.formats`): the Common/Combined family, the rules below, by default.

A Common/Combined line is *valid* when the whole line is a Common Log Format entry::

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
* The request is split on spaces: ``method`` is the first word when it is an HTTP token
  (letters, digits, ``!#$%&'*+-.^_`|~``; a TLS handshake's ``\\x16\\x03`` is no method:
  null), ``protocol`` the last word
  when there are at least three words and it starts with ``HTTP/``, ``endpoint`` is what
  lies between (it may contain spaces). ``"GET /"`` has no protocol. A request of ``-``
  or empty gives null method, endpoint and protocol; a one-word request is a method only.
* status is exactly three digits; bytes is ``-`` (null ``content_size``) or 1-15 digits
  (so sums of squares can never overflow ``decimal(38,0)`` in practice).
* ``referrer`` and ``user_agent`` are null for Common lines.
* Control characters are field characters like any other (U+0001 included): real servers
  escape them, but a line that holds one is still a valid line.

Rejected lines keep every parsed column null and carry a ``reject_reason``:
``blank``, ``header`` (W3C's and CloudFront's ``#`` lines), ``wrapped in quotes``,
``not <format>`` (a line of another format), ``truncated``, ``bad time served``,
``bad timestamp``, ``no status``, ``bad status``, ``bad size``, ``trailing garbage``.

Every other format is a list of fields and the text between them (an Apache ``LogFormat``
or nginx ``log_format`` string); its rules are those of ``analytics/jvm/LogFormat.java``
(the README's "Your log's format" lists what each directive becomes). In short: a field
ends where the text after it starts, or at whitespace; a field between double quotes ends
at the next quote no backslash escapes; the line may go on after its last field, after
whitespace; a virtual host's trailing ``:port`` is the port; ``time_served_us`` is in
microseconds (AWS's ``-1`` is null); W3C, CloudFront, AWS and epoch times are UTC.

Parsing is one call per line of a Java function (a Spark UDF, built by ``make install``)
that scans the line once, left to right: ``analytics/jvm/AccessLineParser.java`` for the
Common/Combined family, ``FormatParser.java`` for the others, over the format compiled
once per JVM. For Common/Combined, the reason of a reject is worked out in Spark, by
regexes, only for rejected lines; the format parser gives its own.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .columns import RECORD_COLUMNS  # noqa: E402  (part of this module's interface)
from .errors import UsageError
from .formats import AUTO, DETECTION_ORDER, NAMED, LogFormat, resolve

_PARSER_UDF = "log_analytics_parse_line"
_FORMAT_UDF = "log_analytics_parse_format"
#: what ``auto`` parses by when no named format reads a log's first lines
FALLBACK = "combined"

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


def _reason(line: Column, matched: Column, name: str) -> Column:
    """Why a line was rejected by the Common/Combined parser (evaluated for rejects only:
    CASE WHEN is lazy); ``name`` is the format's, for a line of another format."""
    other = f"not {name}"
    return (
        F.when(line.rlike(r"^\s*$"), "blank")
        .when(line.startswith('"'), "wrapped in quotes")
        .when(matched, "bad timestamp")           # the shape is right, the instant is not
        .when(~line.rlike(_HEAD), other)
        .when(line.rlike(_HEAD + r"[^\]]*\z"), "truncated")
        .when(~line.rlike(_HEAD + r"[^\]]*\] "), other)
        .when(~line.rlike(_HEAD + _TS + r"\] "), "bad timestamp")
        .when(~line.rlike(_REQ_DONE), "truncated")
        .when(line.rlike(_REQ_DONE + r"\s*\z"), "truncated")
        .when(line.rlike(_REQ_DONE + r" \S+\s*\z"), "no status")
        .when(~line.rlike(_STATUS_OK), "bad status")
        .when(~line.rlike(_SIZE_OK), "bad size")
        .when(line.rlike(_OPEN_QUOTE_TAIL), "truncated")
        .otherwise("trailing garbage")
    )


def parse(lines: DataFrame, column: str = "value", log_format: str = "combined") -> DataFrame:
    """Parse a DataFrame of raw log lines, one line per row, in ``log_format``: a name of
    :data:`analytics.formats.NAMED` or a pasted Apache/nginx format line
    (:func:`analytics.formats.resolve`; ``auto`` is resolved by :func:`detect_format` first).

    ``lines[column]`` holds one raw line (it may end in ``\\r``, hold U+FFFD from invalid
    UTF-8, or be empty). Returns every input column, in order, followed by the parsed
    columns :data:`RECORD_COLUMNS` (host, ident, user: string; timestamp: timestamp;
    date: date; hour: int; method, endpoint, protocol: string; status: int;
    content_size: long; referrer, user_agent, vhost: string; port: int;
    time_served_us: long; forwarded_for: string) and ``reject_reason`` (string, null
    for a valid line). Exactly one output row per input row; a rejected row has every
    parsed column null. No I/O and no Python UDF, safe under ANSI mode; it registers the
    JVM parsers in the session (:func:`_register_parser`).
    """
    fmt = resolve(log_format)
    p = F.col("__parsed")
    line = F.coalesce(_line(column), F.lit(""))
    if fmt.spec is None:
        parsed = F.call_udf(_register_parser(lines.sparkSession, _PARSER_UDF), F.col(column))
        reason = F.when(p["epoch_second"].isNull(), _reason(line, p["matched"], fmt.name))
    else:
        parsed = F.call_udf(_register_parser(lines.sparkSession, _FORMAT_UDF), F.col(column), F.lit(fmt.spec))
        reason = F.when(p["reason"] == "not", F.lit(f"not {fmt.name}")).otherwise(p["reason"])
    derived = {"timestamp": F.timestamp_seconds(p["epoch_second"]), "date": F.date_from_unix_date(p["epoch_day"])}

    def field(name: str) -> Column:
        if name in derived:
            return derived[name]
        if fmt.spec is None and name in _NOT_IN_CLF:
            return F.lit(None).cast(_NOT_IN_CLF[name])
        return p[name]

    return lines.select("*", parsed.alias("__parsed")).select(
        *[F.col(c) for c in lines.columns],
        *[field(n).alias(n) for n in RECORD_COLUMNS],
        reason.alias("reject_reason"),
    )


# the record columns the Common/Combined family never has, with their types
_NOT_IN_CLF = {"vhost": "string", "port": "int", "time_served_us": "bigint", "forwarded_for": "string"}


def _register_parser(spark, udf: str) -> str:
    """Register one of the JVM line parsers (analytics/jvm/, built by `make install`) in
    ``spark`` under its SQL name ``udf`` (:data:`_PARSER_UDF`, the Common/Combined parser;
    :data:`_FORMAT_UDF`, the one that reads any other format by its spec), putting their
    jar on the classpath first; ``udf``. Through Spark Connect the jar is on the server's
    classpath (`make connect`), and the parser's result type is asked of it in SQL."""
    from .session import FORMAT_PARSER_CLASS, JVM_JAR, PARSER_CLASS, add_jars, is_remote

    cls = PARSER_CLASS if udf == _PARSER_UDF else FORMAT_PARSER_CLASS
    if is_remote(spark):
        schema = spark.sql(f"SELECT reflect('{cls}', 'schema')").first()[0]
    else:
        parser = add_jars(spark, [str(JVM_JAR)], cls) if JVM_JAR.is_file() else None
        if parser is None:
            raise RuntimeError(f"the line parser is missing ({JVM_JAR}): run `make install` to build it")
        schema = parser.getField("SCHEMA").get(None)
    spark.udf.registerJavaFunction(udf, cls, schema)
    return udf


def check_format(spark, log_format: str) -> LogFormat:
    """``log_format`` resolved (:func:`analytics.formats.resolve`) and compiled once by the
    JVM, so that a directive it cannot read is one clear line at start
    (:class:`UsageError` naming it), not a failed batch."""
    fmt = resolve(log_format)
    if fmt.spec is not None:
        _register_parser(spark, _FORMAT_UDF)
        from .session import FORMAT_PARSER_CLASS
        problem = spark.sql(f"SELECT reflect('{FORMAT_PARSER_CLASS}', 'check', :spec)",
                            args={"spec": fmt.spec}).first()[0]
        if problem:
            raise UsageError(f"--log-format: {problem}")
    return fmt


def choose_format(spark, log_format: str, first_lines) -> tuple[str, str]:
    """The format to parse by, for ``--log-format log_format``, and the line to print once
    about it (``log format: vcombined (detected)``). ``first_lines``: a function giving the
    log's first lines, called only for ``auto``, whose detection falls back to Combined
    when no named format reads them. Raises :class:`UsageError` for a format that cannot
    be read (:func:`check_format`)."""
    if log_format.strip().lower() != AUTO:
        return log_format, f"log format: {check_format(spark, log_format).name}"
    found = detect_format(spark, first_lines())
    if found is None:
        return FALLBACK, f"log format: {FALLBACK} (no named format reads the first lines)"
    return found, f"log format: {found} (detected)"


def detect_format(spark, sample: list[str]) -> str | None:
    """The named format (:data:`analytics.formats.DETECTION_ORDER`) that reads the most
    lines of ``sample`` (a log's first lines, say 100), None when none reads any. Blank
    lines and ``#`` header lines are left out. A tie goes to the format with more fields;
    of Common and Combined, to Combined when at least half the records have a user agent.
    One small Spark job: every format's parser on every line of the sample."""
    sample = [line for line in sample if line.strip() and not line.startswith("#")]
    if not sample:
        return None
    clf_udf, format_udf = _register_parser(spark, _PARSER_UDF), _register_parser(spark, _FORMAT_UDF)
    value = F.col("value")
    clf = F.call_udf(clf_udf, value)
    counts = [F.count(clf["epoch_second"]).alias("combined"), F.count(clf["user_agent"]).alias("agents")]
    counts += [F.count(F.call_udf(format_udf, value, F.lit(NAMED[name]))["epoch_second"]).alias(name)
               for name in DETECTION_ORDER if NAMED[name] is not None]
    row = spark.createDataFrame([(line,) for line in sample], "value string").agg(*counts).first()
    read = {name: row[name] for name in DETECTION_ORDER if name != "common"}
    best = max(read.values())
    if best == 0:
        return None
    name = next(n for n in DETECTION_ORDER if read.get(n) == best)
    return "common" if name == "combined" and row["agents"] * 2 < best else name


def reject_warning(spark, log_format: str, lines: int, rejected: int, sample: list[str]) -> str | None:
    """The warning line to print when more than half of a batch's ``lines`` were
    ``rejected`` under ``log_format`` (as given to :func:`parse`), else None. ``sample``:
    some of the rejected lines (their raw text, say 100; :func:`rejected_sample`); the
    warning names the format :func:`detect_format` finds in them, when it finds one."""
    if rejected * 2 <= lines:
        return None
    name = resolve(log_format).name
    head = f"warning: {rejected:,} of {lines:,} lines rejected as not {name}"
    found = detect_format(spark, sample)
    if found is None or found == name:
        return f"{head}; no named format reads them either: paste your server's format line with --log-format"
    return f"{head}; they look like {found}: --log-format {found}"


def rejected_sample(parsed: DataFrame, column: str = "value", n: int = 100) -> list[str]:
    """Up to ``n`` raw rejected lines of :func:`parse` output, for :func:`reject_warning`."""
    return [r[0] for r in parsed.where(F.col("reject_reason").isNotNull()).select(column).limit(n).collect()]


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
