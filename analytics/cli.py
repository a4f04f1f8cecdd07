"""Command line: ``python -m analytics run|report`` (batch mode and the report)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from urllib.parse import urlparse

from . import environment
from .environment import text as _env
from .errors import UserError, fail

PROG = "python -m analytics"

DEFAULT_OUTPUT = "hdfs://127.0.0.1:9000/log_analytics"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Web access-log analytics (NCSA Common/Combined Log Format) on Spark.",
        epilog="Also read from the environment: LOG_ANALYTICS_DRIVER_MEMORY (Spark driver "
               "memory, default 2g). `python -m analytics COMMAND --help` explains each flag.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{run,report,compact,dashboard}")

    def output_flag(sp, spark=True):
        sp.add_argument(
            "--output", default=_env("LOG_ANALYTICS_OUTPUT", DEFAULT_OUTPUT), metavar="URI",
            help="output directory: file://, hdfs:// or a local path "
                 "(env LOG_ANALYTICS_OUTPUT; default %(default)s)",
        )
        if spark:
            sp.add_argument("--master", default=_env("LOG_ANALYTICS_MASTER", "local[2]"),
                            help="Spark master (env LOG_ANALYTICS_MASTER; default %(default)s)")

    run = sub.add_parser(
        "run", help="batch mode: parse log files, compute the ten analytics, write the output",
        description="Parse plain or .gz log files once, compute all ten analytics and write "
                    "the per-day state <out>/state/, <out>/records/ and <out>/rejects/ "
                    "as Parquet. Prints one summary line.",
    )
    run.add_argument("files", nargs="+", metavar="FILE", help="log files, plain or .gz (local paths or URIs)")
    output_flag(run)
    log_format_flag(run)
    run.add_argument(
        "--overwrite", action="store_true", default=environment.flag("LOG_ANALYTICS_OVERWRITE"),
        help="replace the state/, records/, rejects/, batches/, progress/ and _checkpoint/ of an existing output "
             "instead of refusing (env LOG_ANALYTICS_OVERWRITE=1)",
    )

    rep = sub.add_parser(
        "report", help="print the report from the totals at the output",
        description="Read the per-day state back (no Spark: pyarrow, and WebHDFS for hdfs://) and "
                    "print every analytic, over the whole "
                    "history or over a range of days (the log's own local calendar dates). Rejected "
                    "lines have no date: their count is always over the whole input.",
    )
    output_flag(rep, spark=False)
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
        "compact", help="rewrite the records of closed days, and old rejects, as a few files each",
        description="Each batch writes its records of a day to a folder of its own. Once a day is "
                    "closed, this rewrites its records as a few files (about 256 MB each) and deletes "
                    "the batch folders, safely while a stream runs. A day is closed when no batch has "
                    "written to it for --idle-minutes, or when named with --day. The newest committed "
                    "batch is never compacted: a stream may still replay it. Rejects have no date: those of "
                    "each full block of batches are folded the same way, into one folder.",
    )
    output_flag(comp)
    comp.add_argument("--day", action="append", type=_date, metavar="YYYY-MM-DD",
                      help="compact this day now, however recently it was written (repeatable); "
                           "default: every day idle for --idle-minutes")
    comp.add_argument("--idle-minutes", type=float, default=environment.number("LOG_ANALYTICS_IDLE_MINUTES", 60.0, float),
                      metavar="M", help="a day is closed once no batch has written to it for M minutes "
                                        "(env LOG_ANALYTICS_IDLE_MINUTES; default %(default)g)")
    dash = sub.add_parser(
        "dashboard", help="serve a live web page of the ten analytics (read-only, 127.0.0.1)",
        description="Serve one web page with every analytic as charts and tables, the stream's "
                    "recent batches, and a date-range picker. It updates itself once each committed "
                    "batch's totals are read (seconds), without a reload. Read-only: it never "
                    "writes to the output. "
                    "GET /api/report?from=&to=&top= returns what `report --format json` prints.",
    )
    output_flag(dash, spark=False)
    dash.add_argument("--host", default=_env("LOG_ANALYTICS_DASHBOARD_HOST", "127.0.0.1"),
                      help="address to listen on (env LOG_ANALYTICS_DASHBOARD_HOST; default %(default)s: "
                           "this machine only; anything else exposes the page and prints a warning)")
    dash.add_argument("--port", type=int, default=_env("LOG_ANALYTICS_DASHBOARD_PORT", "8050"),
                      help="TCP port, 0 for any free one (env LOG_ANALYTICS_DASHBOARD_PORT; default %(default)s)")
    return p


def log_format_flag(parser: argparse.ArgumentParser) -> None:
    """``--log-format``, shared by ``run`` and ``spark_stream.py``."""
    from .formats import AUTO, NAMED
    parser.add_argument(
        "--log-format", default=_env("LOG_ANALYTICS_LOG_FORMAT", AUTO), metavar="FORMAT",
        help=f"how the log's lines are written: {AUTO} (detect it from the first lines), a name "
             f"({', '.join(NAMED)}), or your server's own format line pasted as is: an Apache "
             f"LogFormat string (%%h %%l %%u %%t \"%%r\" %%>s %%b ...) or an nginx log_format string "
             f"($remote_addr - $remote_user [$time_local] ...) (env LOG_ANALYTICS_LOG_FORMAT; "
             f"default %(default)s)",
    )


def _date(text: str) -> dt.date:
    from .report import parse_day
    try:
        return parse_day(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _is_local(uri: str) -> bool:
    return urlparse(uri).scheme in ("", "file")


def _local_path(uri: str) -> str:
    u = urlparse(uri)
    return u.path if u.scheme == "file" else uri


def cmd_run(args) -> int:
    from . import parse as P
    from .storage import state, store
    from .batch import mostly_rejected, write_batch
    from .session import spark_session
    from pyspark import StorageLevel

    for f in args.files:
        if _is_local(f) and not os.path.isfile(_local_path(f)):
            raise UserError(f"no such file: {f}")
    started = time.monotonic()
    spark = spark_session("log-analytics-run", args.master)
    for f in args.files:
        if not _is_local(f) and not store.exists(f):
            raise UserError(f"no such file: {f}")
    out = args.output
    # a stream's checkpoint and progress too: a stream restarted on them would add
    # to totals it did not write
    layout = [state.STATE, store.RECORDS, store.REJECTS, store.BATCHES, store.PROGRESS, "_checkpoint"]
    present = [d for d in layout if store.exists(store.join(out, d))]
    if present and not args.overwrite:
        raise UserError(f"output {out} already holds {', '.join(present)}; pass --overwrite to replace it")
    for d in present:
        store.delete(store.join(out, d))

    raw = P.read_lines(spark, args.files)
    log_format, said = P.choose_format(spark, args.log_format, lambda: [r[0] for r in raw.limit(100).collect()])
    print(said, file=sys.stderr, flush=True)
    cached = P.for_cache(P.parse(raw, log_format=log_format)).persist(StorageLevel.MEMORY_AND_DISK_DESER)
    counted = write_batch(cached, out, 0)
    warning = mostly_rejected(cached, log_format, counted)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    cached.unpersist()
    seconds = time.monotonic() - started
    rate = counted.lines / seconds if seconds else 0.0
    print(
        f"lines={counted.lines} records={counted.records} rejects={counted.rejected} "
        f"seconds={seconds:.1f} lines/s={rate:,.0f} output={out}"
    )
    return 0


def cmd_report(args) -> int:
    from . import report as R
    from .storage import state

    args.top, args.first, args.last = R.check_range(args.top, args.first, args.last)
    totals = state.read_totals(args.output, args.first, args.last)
    if not totals:
        raise UserError(f"no totals at {args.output} (run `python -m analytics run` or the stream first)")
    rep = R.build(totals, args.top, args.first, args.last)
    if args.format == "html":
        from .dashboard import html_report
        text = html_report(args.output, rep)
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
    from .storage.compact import compact
    from .session import spark_session

    spark = spark_session("log-analytics-compact", args.master)
    days = [d.isoformat() for d in args.day] if args.day else None
    removed = compact(spark, args.output, 0 if days else args.idle_minutes * 60, days)
    print(f"compact: {removed} batch folders of records removed at {args.output}")
    return 0


def cmd_dashboard(args) -> int:
    from .dashboard import serve
    return serve(args.output, args.host, args.port)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return {"run": cmd_run, "report": cmd_report, "compact": cmd_compact,
                "dashboard": cmd_dashboard}[args.command](args)
    except Exception as e:  # a user's mistake, or Spark/Hadoop failing: one line, no Java trace
        return fail(PROG, e)
