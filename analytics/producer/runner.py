"""One run: connect to Kafka, read every input in order, publish, wait for the
acknowledgements, print the summary; and `main`, the command itself."""
from __future__ import annotations

import gc
import logging
import os
import signal
import time

from analytics.errors import EXIT_FAILED, EXIT_OK, EXIT_SKIPPED, UserError, fail

from .cli import parse_args
from .common import BOOTSTRAP_TIMEOUT_MS, PROG, TICK_S, log, say
from .progress import Progress
from .publishing import RECORD_OVERHEAD, Publisher
from .reading import LineReader
from .resume import FRESH_START, Resume


def connect(args):
    """Admin client, topic, broker limit, producer. Raises UserError on connection trouble."""
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
        raise UserError(unreachable)
    except Errors.KafkaError as e:
        raise UserError(f"cannot connect to Kafka at {args.bootstrap_servers}: {e}")
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
        raise UserError(f"invalid topic name {args.topic!r}: {e}")
    except Errors.KafkaError as e:
        raise UserError(f"Kafka at {args.bootstrap_servers}: {e}")
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
        raise UserError(f"--compression {args.compression}: {e}")
    except (Errors.KafkaTimeoutError, Errors.KafkaConnectionError):
        raise UserError(unreachable)
    except Errors.KafkaError as e:
        raise UserError(f"cannot start the producer: {e}")
    return producer, limit


class Runner:
    def __init__(self, args):
        self.args = args
        self.readers = [LineReader(f, i, args.follow and f != "-" and i == len(args.files) - 1)
                        for i, f in enumerate(args.files)]
        self.resume = Resume(args, self.readers) if args.resume else None
        self.signals = 0
        self.pub: Publisher | None = None
        self.progress: Progress | None = None
        self.input_base = [0] * len(self.readers)   # global number of each input's line 0
        self.current = 0
        self.complete = False          # every input read to its end
        self.input_error = False
        self.delivered_later: list[list[int]] = []  # line ranges > done_through already in the topic

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
        return f"{self.readers[i].name} line {no - self.input_base[i]}"

    # -- main
    def run(self) -> int:
        args = self.args
        resume = self.resume
        if resume and resume.load():
            say(f"{args.resume}: every line was delivered by an earlier run; nothing to do "
                f"(delete the state file to send the input again)")
            self.print_summary({}, 0.0)
            return EXIT_OK

        producer, limit = connect(args)
        run_id, done_through, restart = None, 0, FRESH_START
        if resume:
            resume.find_delivered()
            run_id, done_through, restart = resume.run_id, resume.done_through, resume.restart
            # a copy: process() drops a range once reading has passed it, but the state
            # must keep it until its lines are acknowledged, or a crash in between sends them again
            self.delivered_later = list(resume.delivered)

        pub = self.pub = Publisher(producer, args, limit - RECORD_OVERHEAD, run_id, done_through,
                                   where=self.where, housekeeping=self.housekeeping)
        for reader in self.readers:
            reader.line_cap = pub.value_limit + 2  # a longer line, even less its \r, is skipped
        total = None
        if not args.follow and "-" not in args.files:
            total = sum(os.path.getsize(r.path) for r in self.readers)
        self.progress = Progress(args.quiet, total)
        # Each record allocates a few objects (kafka-python's future, our tuple):
        # with the default thresholds the cyclic GC runs every few hundred lines and
        # keeps rescanning the unacknowledged futures. Fewer, cheaper passes instead.
        gc.freeze()
        gc.set_threshold(50_000, 20, 50)
        if resume:
            resume.save(pub, self.input_base)     # run id and start offsets on disk before the first send
        t0 = time.monotonic()
        try:
            self.read_all(pub, restart, done_through)
        except UserError as e:
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

    # -- reading
    def read_all(self, pub: Publisher, restart: dict, done_through: int) -> None:
        first = restart["input"]
        no = restart["line"] + 1             # global number of the next line read
        for src in self.readers[first:]:
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

    def read_source(self, src: LineReader, pub: Publisher, no: int, done_through: int) -> int:
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

    def follow_wait(self, src: LineReader, pub: Publisher, no: int, done_through: int) -> int:
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

    def process(self, src: LineReader, lines: list[bytes], no: int, done_through: int) -> int:
        """Send one chunk whose first line is number `no`; returns the next line number."""
        if self.resume:
            self.resume.note_chunk(no, src)
        pub = self.pub
        if no <= done_through:                  # a resumed chunk: skip what was acknowledged
            k = min(len(lines), done_through - no + 1)
            lines = lines[k:]
            no += k
        ranges = self.delivered_later
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
        if self.resume:
            self.resume.save(pub, self.input_base, complete=self.complete)

    # -- housekeeping
    def housekeeping(self) -> None:
        pub = self.pub
        src = self.readers[self.current]
        position = sum(r.size for r in self.readers[:self.current]) + src.raw_position()
        self.progress.update(pub.read, pub.delivered, position)
        if self.resume:
            self.resume.save_if_due(pub, self.input_base)

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
    try:
        args = parse_args(argv)
    except UserError as e:          # a bad environment variable
        return fail(PROG, e)
    logging.basicConfig(format=f"{PROG}: %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING if args.verbose else logging.CRITICAL + 1)
    runner = Runner(args)
    signal.signal(signal.SIGINT, runner.on_signal)
    signal.signal(signal.SIGTERM, runner.on_signal)
    try:
        return runner.run()
    except UserError as e:
        return fail(PROG, e)
    except KeyboardInterrupt:
        say("interrupted before any line was sent")
        return EXIT_FAILED
