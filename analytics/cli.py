"""Command line: ``python -m analytics run|report`` (batch mode and the report)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from urllib.parse import urlparse

DEFAULT_OUTPUT = "hdfs://127.0.0.1:9000/log_analytics"


class UserError(Exception):
    """An error the user can fix; printed as one line, exit status 2."""


def _env(name: str, default=None):
    return os.environ.get(name, default)


def _truthy(s: str | None) -> bool:
    return (s or "").strip().lower() in ("1", "true", "yes", "on")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Web access-log analytics (NCSA Common/Combined Log Format) on Spark.",
        epilog="Also read from the environment: LOG_ANALYTICS_DRIVER_MEMORY (Spark driver "
               "memory, default 2g); LOG_ANALYTICS_SERVICE=off (run in this process even when "
               "`python -m analytics serve` is running). `python -m analytics COMMAND --help` "
               "explains each flag.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{run,report,compact,serve,dashboard}")

    def output_flag(sp):
        sp.add_argument(
            "--output", default=_env("LOG_ANALYTICS_OUTPUT", DEFAULT_OUTPUT), metavar="URI",
            help="output directory: file://, hdfs:// or a local path "
                 "(env LOG_ANALYTICS_OUTPUT; default %(default)s)",
        )
        sp.add_argument(
            "--master", default=_env("LOG_ANALYTICS_MASTER", "local[2]"),
            help="Spark master (env LOG_ANALYTICS_MASTER; default %(default)s)",
        )

    run = sub.add_parser(
        "run", help="batch mode: parse log files, compute the ten analytics, write the output",
        description="Parse plain or .gz log files once, compute all ten analytics and write "
                    "the per-day state <out>/state/, <out>/records/ and <out>/rejects/ "
                    "as Parquet. Prints one summary line.",
    )
    run.add_argument("files", nargs="+", metavar="FILE", help="log files, plain or .gz (local paths or URIs)")
    output_flag(run)
    run.add_argument(
        "--overwrite", action="store_true", default=_truthy(_env("LOG_ANALYTICS_OVERWRITE")),
        help="replace the state/, records/, rejects/ and batches/ of an existing output "
             "instead of refusing (env LOG_ANALYTICS_OVERWRITE=1)",
    )

    rep = sub.add_parser(
        "report", help="print the report from the totals at the output",
        description="Read the per-day state back and print every analytic, over the whole "
                    "history or over a range of days (the log's own local calendar dates). Rejected "
                    "lines have no date: their count is always over the whole input.",
    )
    output_flag(rep)
    rep.add_argument("--from", dest="first", type=_date, default=_env("LOG_ANALYTICS_FROM"), metavar="YYYY-MM-DD",
                     help="first day of the range, inclusive (env LOG_ANALYTICS_FROM; default: the first day)")
    rep.add_argument("--to", dest="last", type=_date, default=_env("LOG_ANALYTICS_TO"), metavar="YYYY-MM-DD",
                     help="last day of the range, inclusive (env LOG_ANALYTICS_TO; default: the last day)")
    rep.add_argument(
        "--format", choices=("table", "json", "html"), default=_env("LOG_ANALYTICS_FORMAT", "table"),
        help="readable tables, JSON, or html: one self-contained page of charts and tables that "
             "opens from disk with no network (env LOG_ANALYTICS_FORMAT; default %(default)s)",
    )
    rep.add_argument("-o", "--out", metavar="FILE", default=None,
                     help="write the report to FILE instead of standard output")
    rep.add_argument(
        "--top", type=int, default=_env("LOG_ANALYTICS_TOP"), metavar="N",
        help="length of every ranked list (hosts, endpoints, 404 endpoints/hosts); default "
             "10 hosts, 20 endpoints, 10 error endpoints, 20 for the 404 lists. Daily and "
             "hourly series are always complete (env LOG_ANALYTICS_TOP)",
    )
    comp = sub.add_parser(
        "compact", help="rewrite the records of closed days as a few files each",
        description="Each batch writes its records of a day to a folder of its own. Once a day is "
                    "closed, this rewrites its records as a few files (about 256 MB each) and deletes "
                    "the batch folders, safely while a stream runs. A day is closed when no batch has "
                    "written to it for --idle-minutes, or when named with --day. The newest committed "
                    "batch is never compacted: a stream may still replay it.",
    )
    output_flag(comp)
    comp.add_argument("--day", action="append", type=_date, metavar="YYYY-MM-DD",
                      help="compact this day now, however recently it was written (repeatable); "
                           "default: every day idle for --idle-minutes")
    comp.add_argument("--idle-minutes", type=float, default=float(_env("LOG_ANALYTICS_IDLE_MINUTES", "60")),
                      metavar="M", help="a day is closed once no batch has written to it for M minutes "
                                        "(env LOG_ANALYTICS_IDLE_MINUTES; default %(default)g)")
    serve = sub.add_parser(
        "serve", help="keep a warm Spark driver that runs `run`, `report` and the stream for other commands",
        description="Start a Spark driver, warm it up on the bundled sample, then run every "
                    "`python -m analytics run|report` and `python spark_stream.py` of this checkout "
                    "in it (127.0.0.1 only, one at a time; a command that comes while it is busy "
                    "runs in its own process) until SIGTERM or Ctrl-C. A run of 2M lines took 9-14 s "
                    "there, 21-23 s in its own process, on 2 cores. Commands run in their own "
                    "process when no service answers.",
    )
    serve.add_argument(
        "--master", default=_env("LOG_ANALYTICS_MASTER", "local[2]"),
        help="Spark master (env LOG_ANALYTICS_MASTER; default %(default)s)",
    )
    serve.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: any free port)")
    dash = sub.add_parser(
        "dashboard", help="serve a live web page of the ten analytics (read-only, 127.0.0.1)",
        description="Serve one web page with every analytic as charts and tables, the stream's "
                    "recent batches, and a date-range picker. It updates itself once each committed "
                    "batch's totals are read (seconds), without a reload. Read-only: it never "
                    "writes to the output. "
                    "GET /api/report?from=&to=&top= returns what `report --format json` prints.",
    )
    output_flag(dash)
    dash.add_argument("--host", default=_env("LOG_ANALYTICS_DASHBOARD_HOST", "127.0.0.1"),
                      help="address to listen on (env LOG_ANALYTICS_DASHBOARD_HOST; default %(default)s: "
                           "this machine only; anything else exposes the page and prints a warning)")
    dash.add_argument("--port", type=int, default=_env("LOG_ANALYTICS_DASHBOARD_PORT", "8050"),
                      help="TCP port, 0 for any free one (env LOG_ANALYTICS_DASHBOARD_PORT; default %(default)s)")
    return p


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date of the form YYYY-MM-DD: {text!r}") from None


def _forwarded(args) -> list[str]:
    """The command line the service runs for ``args``: every setting explicit, local
    paths absolute (the service has its own working folder and environment)."""
    from .service import absolute

    if args.command == "run":
        return ["run", *[absolute(f) for f in args.files], "--output", absolute(args.output),
                *(["--overwrite"] if args.overwrite else [])]
    return ["report", "--output", absolute(args.output), "--format", args.format,
            *(["--out", os.path.abspath(args.out)] if args.out else []),
            *(["--top", str(args.top)] if args.top is not None else []),
            *(["--from", args.first.isoformat()] if args.first else []),
            *(["--to", args.last.isoformat()] if args.last else [])]


def _is_local(uri: str) -> bool:
    return urlparse(uri).scheme in ("", "file")


def _local_path(uri: str) -> str:
    u = urlparse(uri)
    return u.path if u.scheme == "file" else uri


def cmd_run(args) -> int:
    from . import parse as P, state, store
    from .batch import write_batch
    from .missing_values import ANALYTIC as MISSING
    from .session import spark_session
    from pyspark import StorageLevel

    for f in args.files:
        if _is_local(f) and not os.path.isfile(_local_path(f)):
            raise UserError(f"no such file: {f}")
    started = time.monotonic()
    spark = spark_session("log-analytics-run", args.master)
    for f in args.files:
        if not _is_local(f) and not store.exists(spark, f):
            raise UserError(f"no such file: {f}")
    out = args.output
    layout = [state.STATE, store.RECORDS, store.REJECTS, store.BATCHES]
    present = [d for d in layout if store.exists(spark, store.join(out, d))]
    if present and not args.overwrite:
        raise UserError(f"output {out} already holds {', '.join(present)}; pass --overwrite to replace it")
    for d in present:
        store.delete(spark, store.join(out, d))

    cached = P.for_cache(P.parse(P.read_lines(spark, args.files))).persist(StorageLevel.MEMORY_AND_DISK_DESER)
    cached.count()  # build the cache once, before the writers share it
    partials = write_batch(cached, out, 0)
    cached.unpersist()
    lines = MISSING.lines(partials[MISSING.name])
    seconds = time.monotonic() - started
    rate = lines["total"] / seconds if seconds else 0.0
    print(
        f"lines={lines['total']} records={lines['records']} rejects={lines['rejected']} "
        f"seconds={seconds:.1f} lines/s={rate:,.0f} output={out}"
    )
    return 0


def check_range(top, first, last, names=("--top", "--from", "--to")):
    """``(top, first, last)`` checked and converted (strings from the environment or a
    query string: a whole number >= 1, dates YYYY-MM-DD, first <= last; None or "" stays
    None). Raises UserError with a readable message; ``names`` are what the message calls
    the three (flags here, query parameters in the dashboard)."""
    top_name, first_name, last_name = names
    if top == "":
        top = None
    if top is not None:
        try:
            top = int(top)
        except ValueError:
            raise UserError(f"{top_name} must be a whole number, not {top!r}") from None
        if top < 1:
            raise UserError(f"{top_name} must be at least 1")
    days = []
    for name, day in ((first_name, first), (last_name, last)):
        if day == "":
            day = None
        if isinstance(day, str):  # from the environment or a URL: not checked by argparse
            try:
                day = _date(day)
            except argparse.ArgumentTypeError as e:
                raise UserError(f"{name}: {e}") from None
        days.append(day)
    first, last = days
    if first and last and first > last:
        raise UserError(f"{first_name} {first} is after {last_name} {last}")
    return top, first, last


def cmd_report(args) -> int:
    from . import report as R, state
    from .session import spark_session

    args.top, args.first, args.last = check_range(args.top, args.first, args.last)
    spark = spark_session("log-analytics-report", args.master)
    totals = state.read_totals(spark, args.output, args.first, args.last)
    if not totals:
        raise UserError(f"no totals at {args.output} (run `python -m analytics run` or the stream first)")
    rep = R.build(totals, args.top, args.first, args.last)
    if args.format == "html":
        from .dashboard import html_report
        text = html_report(spark, args.output, rep)
    else:
        text = R.to_json(rep) if args.format == "json" else R.to_table(rep)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"report: wrote {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_compact(args) -> int:
    from .compact import compact
    from .session import spark_session

    spark = spark_session("log-analytics-compact", args.master)
    days = [d.isoformat() for d in args.day] if args.day else None
    removed = compact(spark, args.output, 0 if days else args.idle_minutes * 60, days)
    print(f"compact: {removed} batch folders of records removed at {args.output}")
    return 0


def main(argv: list[str] | None = None, standalone: bool = False) -> int:
    """Run one command; ``run`` and ``report`` go to `python -m analytics serve` when it
    is running with the same Spark master, unless ``standalone``."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from .service import serve
        return serve(args.master, args.port)
    if args.command == "dashboard":
        from .dashboard import serve as serve_dashboard
        try:
            return serve_dashboard(args.output, args.host, args.port, args.master)
        except UserError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        except Exception as e:  # Spark failures: one line, no Java trace
            print(f"error: {_one_line(e)}", file=sys.stderr)
            return 1
    if args.command != "compact" and not standalone and _env("LOG_ANALYTICS_SERVICE", "").lower() != "off":
        from .service import submit
        code = submit(_forwarded(args), args.master)
        if code is not None:
            return code
    try:
        return {"run": cmd_run, "report": cmd_report, "compact": cmd_compact}[args.command](args)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # Spark/Hadoop failures: one line, no Java trace
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 1


def _one_line(e: Exception) -> str:
    """The first line of an error, or of the Java exception behind a Py4J error."""
    java = getattr(e, "java_exception", None)
    text = str(java.toString()) if java is not None else f"{type(e).__name__}: {e}"
    first = (text.strip().splitlines() or [type(e).__name__])[0]
    return first[:400]
