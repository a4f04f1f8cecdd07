"""Lines to messages, and their acknowledgements in line order.

One line per message normally goes straight into kafka-python's record accumulator
(:func:`fast_append`); packs, keys, pacing and --resume's headers go through send().
"""
from __future__ import annotations

import collections
import inspect
import threading
import time

from analytics import environment

from .common import TICK_S, say
from .pacing import Pacer
from .resume import HEADER_KEY

PACK_MAX_AGE_S = 0.1            # a partial pack waits at most this long for more lines
MAX_PENDING_MSGS = 100_000      # back-pressure: unacknowledged messages ...
MAX_PENDING_BYTES = 64 << 20    # ... and bytes before reading pauses
RECORD_OVERHEAD = 512           # record batch + record header bytes kept free under the limit
APPEND_PARAMS = ["tp", "timestamp_ms", "key", "value", "headers"]


def fast_append(producer):
    """(accumulator.append, sender.wakeup) of kafka-python's producer, or None.

    Most of KafkaProducer.send()'s time is per-call work that a plain bytes value
    with an explicit, known partition does not need (argument checks, serializers,
    metadata lookup, partitioner, size estimate, debug-log formatting). For one line
    per message the producer hands records straight to the record accumulator, as
    send() itself does, and wakes the sender thread when a batch fills up. This is a
    private API: it is used only if it has the shape of the pinned kafka-python
    3.0.x, and PRODUCER_SEND_API=public turns it off."""
    if environment.text("PRODUCER_SEND_API", "").lower() == "public":
        return None
    acc = getattr(producer, "_accumulator", None)
    sender = getattr(producer, "_sender", None)
    if acc is None or sender is None or producer.config.get("transactional_id"):
        return None
    try:
        params = list(inspect.signature(acc.append).parameters)[:5]
    except (TypeError, ValueError):
        return None
    if params != APPEND_PARAMS or not callable(getattr(sender, "wakeup", None)):
        return None
    return acc.append, sender.wakeup


class Publisher:
    """Turns lines into messages, tracks their acknowledgements in order, and
    keeps the counters. Line numbers are global across the inputs, from 1.

    `where(no)` names line `no` in warnings (its file and line); `housekeeping()`
    runs every tick (progress, the resume state)."""

    BLOCK = 4096        # lines sent to one partition before moving to the next (1 line/message)

    def __init__(self, producer, args, value_limit: int, run_id: bytes | None, done_through: int = 0,
                 where=lambda no: f"line {no}", housekeeping=lambda: None):
        self.send = producer.send
        self.topic = args.topic
        self.N = args.lines_per_message
        self.key_host = args.key == "host"
        self.value_limit = value_limit
        self.run_id = run_id
        self.where = where
        self.housekeeping = housekeeping
        self.pacer = Pacer(args.rate, args.replay_speed) if args.rate or args.replay_speed else None
        self.simple = not (self.pacer or self.key_host)
        from kafka.structs import TopicPartition
        self.tps = [TopicPartition(self.topic, p) for p in sorted(producer.partitions_for(self.topic) or (0,))]
        self.next_partition = 0
        self.fast = fast_append(producer)
        # in send order == line order: (future | None, last line number, lines, bytes)
        self.pend: collections.deque = collections.deque()
        self.done_through = done_through   # every line <= this is acknowledged (or skipped)
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
        self._next_tick = 0.0

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

    def _oversize(self, no: int) -> None:
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
            self._oversize(no)
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
        if self.N == 1:
            if self.run_id is None:
                self._feed_one_per_message(lines, no)
            else:
                for line in lines:
                    if len(line) > self.value_limit:
                        self._oversize(no)
                    else:
                        self._send(line, no, no, len(line))
                    no += 1
        else:
            self._feed_packed(lines, no)

    def _feed_one_per_message(self, lines: list[bytes], no: int) -> None:
        """The hot path. Blocks of BLOCK lines go to one partition after the other:
        explicit partitions skip kafka-python's partitioner."""
        send, topic, pend_append, limit = self.send, self.topic, self.pend.append, self.value_limit
        sent_bytes, skipped_before = 0, self.skipped
        nparts, BLOCK = len(self.tps), self.BLOCK
        for start in range(0, len(lines), BLOCK):
            part = self.next_partition
            self.next_partition = (part + 1) % nparts
            block = lines[start:start + BLOCK] if len(lines) > BLOCK else lines
            if self.fast is not None:
                # send() minus its per-call checks, partitioner and debug formatting,
                # which cost as much as the append itself
                append, wakeup, tp, no_headers = self.fast + (self.tps[part], [])
                for line in block:
                    n = len(line)
                    if n > limit:
                        self._oversize(no)
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
                        self._oversize(no)
                    else:
                        pend_append((send(topic, line, partition=part), no, 1, n))
                        sent_bytes += n
                    no += 1
        self.sent_bytes += sent_bytes
        self.messages += len(lines) - (self.skipped - skipped_before)

    def _feed_packed(self, lines: list[bytes], no: int) -> None:
        N, limit = self.N, self.value_limit
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
        taken = 0
        for line in lines:
            if self.stop:
                break
            if self.pacer is not None:
                self._pace(line)
                if self.stop:
                    break
            if self.key_host:
                if len(line) > limit:
                    self._oversize(no)
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
        due = self.pacer.due(line, now)
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
