"""--resume: the state file, reading the topic back for what an earlier run delivered
after its last state write, and the state each run leaves behind.

Every message of a resumable run carries a header HEADER_KEY = RUN_ID:FIRST-LAST (the
global line numbers it holds). The state records the line up to which everything was
acknowledged (``done_through``), where in which input that line ends (``restart``), and
per partition the offset after which later messages of the run may lie (``scan_from``).
"""
from __future__ import annotations

import collections
import fcntl
import hashlib
import json
import os
import time
import uuid

from analytics.errors import UserError

from .common import BOOTSTRAP_TIMEOUT_MS, PROG, say
from .reading import LineReader, head_of_file

HEADER_KEY = "kafka_producer.lines"
STATE_FORMAT = "kafka_producer-resume/1"
STATE_EVERY_S = 1.0             # how often the state file is rewritten
HEAD_BYTES = 4096               # an input is recognised by its first bytes
FRESH_START = {"input": 0, "offset": 0, "line": 0, "input_line0": 0}


class ResumeState:
    """The state file itself: locked for the run, read once, rewritten atomically."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        self.data: dict | None = None
        self._lock = None

    def lock(self) -> None:
        self._lock = open(self.path + ".lock", "a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"{self.path} is in use by another {PROG} run")

    def load(self) -> dict | None:
        try:
            with open(self.path, "rb") as f:
                data = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise UserError(f"{self.path}: unreadable resume state ({e}); delete it to start over")
        if data.get("format") != STATE_FORMAT:
            raise UserError(f"{self.path}: not a {PROG} resume state; delete it to start over")
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
            raise UserError(f"could not read topic {topic} back within {timeout_s:.0f} s to resume")
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


class Resume:
    """--resume for one run: where it starts (``done_through``, ``restart``), which later
    lines are in the topic already (``delivered``), and the state it writes as it goes."""

    def __init__(self, args, readers: list[LineReader]):
        self.args = args
        self.readers = readers
        self.file = ResumeState(args.resume)
        self.loaded: dict | None = None
        self.run_id: bytes | None = None
        self.done_through = 0
        self.restart = dict(FRESH_START)
        self.delivered: list[list[int]] = []    # line ranges > done_through already in the topic
        self.scan_from: dict[str, int] = {}     # partition -> its end offset when this run started
        self.chunks: collections.deque = collections.deque()   # (first line no, reader, offset, incarnation)
        self.next_save = 0.0

    def load(self) -> bool:
        """Lock and read the state file, if any; True if an earlier run delivered every line."""
        self.file.lock()
        data = self.file.load()
        if data is None:
            return False
        self.check(data)
        self.loaded = data
        return bool(data.get("complete"))

    def check(self, data: dict) -> None:
        paths = [r.path for r in self.readers]
        if data.get("inputs") != paths or data.get("topic") != self.args.topic:
            raise UserError(f"{self.args.resume} was written for topic {data.get('topic')!r} and inputs "
                            f"{data.get('inputs')}; this run has topic {self.args.topic!r} and {paths}: "
                            f"use another state file, or delete it to start over")
        r = data["restart"]
        src = self.readers[r["input"]]
        if not r["offset"]:
            return
        same = False
        if r.get("head_sha1") and os.path.exists(src.path):
            same = hashlib.sha1(head_of_file(src.path, r["head_len"])).hexdigest() == r["head_sha1"]
        if same:
            return
        if not src.follow:
            raise UserError(f"{src.name} is not the file {self.args.resume} was written for (its first "
                            f"bytes differ); delete the state file to start over")
        say(f"warning: {src.name} is not the file the state was written for (rotated while the "
            f"producer was down?): reading the new file from its beginning")
        w = data["done_through"]
        r.update(offset=0, line=w, input_line0=w, head_len=0, head_sha1=None)
        data["delivered_after"], data["scan_from"] = [], {}

    def find_delivered(self) -> None:
        """Read back what the earlier run sent after its last state write, and note
        where this run's own messages will start in each partition."""
        data = self.loaded
        self.run_id = (data or {}).get("run_id", uuid.uuid4().hex[:16]).encode()
        consumer = self._consumer()
        try:
            if data:
                self.done_through = data["done_through"]
                self.restart = data["restart"]
                found = scan_topic(consumer, self.args.topic, self.run_id, data.get("scan_from", {}),
                                   self.done_through)
                carry = [tuple(x) for x in data.get("delivered_after", [])] + found
                self.delivered = [x for x in merge_ranges(carry) if x[1] > self.done_through]
            from kafka.structs import TopicPartition
            tps = [TopicPartition(self.args.topic, p)
                   for p in consumer.partitions_for_topic(self.args.topic) or ()]
            self.scan_from = {str(tp.partition): off for tp, off in consumer.end_offsets(tps).items()}
        finally:
            consumer.close()
        if data:
            n = sum(b - a + 1 for a, b in self.delivered)
            say(f"resuming after line {self.done_through:,} ({self.readers[self.restart['input']].name}); "
                f"{n:,} later lines found in the topic will not be sent again")

    def _consumer(self):
        from kafka import KafkaConsumer
        from kafka import errors as Errors
        try:
            return KafkaConsumer(bootstrap_servers=self.args.bootstrap_servers.split(","),
                                 client_id=PROG + "-resume", group_id=None, enable_auto_commit=False,
                                 bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS)
        except Errors.KafkaError as e:
            raise UserError(f"cannot read the topic back to resume: {e}")

    def note_chunk(self, no: int, reader: LineReader) -> None:
        """A chunk whose first line is number `no` was read: a restart point, once acknowledged."""
        self.chunks.append((no, reader, reader.chunk_offset, reader.incarnation))

    def save_if_due(self, pub, input_base: list[int]) -> None:
        if time.monotonic() >= self.next_save:
            self.save(pub, input_base)

    def save(self, pub, input_base: list[int], complete: bool = False) -> None:
        """Write the state for what `pub` has acknowledged so far."""
        self.next_save = time.monotonic() + STATE_EVERY_S
        w = pub.done_through
        chunks = self.chunks
        while len(chunks) > 1 and chunks[1][0] <= w + 1:
            chunks.popleft()
        old = self.file.data or {}
        if chunks and chunks[0][0] <= w + 1:
            first_no, src, offset, incarnation = chunks[0]
            head_len = min(HEAD_BYTES, offset)
            restart = {"input": src.index, "offset": offset, "line": first_no - 1,
                       "input_line0": input_base[src.index],
                       "head_len": head_len, "head_sha1": src.head_digest(head_len, incarnation)}
        else:   # nothing read in this run yet: the old restart point still holds
            restart = old.get("restart", {**FRESH_START, "head_len": 0, "head_sha1": None})
        scan_from = dict(self.scan_from)
        for p, off in pub.high_offset.items():
            scan_from[str(p)] = max(scan_from.get(str(p), 0), off + 1)
        data = {
            "format": STATE_FORMAT,
            "topic": self.args.topic,
            "inputs": [r.path for r in self.readers],
            "run_id": pub.run_id.decode(),
            "done_through": w,
            "restart": restart,
            "scan_from": scan_from,
            "delivered_after": [list(x) for x in self.delivered if x[1] > w],
            "complete": complete,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        try:
            self.file.save(data)
            self.file.data = data
        except OSError as e:
            say(f"warning: cannot write {self.args.resume}: {e.strerror}")
