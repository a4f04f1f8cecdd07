#!/usr/bin/env python3
"""Publish web-server access-log lines to Kafka, byte for byte.

    python kafka_producer.py access.log.gz                 # one file, then exit
    python kafka_producer.py --follow /var/log/nginx/access.log   # like tail -F
    zcat old/*.gz | python kafka_producer.py -             # standard input
    python kafka_producer.py --lines-per-message 100 big.log.gz   # fastest

Every line goes out exactly as it is in the file, minus its line ending (LF or
CRLF): blank lines, invalid UTF-8 and very long lines included. `--help` lists
every flag and its environment variable.
"""
from __future__ import annotations

import argparse
import calendar
import collections
import fcntl
import gc
import gzip
import hashlib
import json
import logging
import os
import re
import select
import signal
import sys
import threading
import time
import uuid

PROG = "kafka_producer"
CHUNK = 1 << 20                 # bytes read per system call
TICK_S = 0.2                    # housekeeping period: acks, progress, state, pack age
STATE_EVERY_S = 1.0             # how often --resume's state file is rewritten
LOG_EVERY_S = 10.0              # plain progress lines when stderr is not a terminal
PACK_MAX_AGE_S = 0.1            # a partial pack waits at most this long for more lines
MAX_PENDING_MSGS = 100_000      # back-pressure: unacknowledged messages ...
MAX_PENDING_BYTES = 64 << 20    # ... and bytes before reading pauses
RECORD_OVERHEAD = 512           # record batch + record header bytes kept free under the limit
HEAD_BYTES = 4096               # --resume recognises a file by its first bytes
BOOTSTRAP_TIMEOUT_MS = 10_000   # an unreachable broker is reported after this long
HEADER_KEY = "kafka_producer.lines"
STATE_FORMAT = "kafka_producer-resume/1"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 3

log = logging.getLogger(PROG)


class Fatal(Exception):
    """An error the user can fix: printed as one line, exit code 1."""


