"""The command line: flags, their environment variables, --help, and the checks of
the arguments that need no broker."""
from __future__ import annotations

import argparse
import os
import sys

from analytics import environment
from analytics.environment import text as env
from analytics.errors import EXIT_USAGE

from .publishing import PACK_MAX_AGE_S
from .reading import is_gzip
from .resume import HEADER_KEY, STATE_EVERY_S


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {text!r}")
    return value


RESUME_HELP = """\
resume guarantee (--resume STATE_FILE): every line of the input ends up in
the topic exactly once across a crash and rerun -- none lost, none duplicated.
How: with --resume every message carries a header
%s = RUN_ID:FIRST-LAST (the line numbers it holds); the
state file, rewritten atomically every %.0f s, records the line up to which
everything was acknowledged and, per partition, the offset after which later
messages may lie. A rerun reads the topic back from those offsets and skips
the lines it finds there, so lines that reached the broker after the last
state write are not sent twice. This holds when the
input files are unchanged up to where the state points (checked on their first
bytes; a followed file rotated away while the producer was down is restarted
at the beginning of the new file, and the old file's unsent tail is lost), the
records have not been deleted by retention in the meantime, and the previous
run is really dead (a lock file stops two runs sharing one state file).
Without --resume, a rerun sends the whole input again.""" % (HEADER_KEY, STATE_EVERY_S)

DESCRIPTION = """\
Publish access-log lines to a Kafka topic, one line (or N lines) per message,
byte for byte: each line exactly as in the file without its LF or CRLF ending
(blank lines, invalid UTF-8 and long lines included; a last line without a
newline is a line too). FILEs are plain or gzip (recognised by content) and
are read in order; '-' is standard input. Delivery: acks=all, idempotent
producer (no duplicates from retries, order kept per partition), batched and
compressed. Each flag falls back to the environment variable shown."""

EPILOG = RESUME_HELP + """

exit status: 0 every line delivered; 1 some line not delivered, or an error
(unreachable broker, unreadable file...); 2 bad usage; 3 finished, but lines
over the broker's message size limit were skipped.

PRODUCER_SEND_API=public sends one-line messages through kafka-python's public
send() instead of straight into its record accumulator (slower; for
troubleshooting).

The summary goes to standard output; progress, warnings and errors to
standard error. Ctrl-C or SIGTERM stops reading, delivers what was read, and
prints the summary; a second Ctrl-C gives up waiting for the broker.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):           # one line, not the usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser; a bad boolean in the environment raises UsageError here. Other
    variables are strings that argparse checks like the flag itself."""
    p = _Parser(
        prog="kafka_producer.py",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="log files to publish in order, plain or .gz; '-' is standard input "
                        "(default: '-' when standard input is not a terminal)")
    p.add_argument("--bootstrap-servers", default=env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                   metavar="HOST:PORT[,...]",
                   help="Kafka brokers [env KAFKA_BOOTSTRAP_SERVERS; default %(default)s]")
    p.add_argument("--topic", default=env("LOG_TOPIC", "access-logs"),
                   help="topic to publish to, created if missing [env LOG_TOPIC; default %(default)s]")
    p.add_argument("--partitions", type=_positive_int, default=env("LOG_TOPIC_PARTITIONS", "2"),
                   metavar="N",
                   help="partitions of the topic when this script creates it "
                        "[env LOG_TOPIC_PARTITIONS; default %(default)s]")
    p.add_argument("--rate", type=_non_negative_float, default=env("PRODUCER_RATE", "0"),
                   metavar="LINES_PER_S",
                   help="send at most this many lines per second; 0 = as fast as possible "
                        "[env PRODUCER_RATE; default %(default)s]")
    p.add_argument("--replay-speed", type=_non_negative_float, default=env("PRODUCER_REPLAY_SPEED", "0"),
                   metavar="X",
                   help="pace lines by their own [dd/Mon/yyyy:HH:MM:SS zone] timestamps, X times "
                        "faster than real time (lines without a timestamp are not delayed); "
                        "0 = off. Combines with --rate [env PRODUCER_REPLAY_SPEED; default %(default)s]")
    p.add_argument("--follow", action="store_true", default=environment.flag("PRODUCER_FOLLOW"),
                   help="after the last FILE's end, keep sending the lines appended to it, like "
                        "tail -F: survives rotation (the file is renamed and a new one created; "
                        "the old one is read to its end first) and truncation; runs until "
                        "Ctrl-C/SIGTERM. A last line without newline is sent only once the file is "
                        "rotated away [env PRODUCER_FOLLOW=1]")
    p.add_argument("--lines-per-message", type=_positive_int,
                   default=env("PRODUCER_LINES_PER_MESSAGE", "1"), metavar="N",
                   help="1 = one line per message; N > 1 packs up to N consecutive lines, joined "
                        "by '\\n', into one message (much faster; the streaming job splits them "
                        "again). A partial pack is sent after %.1f s without a new line "
                        "[env PRODUCER_LINES_PER_MESSAGE; default %%(default)s]" % PACK_MAX_AGE_S)
    p.add_argument("--key", choices=("none", "host"), default=env("PRODUCER_KEY", "none"),
                   help="message key: none (messages spread over partitions) or host (the line's "
                        "first space-separated field, so each host's lines stay in one partition, "
                        "in order; needs --lines-per-message 1) [env PRODUCER_KEY; default %(default)s]")
    p.add_argument("--compression", choices=("none", "lz4", "gzip", "snappy", "zstd"),
                   default=env("PRODUCER_COMPRESSION", "lz4"),
                   help="compression of record batches [env PRODUCER_COMPRESSION; default %(default)s]")
    p.add_argument("--resume", metavar="STATE_FILE", default=env("PRODUCER_RESUME"),
                   help="remember progress in STATE_FILE and, if it exists, continue after the "
                        "lines already in the topic (see the guarantee below); needs named files, "
                        "not '-' [env PRODUCER_RESUME]")
    p.add_argument("--quiet", "-q", action="store_true", default=environment.flag("PRODUCER_QUIET"),
                   help="no progress bar or progress lines (warnings, errors and the summary remain) "
                        "[env PRODUCER_QUIET=1]")
    p.add_argument("--verbose", "-v", action="store_true", default=environment.flag("PRODUCER_VERBOSE"),
                   help="show kafka-python's own warnings [env PRODUCER_VERBOSE=1]")
    return p


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.files:
        if sys.stdin.isatty():
            parser.error("no input: give a FILE, or pipe lines into standard input")
        args.files = ["-"]
    if args.files.count("-") > 1:
        parser.error("'-' (standard input) can be given only once")
    if args.key == "host" and args.lines_per_message > 1:
        parser.error("--key host needs --lines-per-message 1 (a packed message holds lines of several hosts)")
    if args.resume and "-" in args.files:
        parser.error("--resume needs named files: standard input cannot be read again")
    for f in args.files:
        if f == "-":
            continue
        if not os.path.exists(f) and not (args.follow and f == args.files[-1]):
            parser.error(f"{f}: no such file")
        if os.path.isdir(f):
            parser.error(f"{f}: is a directory")
        if os.path.exists(f) and not os.access(f, os.R_OK):
            parser.error(f"{f}: not readable")
    if args.follow and args.files[-1] != "-" and os.path.exists(args.files[-1]) and is_gzip(args.files[-1]):
        parser.error(f"--follow cannot follow a gzip file ({args.files[-1]}); follow the plain log")
    return args
