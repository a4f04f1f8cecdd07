"""Build the Spark driver's class archive (``make install`` runs this).

A Spark driver loads thousands of classes before its first result; a JDK class data
sharing archive of them, mapped at start, cuts the start of every ``analytics run``,
``report``, stream and test session from about 5 s to 3 s. The archive is written by a
driver JVM when it exits, so a child process runs a small batch of every kind of work
(parse, cache, Parquet writes, aggregations to Arrow, the report) and this process
moves the archive into place only once it is complete. Without it everything still
works, only slower to start.

    python -m analytics.class_archive [--force]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import contextlib
import io
import tempfile
from pathlib import Path

from .session import CLASS_ARCHIVE

# One Common, one Combined line and one reject: every path of the parser runs.
SAMPLE = (
    '127.0.0.1 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245\n'
    '10.0.0.2 - bob [01/Jul/1995:00:00:06 -0400] "GET /404.html HTTP/1.0" 404 - "-" "curl/8"\n'
    'not a log line\n'
)


def _workload(archive: Path) -> None:
    """Run in the child: every kind of driver work, so that its classes get archived."""
    from . import cli, stream
    from .session import spark_session

    spark = spark_session("log-analytics-class-archive", archive_classes_to=archive)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp, "sample.log")
        log.write_text(SAMPLE)
        for argv in (["run", str(log), "--output", f"file://{tmp}/run"],
                     ["report", "--output", f"file://{tmp}/run", "--format", "json"]):
            with contextlib.redirect_stdout(io.StringIO()):
                if cli.main(argv) != 0:
                    raise RuntimeError(f"class archive: {argv[0]} of the sample failed")
        stream.warm_up(spark, str(log), f"file://{tmp}/stream", batches=2)


def build(force: bool = False) -> int:
    if CLASS_ARCHIVE.is_file() and not force:
        print(f"class archive: up to date ({CLASS_ARCHIVE})")
        return 0
    print(f"class archive: archiving the Spark driver's classes into {CLASS_ARCHIVE} ...", flush=True)
    partial = CLASS_ARCHIVE.with_name(CLASS_ARCHIVE.name + ".partial")
    partial.unlink(missing_ok=True)
    child = subprocess.run([sys.executable, "-m", "analytics.class_archive", "--child", str(partial)],
                           capture_output=True, text=True)
    if child.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        detail = (child.stderr.strip().splitlines() or ["no archive written"])[-1][:300]
        print(f"class archive: not built, Spark will start more slowly ({detail})", file=sys.stderr)
        return 0  # an optimisation, not a requirement: installing goes on
    os.replace(partial, CLASS_ARCHIVE)
    print(f"class archive: {CLASS_ARCHIVE.stat().st_size / 2**20:.0f} MiB")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analytics.class_archive", description=__doc__.split("\n\n")[0])
    p.add_argument("--force", action="store_true", help="rebuild even if the archive exists")
    p.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)  # the JVM that writes the archive
    args = p.parse_args(argv)
    if args.child:
        _workload(Path(args.child))
        return 0
    return build(args.force)


if __name__ == "__main__":
    sys.exit(main())