def say(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- command line

def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SystemExit(f"{PROG}: error: {name}={os.environ[name]!r} is not a boolean (use 1/0, true/false)")


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
send() instead of straight into its record accumulator (about 30% slower; for
troubleshooting).

The summary goes to standard output; progress, warnings and errors to
standard error. Ctrl-C or SIGTERM stops reading, delivers what was read, and
prints the summary; a second Ctrl-C gives up waiting for the broker.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):           # one line, not the usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="kafka_producer.py",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="log files to publish in order, plain or .gz; '-' is standard input "
                        "(default: '-' when standard input is not a terminal)")
    p.add_argument("--bootstrap-servers", default=_env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                   metavar="HOST:PORT[,...]",
                   help="Kafka brokers [env KAFKA_BOOTSTRAP_SERVERS; default %(default)s]")
    p.add_argument("--topic", default=_env("LOG_TOPIC", "access-logs"),
                   help="topic to publish to, created if missing [env LOG_TOPIC; default %(default)s]")
    p.add_argument("--partitions", type=_positive_int, default=_env("LOG_TOPIC_PARTITIONS", "2"),
                   metavar="N",
                   help="partitions of the topic when this script creates it "
                        "[env LOG_TOPIC_PARTITIONS; default %(default)s]")
    p.add_argument("--rate", type=_non_negative_float, default=_env("PRODUCER_RATE", "0"),
                   metavar="LINES_PER_S",
                   help="send at most this many lines per second; 0 = as fast as possible "
                        "[env PRODUCER_RATE; default %(default)s]")
    p.add_argument("--replay-speed", type=_non_negative_float, default=_env("PRODUCER_REPLAY_SPEED", "0"),
                   metavar="X",
                   help="pace lines by their own [dd/Mon/yyyy:HH:MM:SS zone] timestamps, X times "
                        "faster than real time (lines without a timestamp are not delayed); "
                        "0 = off. Combines with --rate [env PRODUCER_REPLAY_SPEED; default %(default)s]")
    p.add_argument("--follow", action="store_true", default=_env_flag("PRODUCER_FOLLOW"),
                   help="after the last FILE's end, keep sending the lines appended to it, like "
                        "tail -F: survives rotation (the file is renamed and a new one created; "
                        "the old one is read to its end first) and truncation; runs until "
                        "Ctrl-C/SIGTERM. A last line without newline is sent only once the file is "
                        "rotated away [env PRODUCER_FOLLOW=1]")
    p.add_argument("--lines-per-message", type=_positive_int,
                   default=_env("PRODUCER_LINES_PER_MESSAGE", "1"), metavar="N",
                   help="1 = one line per message; N > 1 packs up to N consecutive lines, joined "
                        "by '\\n', into one message (much faster; the streaming job splits them "
                        "again). A partial pack is sent after %.1f s without a new line "
                        "[env PRODUCER_LINES_PER_MESSAGE; default %%(default)s]" % PACK_MAX_AGE_S)
    p.add_argument("--key", choices=("none", "host"), default=_env("PRODUCER_KEY", "none"),
                   help="message key: none (messages spread over partitions) or host (the line's "
                        "first space-separated field, so each host's lines stay in one partition, "
                        "in order; needs --lines-per-message 1) [env PRODUCER_KEY; default %(default)s]")
    p.add_argument("--compression", choices=("none", "lz4", "gzip", "snappy", "zstd"),
                   default=_env("PRODUCER_COMPRESSION", "lz4"),
                   help="compression of record batches [env PRODUCER_COMPRESSION; default %(default)s]")
    p.add_argument("--resume", metavar="STATE_FILE", default=_env("PRODUCER_RESUME", "") or None,
                   help="remember progress in STATE_FILE and, if it exists, continue after the "
                        "lines already in the topic (see the guarantee below); needs named files, "
                        "not '-' [env PRODUCER_RESUME]")
    p.add_argument("--quiet", "-q", action="store_true", default=_env_flag("PRODUCER_QUIET"),
                   help="no progress bar or progress lines (warnings, errors and the summary remain) "
                        "[env PRODUCER_QUIET=1]")
    p.add_argument("--verbose", "-v", action="store_true", default=_env_flag("PRODUCER_VERBOSE"),
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
    if args.follow and args.files[-1] != "-" and os.path.exists(args.files[-1]) and _is_gzip(args.files[-1]):
        parser.error(f"--follow cannot follow a gzip file ({args.files[-1]}); follow the plain log")
    return args


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


# --------------------------------------------------------------------------- input

class Source:
    """One input (plain file, gzip file or standard input) read as bytes in big
    chunks and cut into lines. `pos` is the offset, in the (decompressed) byte
    stream, of the first byte not yet handed out as part of a complete line."""

    def __init__(self, spec: str, index: int, follow: bool):
        self.spec = spec
        self.index = index
        self.follow = follow
        self.stdin = spec == "-"
        self.path = None if self.stdin else os.path.abspath(spec)
        self.name = "<stdin>" if self.stdin else spec
        self.raw = None          # the file on disk (progress, rotation checks)
        self.f = None            # what we read from: raw or a GzipFile over raw
        self.gz = False
        self.ident = None        # (st_dev, st_ino) of the open file
        self.incarnation = 0     # bumped on rotation and truncation
        self.pos = 0
        self.pieces: list[bytes] = []   # the current incomplete line (at most line_cap bytes of it)
        self.pieces_len = 0             # its length, all of it
        self.line_cap: int | None = None  # longer lines are skipped anyway: keep no more of them
        self.size = 0            # bytes on disk at open (for percent done)

    # -- opening
    def open(self, start: int = 0) -> bool:
        """Open the input and skip `start` bytes. False if a followed file does not exist (yet)."""
        if self.stdin:
            self.pos = 0
            return True
        try:
            raw = open(self.path, "rb", buffering=0)
        except FileNotFoundError:
            if self.follow:
                return False
            raise Fatal(f"{self.name}: no such file")
        except OSError as e:
            raise Fatal(f"{self.name}: cannot open: {e.strerror}")
        st = os.fstat(raw.fileno())
        self.raw, self.ident, self.size = raw, (st.st_dev, st.st_ino), st.st_size
        self.gz = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        self.f = gzip.GzipFile(fileobj=raw, mode="rb") if self.gz else raw
        self.pieces, self.pieces_len, self.pos = [], 0, 0
        if start:
            if self.gz:
                left = start
                while left:
                    got = len(self.f.read(min(left, CHUNK)))
                    if not got:
                        raise Fatal(f"{self.name}: shorter than the resume state says ({start} bytes)")
                    left -= got
            else:
                if st.st_size < start:
                    raise Fatal(f"{self.name}: shorter ({st.st_size} bytes) than the resume state says ({start})")
                raw.seek(start)
            self.pos = start
        return True

    def close(self) -> None:
        if self.f is not None and self.f is not self.raw:
            self.f.close()
        if self.raw is not None:
            self.raw.close()
        self.f = self.raw = None

    # -- reading
    def read_chunk(self):
        """Complete lines from the next read: a list (empty when no complete line
        is available yet), or None at the end of the data. `chunk_offset` is the
        offset of the first returned line."""
        if self.stdin:
            ready, _, _ = select.select([0], [], [], TICK_S)
            if not ready:
                return []
            data = os.read(0, CHUNK)
        else:
            if self.f is None:
                return None
            try:
                data = self.f.read(CHUNK)
            except (OSError, EOFError) as e:   # corrupt or truncated gzip, I/O error
                raise Fatal(f"{self.name}: read error at byte {self.pos + self.pieces_len}: {e}")
        if not data:
            return None
        self.chunk_offset = self.pos
        lines = data.split(b"\n")
        rest = lines.pop()
        if not lines:                      # no newline in this read
            if self.line_cap is None:
                self.pieces.append(rest)
            elif self.pieces_len < self.line_cap:  # nothing cut yet: pieces_len bytes are kept
                self.pieces.append(rest[:self.line_cap - self.pieces_len])
            self.pieces_len += len(rest)
            return []
        cr = b"\r" in data
        consumed = self.pieces_len + len(data) - len(rest)
        if self.pieces:
            self.pieces.append(lines[0])
            lines[0] = self._joined(self.pieces_len + len(lines[0]))
            cr = cr or lines[0][-1:] == b"\r"
        if cr:
            lines = [l[:-1] if l[-1:] == b"\r" else l for l in lines]
        self.pos += consumed
        self.pieces, self.pieces_len = ([rest], len(rest)) if rest else ([], 0)
        return lines

    def _joined(self, length: int) -> bytes:
        """The line of ``pieces``, ``length`` bytes long in the input. Past ``line_cap`` it
        is cut to ``line_cap`` bytes plus one, so that it is still over the limit and skipped."""
        line = b"".join(self.pieces)
        return line if self.line_cap is None or length <= self.line_cap else line[:self.line_cap] + b"?"

    def take_partial(self):
        """The final line without a newline, if any (end of input or rotation)."""
        if not self.pieces:
            return None
        line = self._joined(self.pieces_len)
        self.chunk_offset = self.pos
        self.pos += self.pieces_len
        self.pieces, self.pieces_len = [], 0
        return [line]

    def raw_position(self) -> int:
        """Bytes of the file on disk consumed so far (compressed bytes for gzip)."""
        try:
            return self.raw.tell() if self.raw is not None else 0
        except (OSError, ValueError):
            return 0

    # -- tail -F
    def check_rotation(self) -> str | None:
        """'rotated', 'truncated', 'missing' or None, for a followed file at its end."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        if self.raw is None or (st.st_dev, st.st_ino) != self.ident:
            return "rotated"
        if st.st_size < self.pos + self.pieces_len:
            return "truncated"
        return None

    def restart_truncated(self) -> None:
        self.raw.seek(0)
        self.pos, self.pieces, self.pieces_len = 0, [], 0
        self.incarnation += 1

    def head_digest(self, n: int, incarnation: int):
        """sha1 of the first n bytes of this input's stream, or None if unknown."""
        if n <= 0:
            return hashlib.sha1(b"").hexdigest()
        if incarnation != self.incarnation:
            return None
        try:
            if self.raw is not None and not self.gz:
                data = os.pread(self.raw.fileno(), n, 0)
            else:
                data = head_of_file(self.path, n)
        except OSError:
            return None
        return hashlib.sha1(data).hexdigest() if len(data) == n else None


def head_of_file(path: str, n: int) -> bytes:
    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        f = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        out = bytearray()
        while len(out) < n:
            block = f.read(n - len(out))
            if not block:
                break
            out += block
        return bytes(out)


# --------------------------------------------------------------------------- pacing

_MONTHS = {m.encode(): i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_TS_RE = re.compile(rb"\[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]")


class TimestampCache:
    """Epoch seconds of a line's [dd/Mon/yyyy:HH:MM:SS +zzzz] timestamp, or None."""

    def __init__(self):
        self.cache: dict[bytes, float | None] = {}

    def __call__(self, line: bytes):
        m = _TS_RE.search(line, 0, 1024)
        if m is None:
            return None
        text = m.group(0)
        value = self.cache.get(text, False)
        if value is False:
            d, mon, y, hh, mm, ss, sign, zh, zm = m.groups()
            try:
                value = calendar.timegm((int(y), _MONTHS[mon], int(d), int(hh), int(mm), int(ss)))
                offset = int(zh) * 3600 + int(zm) * 60
                value -= offset if sign == b"+" else -offset
            except (KeyError, ValueError, OverflowError):
                value = None
            if len(self.cache) > 100_000:
                self.cache.clear()
            self.cache[text] = value
        return value


# --------------------------------------------------------------------------- progress

class Progress:
    """tqdm bar on a terminal, a plain line every LOG_EVERY_S otherwise, nothing with --quiet."""

    def __init__(self, quiet: bool, total_bytes: int | None):
        self.mode = "off" if quiet else ("bar" if sys.stderr.isatty() else "log")
        self.total = total_bytes
        self.start = time.monotonic()
        self.next_log = self.start + LOG_EVERY_S
        self.last_logged = -1
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm
            if total_bytes:
                self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024,
                                file=sys.stderr, dynamic_ncols=True, leave=False,
                                bar_format="{percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B{postfix} "
                                           "[{elapsed}<{remaining}]")
            else:
                self.bar = tqdm(unit=" lines", unit_scale=True, file=sys.stderr, dynamic_ncols=True,
                                leave=False)

    def update(self, read: int, delivered: int, position: int) -> None:
        if self.mode == "off":
            return
        now = time.monotonic()
        rate = read / max(now - self.start, 1e-9)
        if self.mode == "bar":
            if self.total:
                self.bar.n = min(position, self.total)
                self.bar.set_postfix_str(f"{read:,} lines, {rate:,.0f} lines/s", refresh=False)
                self.bar.refresh()
            else:
                self.bar.update(read - self.bar.n)
        elif now >= self.next_log and read != self.last_logged:
            self.next_log = now + LOG_EVERY_S
            self.last_logged = read
            pct = f" ({100.0 * position / self.total:.0f}%)" if self.total else ""
            say(f"{read:,} lines read{pct}, {delivered:,} delivered, {rate:,.0f} lines/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# --------------------------------------------------------------------------- resume state

class ResumeState:
    """The --resume state file: where to restart, and what may already be in the topic."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        self.data: dict | None = None
        self._lock = None

    def lock(self) -> None:
        self._lock = open(self.path + ".lock", "a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Fatal(f"{self.path} is in use by another kafka_producer run")

    def load(self) -> dict | None:
        try:
            with open(self.path, "rb") as f:
                data = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise Fatal(f"{self.path}: unreadable resume state ({e}); delete it to start over")
        if data.get("format") != STATE_FORMAT:
            raise Fatal(f"{self.path}: not a kafka_producer resume state; delete it to start over")
        self.data = data
        return data

    def save(self, data: dict) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def merge_ranges(ranges):
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def scan_topic(consumer, topic: str, run_id: bytes, scan_from: dict, done_through: int,
               timeout_s: float = 120.0):
    """Line ranges (> done_through) that messages of `run_id` carry between
    `scan_from` and the end of each partition."""
    from kafka.structs import TopicPartition
    parts = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    if not tps:
        return []
    consumer.assign(tps)
    ends = consumer.end_offsets(tps)
    begins = consumer.beginning_offsets(tps)
    todo = {}
    for tp in tps:
        start = max(int(scan_from.get(str(tp.partition), begins[tp])), begins[tp])
        if start < ends[tp]:
            consumer.seek(tp, start)
            todo[tp] = ends[tp]
    prefix = run_id + b":"
    ranges = []
    deadline = time.monotonic() + timeout_s
    while todo:
        if time.monotonic() > deadline:
            raise Fatal(f"could not read topic {topic} back within {timeout_s:.0f} s to resume")
        for tp, records in consumer.poll(timeout_ms=500, max_records=50_000).items():
            for r in records:
                for k, v in r.headers or ():
                    if k == HEADER_KEY and v.startswith(prefix):
                        first, _, last = v[len(prefix):].partition(b"-")
                        first, last = int(first), int(last)
                        if last > done_through:
                            ranges.append((max(first, done_through + 1), last))
        for tp in list(todo):
            if consumer.position(tp) >= todo[tp]:
                del todo[tp]
                consumer.pause(tp)
    return merge_ranges(ranges)


# --------------------------------------------------------------------------- publishing

def fast_append(producer):
    """(accumulator.append, sender.wakeup) of kafka-python's producer, or None.

    KafkaProducer.send() spends about half of its time on per-call work that a
    plain bytes value with an explicit, known partition does not need (argument
    checks, serializers, metadata lookup, partitioner, size estimate, debug-log
    formatting). For one line per message, kafka_producer hands records straight
    to the producer's record accumulator, as send() itself does, and wakes the
    sender thread when a batch fills up: twice the throughput. This is a private
    API: it is used only if it has the shape of the pinned kafka-python 3.0.x,
    and PRODUCER_SEND_API=public turns it off."""
    if os.environ.get("PRODUCER_SEND_API", "").lower() == "public":
        return None
    acc = getattr(producer, "_accumulator", None)
    sender = getattr(producer, "_sender", None)
    if acc is None or sender is None or producer.config.get("transactional_id"):
        return None
    try:
        import inspect
        params = list(inspect.signature(acc.append).parameters)[:5]
    except (TypeError, ValueError):
        return None
    if params != ["tp", "timestamp_ms", "key", "value", "headers"] or not callable(getattr(sender, "wakeup", None)):
        return None
    return acc.append, sender.wakeup


class Publisher:
    """Turns lines into messages, tracks their acknowledgements in order, and
    keeps the counters. Line numbers are global across the inputs, from 1."""

    def __init__(self, producer, topic: str, args, value_limit: int, run_id: bytes | None):
        self.producer = producer
        self.send = producer.send
        self.topic = topic
        self.N = args.lines_per_message
        self.key_host = args.key == "host"
        self.rate = args.rate
        self.replay = args.replay_speed
        self.value_limit = value_limit
        self.run_id = run_id
        self.simple = not (self.rate or self.replay or self.key_host)
        from kafka.structs import TopicPartition
        self.tps = [TopicPartition(topic, p) for p in sorted(producer.partitions_for(topic) or (0,))]
        self.next_partition = 0
        self.fast = fast_append(producer)
        # in send order == line order: (future | None, last line number, lines, bytes)
        self.pend: collections.deque = collections.deque()
        self.done_through = 0        # every line <= this is acknowledged (or skipped)
        self.high_offset: dict[int, int] = {}   # partition -> highest acked offset (lines <= done_through)
        self.pack: list[bytes] = []
        self.pack_first = 0
        self.pack_bytes = 0
        self.pack_since = 0.0
        # counters
        self.read = self.delivered = self.failed = self.skipped = self.already = 0
        self.messages = self.bytes_delivered = 0
        self.sent_bytes = self.acked_bytes = 0
        self.first_error: str | None = None
        self.oversize_reported = 0
        self.stop = False
        self.hard_stop = False
        self.wake = threading.Event()
        # pacing
        self.paced = 0
        self.pace_t0 = None
        self.replay_origin = None
        self.timestamp = TimestampCache()
        self.where = lambda no: f"line {no}"     # set by the runner: file name and line

    # -- sending
    def _send(self, value: bytes, first: int, last: int, nbytes: int, key=None) -> None:
        headers = None
        if self.run_id is not None:
            headers = [(HEADER_KEY, b"%s:%d-%d" % (self.run_id, first, last))]
        try:
            fut = self.send(self.topic, value, key=key, headers=headers)
        except Exception as e:      # e.g. KafkaTimeoutError: metadata unavailable for max_block_ms
            from kafka.future import Future
            fut = Future().failure(e)
        self.pend.append((fut, last, last - first + 1, nbytes))
        self.messages += 1
        self.sent_bytes += nbytes

    def _record_error(self, e: BaseException) -> None:
        if self.first_error is None:
            self.first_error = f"{type(e).__name__}: {e}"
            say(f"error: delivery failed: {self.first_error}; stopping")

    def _marker(self, last: int) -> None:
        self.pend.append((None, last, 0, 0))

    def _oversize(self, no: int, line: bytes) -> None:
        self.skipped += 1
        self.oversize_reported += 1
        if self.oversize_reported <= 10:
            say(f"warning: {self.where(no)}: over the broker's message limit "
                f"({self.value_limit + RECORD_OVERHEAD:,} bytes): skipped")
        elif self.oversize_reported == 11:
            say("warning: more oversized lines: skipped and counted, not reported one by one")
        self._marker(no)

    def flush_pack(self) -> None:
        if self.pack:
            pack = self.pack
            first = self.pack_first
            self._send(b"\n".join(pack), first, first + len(pack) - 1, self.pack_bytes)
            self.pack = []
            self.pack_bytes = 0

    def _pack_line(self, line: bytes, no: int) -> None:
        """Add one line to the pack, sending the pack when it is full or the
        line would push it over the size limit; an oversized line is skipped."""
        n = len(line)
        if n > self.value_limit:
            self.flush_pack()
            self._oversize(no, line)
            return
        if self.pack and self.pack_bytes + len(self.pack) + n > self.value_limit:
            self.flush_pack()
        if not self.pack:
            self.pack_first = no
            self.pack_since = time.monotonic()
        self.pack.append(line)
        self.pack_bytes += n
        if len(self.pack) >= self.N:
            self.flush_pack()

    def skip_delivered(self, no: int, count: int) -> None:
        """Lines no..no+count-1 are in the topic already (found by --resume)."""
        self.flush_pack()
        self.read += count
        self.already += count
        self._marker(no + count - 1)

    def feed(self, lines: list[bytes], no: int) -> int:
        """Send `lines`, numbered from `no`. Returns how many were taken (fewer on stop)."""
        if self.simple:
            try:
                self._feed_simple(lines, no)
            except Exception as e:     # send() refused a line: stop there, count it failed
                from kafka.future import Future
                last = self.pend[-1][1] if self.pend else no - 1
                done = max(0, last - no + 1)
                self.pend.append((Future().failure(e), no + done, 1, 0))
                self.read += done + 1
                self.stop = True
                return done + 1
            self.read += len(lines)
            return len(lines)
        return self._feed_general(lines, no)

    def _feed_simple(self, lines: list[bytes], no: int) -> None:
        send, topic, pend_append, limit = self.send, self.topic, self.pend.append, self.value_limit
        N = self.N
        if N == 1:
            if self.run_id is None:
                # The hot path. Blocks of BLOCK lines go to one partition after the
                # other (explicit partitions skip kafka-python's partitioner: ~10% faster).
                sent_bytes, skipped_before = 0, self.skipped
                nparts, BLOCK = len(self.tps), self.BLOCK
                for start in range(0, len(lines), BLOCK):
                    part = self.next_partition
                    self.next_partition = (part + 1) % nparts
                    block = lines[start:start + BLOCK] if len(lines) > BLOCK else lines
                    if self.fast is not None:
                        # send() minus its per-call checks, partitioner and debug
                        # formatting, which cost as much as the append itself
                        append, wakeup, tp, no_headers = self.fast + (self.tps[part], [])
                        for line in block:
                            n = len(line)
                            if n > limit:
                                self._oversize(no, line)
                            else:
                                fut, full, new, _ = append(tp, None, None, line, no_headers)
                                if full or new:
                                    wakeup()
                                pend_append((fut, no, 1, n))
                                sent_bytes += n
                            no += 1
                    else:
                        for line in block:
                            n = len(line)
                            if n > limit:
                                self._oversize(no, line)
                            else:
                                pend_append((send(topic, line, partition=part), no, 1, n))
                                sent_bytes += n
                            no += 1
                self.sent_bytes += sent_bytes
                self.messages += len(lines) - (self.skipped - skipped_before)
            else:
                for line in lines:
                    if len(line) > limit:
                        self._oversize(no, line)
                    else:
                        self._send(line, no, no, len(line))
                    no += 1
            return
        since = None
        if self.pack:
            lines = self.pack + lines
            no = self.pack_first
            since = self.pack_since
            self.pack, self.pack_bytes = [], 0
        total = len(lines)
        full = total - total % N
        join = b"\n".join
        for i in range(0, full, N):
            group = lines[i:i + N]
            value = join(group)
            if len(value) > limit:          # send what fits, skip lines over the limit
                for j, line in enumerate(group):
                    self._pack_line(line, no + i + j)
                self.flush_pack()
            else:
                self._send(value, no + i, no + i + N - 1, len(value) - N + 1)
        for j in range(full, total):        # the rest waits for more lines (or PACK_MAX_AGE_S)
            self._pack_line(lines[j], no + j)
        if full == 0 and since is not None and self.pack:
            self.pack_since = since

    def _feed_general(self, lines: list[bytes], no: int) -> int:
        limit = self.value_limit
        pacing = bool(self.rate or self.replay)
        taken = 0
        for line in lines:
            if self.stop:
                break
            if pacing:
                self._pace(line)
                if self.stop:
                    break
            if self.key_host:
                if len(line) > limit:
                    self._oversize(no, line)
                else:
                    self._send(line, no, no, len(line), key=line.split(b" ", 1)[0])
            else:
                self._pack_line(line, no)
            no += 1
            taken += 1
            self.read += 1
            if not taken & 1023:
                self.tick()
        return taken

    def _pace(self, line: bytes) -> None:
        now = time.monotonic()
        due = now
        if self.rate:
            if self.pace_t0 is None:
                self.pace_t0 = now
            due = self.pace_t0 + self.paced / self.rate
            self.paced += 1
        if self.replay:
            ts = self.timestamp(line)
            if ts is not None:
                if self.replay_origin is None:
                    self.replay_origin = (ts, now)
                ts0, wall0 = self.replay_origin
                due = max(due, wall0 + (ts - ts0) / self.replay)
        while due - now > 0.0005 and not self.stop:
            self.tick()
            self.wake.wait(min(due - now, TICK_S))
            now = time.monotonic()

    # -- acknowledgements
    def drain(self) -> None:
        pend = self.pend
        high = self.high_offset
        while pend:
            fut, last, n, nbytes = pend[0]
            if fut is not None:
                if not fut.is_done:
                    break
                if fut.exception is None:
                    self.delivered += n
                    self.bytes_delivered += nbytes
                else:
                    self.failed += n
                    self._record_error(fut.exception)
                    self.stop = True
                self.acked_bytes += nbytes
            pend.popleft()
            if not self.failed:
                # still an unbroken acknowledged prefix; after a failure done_through
                # stays before it, so a rerun with --resume sends the failed lines again
                self.done_through = last
                if fut is not None:
                    md = fut.value
                    if md.offset > high.get(md.partition, -1):
                        high[md.partition] = md.offset

    def wait_oldest(self, timeout: float) -> None:
        for fut, *_ in self.pend:
            if fut is not None:
                try:
                    fut.get(timeout=timeout)
                except Exception:
                    pass
                return

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next_tick:
            return
        self._next_tick = now + TICK_S
        self.drain()
        while (len(self.pend) > MAX_PENDING_MSGS or self.sent_bytes - self.acked_bytes > MAX_PENDING_BYTES) \
                and not self.hard_stop:
            self.wait_oldest(TICK_S)
            self.drain()
            self.housekeeping()
        if self.pack and now - self.pack_since >= PACK_MAX_AGE_S:
            self.flush_pack()
        self.housekeeping()

    _next_tick = 0.0
    BLOCK = 4096        # lines sent to one partition before moving to the next (1 line/message)
    housekeeping = staticmethod(lambda: None)   # progress + state, set by the runner


# --------------------------------------------------------------------------- Kafka setup

def connect(args):
    """Admin client, topic, broker limit, producer. Raises Fatal on connection trouble."""
    from kafka import KafkaProducer
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
    from kafka import errors as Errors

    common = dict(bootstrap_servers=args.bootstrap_servers.split(","), client_id=PROG,
                  bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS)
    unreachable = (f"cannot reach a Kafka broker at {args.bootstrap_servers} "
                   f"(no answer within {BOOTSTRAP_TIMEOUT_MS // 1000} s); is it running? "
                   f"(locally: python -m stack up)")
    try:
        admin = KafkaAdminClient(request_timeout_ms=30_000, **common)
    except (Errors.KafkaTimeoutError, Errors.KafkaConnectionError):
        raise Fatal(unreachable)
    except Errors.KafkaError as e:
        raise Fatal(f"cannot connect to Kafka at {args.bootstrap_servers}: {e}")
    try:
        if args.topic not in admin.list_topics():
            try:
                admin.create_topics({args.topic: {"num_partitions": args.partitions}},
                                    wait_for_metadata=True)
                say(f"created topic {args.topic} with {args.partitions} partitions")
            except Errors.TopicAlreadyExistsError:
                pass
        limit = 1 << 20
        try:
            configs = admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, args.topic, None)], config_filter="all")
            limit = int(configs["topic"][args.topic]["max.message.bytes"]["value"])
        except Exception as e:      # an old broker or no permission: Kafka's default then
            log.debug("describe_configs failed: %s", e)
    except Errors.InvalidTopicError as e:
        raise Fatal(f"invalid topic name {args.topic!r}: {e}")
    except Errors.KafkaError as e:
        raise Fatal(f"Kafka at {args.bootstrap_servers}: {e}")
    finally:
        admin.close()

    compression = None if args.compression == "none" else args.compression
    try:
        producer = KafkaProducer(
            acks="all", enable_idempotence=True,        # no duplicates from retries, order kept
            retries=2**31 - 1, retry_backoff_ms=100, delivery_timeout_ms=120_000,
            max_in_flight_requests_per_connection=5,   # the most idempotence allows
            linger_ms=20, batch_size=1 << 20,          # few, large batches
            compression_type=compression,
            max_request_size=limit, max_block_ms=30_000,
            **common)
        producer.partitions_for(args.topic)            # metadata now, not on the first send
    except AssertionError as e:                         # kafka-python: codec library missing
        raise Fatal(f"--compression {args.compression}: {e}")
    except (Errors.KafkaTimeoutError, Errors.KafkaConnectionError):
        raise Fatal(unreachable)
    except Errors.KafkaError as e:
        raise Fatal(f"cannot start the producer: {e}")
    return producer, limit


# --------------------------------------------------------------------------- the run

class Runner:
    def __init__(self, args):
        self.args = args
        self.sources = [Source(f, i, args.follow and f != "-" and i == len(args.files) - 1)
                        for i, f in enumerate(args.files)]
        self.state = ResumeState(args.resume) if args.resume else None
        self.signals = 0
        self.pub: Publisher | None = None
        self.chunks: collections.deque = collections.deque()   # (first line no, source, offset, incarnation)
        self.input_base = [0] * len(self.sources)   # global number of each input's line 0
        self.current = 0
        self.complete = False          # every input read to its end
        self.input_error = False
        self.carry_delivered: list[list[int]] = []  # line ranges > done_through already in the topic
        self.scan_from: dict[str, int] = {}
        self.next_state = 0.0

    # -- signals
    def on_signal(self, signum, frame):
        self.signals += 1
        pub = self.pub
        if pub is None:
            raise KeyboardInterrupt
        pub.stop = True
        if self.signals > 1:
            pub.hard_stop = True
        pub.wake.set()

    def where(self, no: int) -> str:
        i = self.current
        while i > 0 and no <= self.input_base[i]:
            i -= 1
        return f"{self.sources[i].name} line {no - self.input_base[i]}"

    # -- main
    def run(self) -> int:
        args = self.args
        state_data = None
        if self.state:
            self.state.lock()
            state_data = self.state.load()
            if state_data is not None:
                self.check_state(state_data)
                if state_data.get("complete"):
                    say(f"{args.resume}: every line was delivered by an earlier run; nothing to do "
                        f"(delete the state file to send the input again)")
                    self.print_summary({}, 0.0)
                    return EXIT_OK

        producer, limit = connect(args)
        run_id = None
        done_through = 0
        restart = {"input": 0, "offset": 0, "line": 0, "input_line0": 0}
        if self.state:
            run_id = (state_data or {}).get("run_id", uuid.uuid4().hex[:16]).encode()
            consumer = self.make_consumer()
            try:
                if state_data:
                    done_through = state_data["done_through"]
                    restart = state_data["restart"]
                    found = scan_topic(consumer, args.topic, run_id, state_data.get("scan_from", {}),
                                       done_through)
                    carry = [tuple(x) for x in state_data.get("delivered_after", [])] + found
                    self.carry_delivered = [x for x in merge_ranges(carry) if x[1] > done_through]
                from kafka.structs import TopicPartition
                tps = [TopicPartition(args.topic, p) for p in consumer.partitions_for_topic(args.topic) or ()]
                self.scan_from = {str(tp.partition): off for tp, off in consumer.end_offsets(tps).items()}
            finally:
                consumer.close()
            if state_data:
                n = sum(b - a + 1 for a, b in self.carry_delivered)
                say(f"resuming after line {done_through:,} ({self.sources[restart['input']].name}); "
                    f"{n:,} later lines found in the topic will not be sent again")

        pub = self.pub = Publisher(producer, args.topic, args, limit - RECORD_OVERHEAD, run_id)
        for source in self.sources:
            source.line_cap = pub.value_limit + 2  # a longer line, even less its \r, is skipped
        pub.done_through = done_through
        pub.where = self.where
        pub.housekeeping = self.housekeeping
        total = None
        if not args.follow and "-" not in args.files:
            total = sum(os.path.getsize(s.path) for s in self.sources)
        self.progress = Progress(args.quiet, total)
        # Each record allocates a few objects (kafka-python's future, our tuple):
        # with the default thresholds the cyclic GC runs every ~200 lines and keeps
        # rescanning the unacknowledged futures. Fewer, cheaper passes: +10-15%.
        gc.freeze()
        gc.set_threshold(50_000, 20, 50)
        if self.state:
            self.save_state()     # run id and start offsets on disk before the first send
        t0 = time.monotonic()
        try:
            self.read_all(pub, restart, done_through)
        except Fatal as e:
            say(f"error: {e}")
            pub.stop = True
            self.input_error = True
        finally:
            self.finish(pub, producer)
        elapsed = time.monotonic() - t0
        self.progress.close()
        counts = self.print_summary(vars(pub), elapsed)
        if counts["failed"] or self.input_error:
            return EXIT_FAILED
        return EXIT_SKIPPED if pub.skipped else EXIT_OK

    def check_state(self, data: dict) -> None:
        paths = [s.path for s in self.sources]
        if data.get("inputs") != paths or data.get("topic") != self.args.topic:
            raise Fatal(f"{self.args.resume} was written for topic {data.get('topic')!r} and inputs "
                        f"{data.get('inputs')}; this run has topic {self.args.topic!r} and {paths}: "
                        f"use another state file, or delete it to start over")
        r = data["restart"]
        src = self.sources[r["input"]]
        if not r["offset"]:
            return
        same = False
        if r.get("head_sha1") and os.path.exists(src.path):
            same = hashlib.sha1(head_of_file(src.path, r["head_len"])).hexdigest() == r["head_sha1"]
        if same:
            return
        if not src.follow:
            raise Fatal(f"{src.name} is not the file {self.args.resume} was written for (its first "
                        f"bytes differ); delete the state file to start over")
        say(f"warning: {src.name} is not the file the state was written for (rotated while the "
            f"producer was down?): reading the new file from its beginning")
        w = data["done_through"]
        r.update(offset=0, line=w, input_line0=w, head_len=0, head_sha1=None)
        data["delivered_after"], data["scan_from"] = [], {}

    def make_consumer(self):
        from kafka import KafkaConsumer
        from kafka import errors as Errors
        try:
            return KafkaConsumer(bootstrap_servers=self.args.bootstrap_servers.split(","),
                                 client_id=PROG + "-resume", group_id=None, enable_auto_commit=False,
                                 bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS)
        except Errors.KafkaError as e:
            raise Fatal(f"cannot read the topic back to resume: {e}")

    # -- reading
    def read_all(self, pub: Publisher, restart: dict, done_through: int) -> None:
        first = restart["input"]
        no = restart["line"] + 1             # global number of the next line read
        for src in self.sources[first:]:
            if pub.stop:
                return
            self.current = src.index
            if src.index == first:
                self.input_base[first] = restart.get("input_line0", 0)
                opened = src.open(restart["offset"])
            else:
                self.input_base[src.index] = no - 1
                opened = src.open(0)
            if not opened:
                say(f"waiting for {src.name} to appear")
            no = self.read_source(src, pub, no, done_through)
            src.close()
        if not pub.stop:
            self.complete = True

    def read_source(self, src: Source, pub: Publisher, no: int, done_through: int) -> int:
        while not pub.stop:
            lines = src.read_chunk()
            if lines is None:                   # end of the data for now
                if src.follow:
                    no = self.follow_wait(src, pub, no, done_through)
                    continue
                lines = src.take_partial()
                if lines:
                    no = self.process(src, lines, no, done_through)
                return no
            if lines:
                no = self.process(src, lines, no, done_through)
            pub.tick()
        return no

    def follow_wait(self, src: Source, pub: Publisher, no: int, done_through: int) -> int:
        pub.flush_pack()
        pub.tick()
        what = src.check_rotation()
        if what == "rotated":
            if src.f is not None:
                while not pub.stop:                 # the old file's last lines
                    lines = src.read_chunk()
                    if lines is None:
                        rest = src.take_partial()
                        if rest:
                            no = self.process(src, rest, no, done_through)
                        break
                    if lines:
                        no = self.process(src, lines, no, done_through)
                if pub.stop:
                    return no
                src.close()
                say(f"{src.name} was rotated: reading the new file")
            if src.open(0):
                src.incarnation += 1
                self.input_base[src.index] = no - 1
            return no
        if what == "truncated":
            say(f"{src.name} was truncated: reading it again from the start")
            src.restart_truncated()
            self.input_base[src.index] = no - 1
            return no
        pub.wake.wait(TICK_S / 2)
        return no

    def process(self, src: Source, lines: list[bytes], no: int, done_through: int) -> int:
        """Send one chunk whose first line is number `no`; returns the next line number."""
        if self.state:
            self.chunks.append((no, src, src.chunk_offset, src.incarnation))
        pub = self.pub
        if no <= done_through:                  # a resumed chunk: skip what was acknowledged
            k = min(len(lines), done_through - no + 1)
            lines = lines[k:]
            no += k
        ranges = self.carry_delivered
        while lines and not pub.stop:
            while ranges and ranges[0][1] < no:
                ranges.pop(0)
            if ranges and ranges[0][0] <= no:
                k = min(len(lines), ranges[0][1] - no + 1)
                pub.skip_delivered(no, k)
            else:
                k = len(lines) if not ranges else min(len(lines), ranges[0][0] - no)
                taken = pub.feed(lines if k == len(lines) else lines[:k], no)
                if taken < k:
                    return no + taken
            lines = lines[k:]
            no += k
        return no

    def finish(self, pub: Publisher, producer) -> None:
        from kafka import errors as Errors
        if not pub.hard_stop:
            pub.flush_pack()
        while not pub.hard_stop:
            try:
                producer.flush(timeout=TICK_S)
                break
            except Errors.KafkaTimeoutError:
                pub.tick(force=True)
        pub.drain()
        try:
            producer.close(timeout=0 if pub.hard_stop else 5)
        except Exception as e:
            log.debug("close: %s", e)
        pub.drain()
        if pub.pend:
            say(f"gave up waiting for the broker: {sum(e[2] for e in pub.pend):,} unacknowledged "
                f"lines count as failed")
        self.complete = self.complete and not pub.pend and not pub.failed
        self.save_state(final=True)

    # -- housekeeping
    def housekeeping(self) -> None:
        pub = self.pub
        src = self.sources[self.current]
        position = sum(s.size for s in self.sources[:self.current]) + src.raw_position()
        self.progress.update(pub.read, pub.delivered, position)
        if self.state and time.monotonic() >= self.next_state:
            self.save_state()

    def save_state(self, final: bool = False) -> None:
        if not self.state or self.pub is None:
            return
        self.next_state = time.monotonic() + STATE_EVERY_S
        pub = self.pub
        w = pub.done_through
        chunks = self.chunks
        while len(chunks) > 1 and chunks[1][0] <= w + 1:
            chunks.popleft()
        old = self.state.data or {}
        if chunks and chunks[0][0] <= w + 1:
            first_no, src, offset, incarnation = chunks[0]
            head_len = min(HEAD_BYTES, offset)
            restart = {"input": src.index, "offset": offset, "line": first_no - 1,
                       "input_line0": self.input_base[src.index],
                       "head_len": head_len, "head_sha1": src.head_digest(head_len, incarnation)}
        else:   # nothing read in this run yet: the old restart point still holds
            restart = old.get("restart", {"input": 0, "offset": 0, "line": 0, "input_line0": 0,
                                          "head_len": 0, "head_sha1": None})
        scan_from = dict(self.scan_from)
        for p, off in pub.high_offset.items():
            scan_from[str(p)] = max(scan_from.get(str(p), 0), off + 1)
        data = {
            "format": STATE_FORMAT,
            "topic": self.args.topic,
            "inputs": [s.path for s in self.sources],
            "run_id": pub.run_id.decode(),
            "done_through": w,
            "restart": restart,
            "scan_from": scan_from,
            "delivered_after": [list(x) for x in self.carry_delivered if x[1] > w],
            "complete": bool(final and self.complete),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        try:
            self.state.save(data)
            self.state.data = data
        except OSError as e:
            say(f"warning: cannot write {self.args.resume}: {e.strerror}")

    def print_summary(self, c: dict, elapsed: float) -> dict:
        read = c.get("read", 0)
        accounted = c.get("delivered", 0) + c.get("skipped", 0) + c.get("already", 0)
        counts = {
            "lines read": read,
            "delivered": c.get("delivered", 0),
            "failed": max(c.get("failed", 0), read - accounted),   # incl. never acknowledged
            "skipped (too large)": c.get("skipped", 0),
            "already in topic": c.get("already", 0),
            "messages": c.get("messages", 0),
            "bytes": c.get("bytes_delivered", 0),
        }
        rows = [(k, str(v)) for k, v in counts.items()]
        rows += [("elapsed s", f"{elapsed:.2f}"), ("lines/s", f"{read / elapsed if elapsed else 0:.0f}")]
        out = [f"{PROG} summary (topic {self.args.topic}):"]
        out += [f"  {name:<20} {value:>12}" for name, value in rows]
        print("\n".join(out), flush=True)
        return {"failed": counts["failed"]}


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(format=f"{PROG}: %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING if args.verbose else logging.CRITICAL + 1)
    runner = Runner(args)
    signal.signal(signal.SIGINT, runner.on_signal)
    signal.signal(signal.SIGTERM, runner.on_signal)
    try:
        return runner.run()
    except Fatal as e:
        say(f"error: {e}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        say("interrupted before any line was sent")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
