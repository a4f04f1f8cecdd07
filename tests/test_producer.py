"""kafka_producer.py against the real local broker.

Each test publishes to its own fresh topic (uuid in the name) and reads the
topic back with a plain kafka-python consumer. Expected lines come from an
independent split of the raw bytes (io.BytesIO.readlines, then one LF or CRLF
removed), never from the producer's own reader.
"""
from __future__ import annotations

import collections
import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from stack.services import KAFKA_BOOTSTRAP as BOOTSTRAP

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "kafka_producer.py"
DATA = ROOT / "tests" / "data"  # real logs, see tests/data/SOURCES.md

pytestmark = pytest.mark.stack


# ----------------------------------------------------------------------------- helpers

def expected_lines(raw: bytes) -> list[bytes]:
    """The lines of `raw` as the producer must send them (independent of its code)."""
    out = []
    for line in io.BytesIO(raw).readlines():
        if line.endswith(b"\r\n"):
            line = line[:-2]
        elif line.endswith(b"\n"):
            line = line[:-1]
        out.append(line)
    return out


_TOPICS: list[str] = []


def new_topic(prefix: str = "test-producer") -> str:
    _TOPICS.append(f"{prefix}-{uuid.uuid4().hex[:12]}")
    return _TOPICS[-1]


@pytest.fixture(scope="module", autouse=True)
def _delete_test_topics():
    """Leave the shared broker as we found it."""
    yield
    if _TOPICS:
        from kafka.admin import KafkaAdminClient
        try:
            admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP, bootstrap_timeout_ms=5000)
            existing = set(admin.list_topics())
            admin.delete_topics([t for t in _TOPICS if t in existing])
            admin.close()
        except Exception:
            pass


def producer_cmd(*args) -> list[str]:
    return [sys.executable, str(SCRIPT), "--bootstrap-servers", BOOTSTRAP, *map(str, args)]


def run_producer(*args, input: bytes | None = None, timeout: float = 120, env: dict | None = None):
    return subprocess.run(producer_cmd(*args), input=input, capture_output=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def start_producer(*args) -> subprocess.Popen:
    return subprocess.Popen(producer_cmd(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def summary(stdout: bytes) -> dict[str, float]:
    """The summary block printed on standard output, as {name: number}."""
    text = stdout.decode()
    assert "summary" in text, text
    rows = re.findall(r"^  (\S.*?)\s+([\d.]+)$", text, re.M)
    return {name: float(value) for name, value in rows}


def consume(topic: str, expect: int | None = None, timeout: float = 60.0):
    """Every record of `topic` as {partition: [records in offset order]}. With
    `expect`, waits until that many records are there (for a running producer)."""
    consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, enable_auto_commit=False,
                             fetch_max_bytes=64 << 20, max_partition_fetch_bytes=16 << 20)
    try:
        deadline = time.monotonic() + timeout
        parts = None
        while not parts:
            parts = consumer.partitions_for_topic(topic)
            if not parts:
                assert time.monotonic() < deadline, f"topic {topic} never appeared"
                time.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records = {tp.partition: [] for tp in tps}
        while True:
            ends = consumer.end_offsets(tps)
            while any(consumer.position(tp) < ends[tp] for tp in tps):
                for tp, batch in consumer.poll(timeout_ms=500).items():
                    records[tp.partition].extend(batch)
                assert time.monotonic() < deadline, "timed out reading the topic"
            if expect is None or sum(map(len, records.values())) >= expect:
                return records
            assert time.monotonic() < deadline, \
                f"only {sum(map(len, records.values()))} of {expect} records arrived"
            time.sleep(0.2)
    finally:
        consumer.close()


def values(records: dict) -> list[bytes]:
    """Record values, partition after partition, each in offset order."""
    return [r.value for p in sorted(records) for r in records[p]]


def lines_of(records: dict) -> list[bytes]:
    """All lines, packed messages split on LF (as the streaming job does)."""
    return [line for v in values(records) for line in v.split(b"\n")]


def is_subsequence(part: list[bytes], whole: list[bytes]) -> bool:
    it = iter(whole)
    return all(any(x == y for y in it) for x in part)


def numbered_lines(n: int, tag: str = "") -> list[bytes]:
    return [b'10.0.%d.%d - - [01/Jul/1995:00:00:%02d -0400] "GET /%s/%d HTTP/1.0" 200 %d'
            % (i % 7, i % 250, i % 60, tag.encode(), i, i) for i in range(n)]


# ----------------------------------------------------------------------------- real data

def test_independent_split_matches_sources_md():
    # record counts stated by hand in SOURCES.md (lines, plus one without final newline)
    stated = {"nasa_Aug95_first100.log.gz": 100, "elastic_apache_logs_2015-05.log.gz": 10_000,
              "ocatak_netsparker_2016-12-22.log.gz": 7_314, "ocatak_w3af_2016-12-22.log.gz": 3_996}
    for name, count in stated.items():
        assert len(expected_lines(gzip.decompress((DATA / name).read_bytes()))) == count


def test_the_fast_path_still_fits_kafka_python(stack, monkeypatch):
    """fast_append reaches into kafka-python's private record accumulator and sender. After
    an upgrade that changed them, it would fall back to send() without a word, or hand
    records to an accumulator that no longer works that way: this is where it shows."""
    import inspect
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient
    from analytics.producer.publishing import fast_append

    # all the fast path skips is send()'s own work before the same two calls
    send = inspect.getsource(KafkaProducer.send)
    assert "self._accumulator.append(tp, timestamp_ms, key_bytes, value_bytes, headers" in send
    assert "future, batch_is_full, new_batch_created, " in send and "self._sender.wakeup()" in send
    topic = new_topic()
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    admin.create_topics({topic: {"num_partitions": 1}}, wait_for_metadata=True)
    admin.close()
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True,
                             linger_ms=20, batch_size=1 << 20)
    try:
        fast = fast_append(producer)
        assert fast is not None, "kafka-python's accumulator no longer has the shape fast_append expects"
        append, wakeup = fast
        assert append.__self__ is producer._accumulator and wakeup.__self__ is producer._sender
        producer.partitions_for(topic)
        futures = []
        for value in (b"first", b"second"):
            result = append(TopicPartition(topic, 0), None, None, value, [])
            assert isinstance(result, tuple) and len(result) == 4, result
            fut, full, new, _ = result
            assert isinstance(full, bool) and isinstance(new, bool)
            futures.append((fut, new))
            if full or new:
                wakeup()
        assert [new for _, new in futures] == [True, False]    # one batch, created by the first
        producer.flush(timeout=30)
        for i, (fut, _) in enumerate(futures):     # what Publisher.drain and wait_oldest read
            assert fut.is_done and fut.exception is None and callable(fut.get)
            assert (fut.value.partition, fut.value.offset) == (0, i)
        monkeypatch.setenv("PRODUCER_SEND_API", "public")
        assert fast_append(producer) is None
    finally:
        producer.close()
    assert values(consume(topic)) == [b"first", b"second"]


@pytest.mark.parametrize("send_api", ["fast", "public"])
def test_every_line_of_every_real_file_arrives_byte_identical(stack, send_api):
    files = sorted(DATA.glob("*.gz"))
    assert len(files) >= 10
    expected = []
    per_file = {}
    for f in files:
        per_file[f.name] = expected_lines(gzip.decompress(f.read_bytes()))
        expected += per_file[f.name]
    topic = new_topic()
    done = run_producer("--topic", topic, "--partitions", 2, *files,
                        env={"PRODUCER_SEND_API": send_api})
    assert done.returncode == 0, done.stderr.decode()
    s = summary(done.stdout)
    assert s["lines read"] == s["delivered"] == s["messages"] == len(expected) == 53_482
    assert s["failed"] == s["skipped (too large)"] == 0
    assert s["bytes"] == sum(map(len, expected))
    records = consume(topic)
    assert len(records) == 2 and all(records.values()), "both partitions are used"
    got = values(records)
    assert collections.Counter(got) == collections.Counter(expected)
    for p, recs in records.items():     # each partition keeps the file order
        assert is_subsequence([r.value for r in recs], expected)
    # the CRLF file really had CRs, and none arrived
    assert all(not v.endswith(b"\r") for v in per_file["ocatak_netsparker_2016-12-22.log.gz"])
    assert b"\r" not in b"".join(got)


def test_real_files_packed_100_lines_per_message(stack):
    files = sorted(DATA.glob("*.gz"))
    expected = [line for f in files for line in expected_lines(gzip.decompress(f.read_bytes()))]
    topic = new_topic()
    done = run_producer("--topic", topic, "--partitions", 1, "--lines-per-message", 100, *files)
    assert done.returncode == 0, done.stderr.decode()
    records = consume(topic)
    assert lines_of(records) == expected
    assert summary(done.stdout)["messages"] == len(values(records)) == -(-len(expected) // 100)


# ----------------------------------------------------------------------------- awkward bytes

AWKWARD = (b"first line\n"
           b"\n"                                   # blank
           b"\r\n"                                 # blank, CRLF
           b"crlf line\r\n"
           b"bare \r inside, not an ending\n"
           b"invalid utf-8 \xff\xfe\xc3\x28 \x80\n"
           b"nul \x00 byte and tab \t\n"
           + b"L" * 32 * 1024 + b"\n"                 # 32 KiB
           + b"M" * (2 << 20) + b"\r\n"               # 2 MiB: over Kafka's 1 MiB default, under ours
           + b"two CRs\r\r\n"                      # one CR is data
           b"last line without newline")


@pytest.mark.parametrize("how", ["plain", "gzip", "stdin"])
def test_awkward_lines_arrive_exactly(stack, tmp_path, how):
    expected = expected_lines(AWKWARD)
    assert len(expected) == 11 and expected[-1] == b"last line without newline"
    assert expected[9] == b"two CRs\r"
    path = tmp_path / "awkward.log"
    if how == "gzip":
        path = tmp_path / "awkward.log.gz"
        path.write_bytes(gzip.compress(AWKWARD))
    else:
        path.write_bytes(AWKWARD)
    topic = new_topic()
    if how == "stdin":
        done = run_producer("--topic", topic, "--partitions", 1, "-", input=AWKWARD)
    else:
        done = run_producer("--topic", topic, "--partitions", 1, path)
    assert done.returncode == 0, done.stderr.decode()
    assert values(consume(topic)) == expected
    assert summary(done.stdout)["delivered"] == 11


def test_awkward_lines_packed(stack, tmp_path):
    path = tmp_path / "awkward.log"
    path.write_bytes(AWKWARD * 3)
    expected = expected_lines(AWKWARD * 3)
    topic = new_topic()
    done = run_producer("--topic", topic, "--partitions", 1, "--lines-per-message", 4, path)
    assert done.returncode == 0, done.stderr.decode()
    records = consume(topic)
    assert lines_of(records) == expected
    assert all(v.count(b"\n") <= 3 for v in values(records))


def test_line_over_the_broker_limit_is_reported_counted_and_skipped(stack, tmp_path):
    big = b"X" * (11 << 20)              # the stack's broker accepts 10 MiB
    path = tmp_path / "big.log"
    path.write_bytes(b"before\n" + big + b"\nafter\n")
    for n in (1, 10):
        topic = new_topic()
        done = run_producer("--topic", topic, "--partitions", 1, "--lines-per-message", n, path)
        assert done.returncode == 3, done.stderr.decode()
        assert "line 2" in done.stderr.decode() and "skipped" in done.stderr.decode()
        s = summary(done.stdout)
        assert (s["lines read"], s["delivered"], s["skipped (too large)"], s["failed"]) == (3, 2, 1, 0)
        assert lines_of(consume(topic)) == [b"before", b"after"]


def test_a_region_with_no_newline_is_skipped_without_being_held_whole(stack, tmp_path):
    """300 MiB with no newline, between two lines: the producer keeps only as much of it
    as the broker's limit (10 MiB here), not all of it, before skipping it."""
    path = tmp_path / "no-newline.log"
    with open(path, "wb") as f:
        f.write(b"before\n")
        for _ in range(300):
            f.write(b"X" * (1 << 20))
        f.write(b"\nafter\n")
    topic = new_topic()
    measure = ("import resource, subprocess, sys; "
               "done = subprocess.run(sys.argv[1:], capture_output=True); "
               "sys.stdout.buffer.write(done.stdout); sys.stderr.buffer.write(done.stderr); "
               "print('maxrss_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(done.returncode)")
    done = subprocess.run([sys.executable, "-c", measure, *map(str, producer_cmd("--topic", topic, "--partitions", 1,
                                                                                   path))],
                          capture_output=True, timeout=300)
    assert done.returncode == 3, done.stderr.decode()  # 3: some lines skipped
    s = summary(done.stdout)
    assert (s["lines read"], s["delivered"], s["skipped (too large)"], s["failed"]) == (3, 2, 1, 0)
    assert lines_of(consume(topic)) == [b"before", b"after"]
    peak_mib = int(re.search(rb"maxrss_kib (\d+)", done.stdout).group(1)) / 1024
    assert peak_mib < 150, f"the producer peaked at {peak_mib:.0f} MiB"


def test_key_host(stack, tmp_path):
    lines = numbered_lines(300)
    path = tmp_path / "k.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    topic = new_topic()
    done = run_producer("--topic", topic, "--partitions", 2, "--key", "host", path)
    assert done.returncode == 0, done.stderr.decode()
    records = consume(topic)
    partition_of_host = {}
    for p, recs in records.items():
        for r in recs:
            host = r.value.split(b" ")[0]
            assert r.key == host
            assert partition_of_host.setdefault(host, p) == p
    assert collections.Counter(values(records)) == collections.Counter(lines)


# ----------------------------------------------------------------------------- pacing

def test_rate_is_respected(stack, tmp_path):
    path = tmp_path / "rate.log"
    path.write_bytes(b"\n".join(numbered_lines(1000)) + b"\n")
    topic = new_topic()
    t0 = time.monotonic()
    done = run_producer("--topic", topic, "--rate", 500, path)
    wall = time.monotonic() - t0
    assert done.returncode == 0, done.stderr.decode()
    assert summary(done.stdout)["delivered"] == 1000
    assert summary(done.stdout)["elapsed s"] >= 1.5 and 1.5 <= wall < 30


def test_replay_speed_follows_the_log_timestamps(stack, tmp_path):
    lines = [b'h - - [01/Jul/1995:00:00:00 -0400] "GET / HTTP/1.0" 200 1',
             b"no timestamp here",
             b'h - - [01/Jul/1995:00:00:02 -0400] "GET / HTTP/1.0" 200 1',
             b'h - - [01/Jul/1995:00:00:04 -0400] "GET / HTTP/1.0" 200 1']
    path = tmp_path / "replay.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    topic = new_topic()
    done = run_producer("--topic", topic, "--partitions", 1, "--replay-speed", 4, path)
    assert done.returncode == 0, done.stderr.decode()
    assert 0.9 <= summary(done.stdout)["elapsed s"] < 10     # 4 s of log at 4x = 1 s
    assert values(consume(topic)) == lines


# ----------------------------------------------------------------------------- stopping

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_file_delivers_what_was_read(stack, tmp_path, sig):
    lines = numbered_lines(5000)
    path = tmp_path / "stop.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    topic = new_topic()
    proc = start_producer("--topic", topic, "--partitions", 1, "--rate", 1000,
                          "--lines-per-message", 3, path)
    consume(topic, expect=100, timeout=30)      # it is running
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    s = summary(out)
    assert 100 <= s["lines read"] < 5000
    assert s["delivered"] == s["lines read"] and s["failed"] == 0
    assert lines_of(consume(topic)) == lines[:int(s["lines read"])]


def test_follow_appends_rotation_and_truncation(stack, tmp_path):
    path = tmp_path / "access.log"
    first = numbered_lines(10, "a")
    path.write_bytes(b"\n".join(first) + b"\n")
    topic = new_topic()
    proc = start_producer("--topic", topic, "--partitions", 1, "--follow", path)
    try:
        sent = list(first)
        consume(topic, expect=len(sent), timeout=30)

        with open(path, "ab") as f:             # appends, one line written in two parts
            f.write(b"appended 1\nappended 2\r\nappen")
            f.flush()
            time.sleep(0.5)
            f.write(b"ded 3\n")
        sent += [b"appended 1", b"appended 2", b"appended 3"]
        consume(topic, expect=len(sent), timeout=30)

        os.rename(path, tmp_path / "access.log.1")             # rotation, logrotate style
        with open(tmp_path / "access.log.1", "ab") as f:        # late write to the old file
            f.write(b"late line in the rotated file\nrotated final line without newline")
        sent += [b"late line in the rotated file", b"rotated final line without newline"]
        time.sleep(0.5)
        path.write_bytes(b"new file 1\nnew file 2\n")
        sent += [b"new file 1", b"new file 2"]
        consume(topic, expect=len(sent), timeout=30)

        with open(path, "r+b") as f:                            # truncation (copytruncate style)
            f.truncate(0)
        time.sleep(0.5)
        with open(path, "ab") as f:
            f.write(b"after truncate\n")
        sent += [b"after truncate"]
        consume(topic, expect=len(sent), timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert "rotated" in err.decode() and "truncated" in err.decode()
    assert values(consume(topic)) == sent
    s = summary(out)
    assert s["lines read"] == s["delivered"] == len(sent)


# ----------------------------------------------------------------------------- resume

@pytest.mark.parametrize("per_message", [1, 10])
def test_resume_after_kill_sends_every_line_exactly_once(stack, tmp_path, per_message):
    lines = numbered_lines(6000, f"resume{per_message}")
    path = tmp_path / "resume.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    state = tmp_path / "state.json"
    topic = new_topic()
    args = ("--topic", topic, "--partitions", 2, "--lines-per-message", per_message,
            "--resume", state, path)

    proc = start_producer("--rate", 1500, *args)
    try:
        deadline = time.monotonic() + 30
        while not (state.exists() and json.loads(state.read_text())["done_through"] > 500):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        # kill half-way between two state writes, so acknowledged lines lie beyond the state
        mtime = state.stat().st_mtime_ns
        while state.stat().st_mtime_ns == mtime:
            time.sleep(0.01)
        time.sleep(0.5)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = lines_of(consume(topic))
    saved = json.loads(state.read_text())
    assert 0 < saved["done_through"] < len(before) < len(lines)

    done = run_producer(*args)
    assert done.returncode == 0, done.stderr.decode()
    s = summary(done.stdout)
    assert s["already in topic"] > 0            # found by reading the topic back, not resent
    assert s["lines read"] == s["delivered"] + s["already in topic"]
    assert s["lines read"] == len(lines) - saved["done_through"]

    got = lines_of(consume(topic))
    dupes = [line for line, n in collections.Counter(got).items() if n > 1]
    assert not dupes, f"{len(dupes)} lines sent twice"
    assert sorted(got) == sorted(lines)

    again = run_producer(*args)                  # a finished state: nothing to do
    assert again.returncode == 0 and "nothing to do" in again.stderr.decode()
    assert len(lines_of(consume(topic))) == len(lines)


def test_resume_after_a_kill_before_the_first_periodic_state_write(stack, tmp_path):
    lines = numbered_lines(3000, "early")
    path = tmp_path / "early.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    state = tmp_path / "state.json"
    topic = new_topic()
    args = ("--topic", topic, "--partitions", 2, "--resume", state, path)
    proc = start_producer("--rate", 3000, *args)
    try:
        consume(topic, expect=20, timeout=30)        # lines are arriving: kill at once
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert json.loads(state.read_text())["done_through"] < len(values(consume(topic)))
    done = run_producer(*args)
    assert done.returncode == 0, done.stderr.decode()
    got = values(consume(topic))
    assert len(got) == len(set(got)) == len(lines) and set(got) == set(lines)


def test_resume_refuses_a_changed_file(stack, tmp_path):
    path = tmp_path / "r.log"
    path.write_bytes(b"\n".join(numbered_lines(100)) + b"\n")
    state = tmp_path / "state.json"
    topic = new_topic()
    first = run_producer("--topic", topic, "--resume", state, "--rate", 200, path, timeout=60)
    assert first.returncode == 0
    data = json.loads(state.read_text())
    data["complete"] = False                    # pretend it stopped half-way ...
    data["restart"].update(offset=5000, line=50, head_len=4096)
    state.write_text(json.dumps(data))
    path.write_bytes(b"\n".join(numbered_lines(100, "other")) + b"\n")   # ... and the file changed
    done = run_producer("--topic", topic, "--resume", state, path)
    assert done.returncode == 1
    assert "delete the state file" in done.stderr.decode()


# ----------------------------------------------------------------------------- errors

def test_unreachable_broker_is_one_clear_line(tmp_path):
    path = tmp_path / "x.log"
    path.write_bytes(b"a line\n")
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, str(SCRIPT), "--bootstrap-servers", "127.0.0.1:1", path],
                          capture_output=True, timeout=60)
    assert time.monotonic() - t0 < 30
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.count("\n") == 1 and "cannot reach a Kafka broker at 127.0.0.1:1" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    (["/no/such/file.log"], "no such file"),
    (["--key", "host", "--lines-per-message", "5", "x"], "--key host needs --lines-per-message 1"),
    (["--resume", "s.json", "-"], "--resume needs named files"),
    (["--rate", "fast", "x"], "not a number"),
])
def test_usage_errors(args, message):
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert message in done.stderr.decode() and "Traceback" not in done.stderr.decode()


@pytest.mark.parametrize("variable, value, message", [
    ("PRODUCER_QUIET", "maybe",
     "kafka_producer: error: PRODUCER_QUIET='maybe' is not a boolean (use 1/0, true/false, yes/no or on/off)"),
    ("PRODUCER_LINES_PER_MESSAGE", "many",
     "kafka_producer.py: error: argument --lines-per-message: not an integer: 'many' (see --help)"),
])
def test_a_bad_environment_variable_is_one_line(variable, value, message):
    done = subprocess.run([sys.executable, str(SCRIPT), "x.log"], capture_output=True, text=True,
                          timeout=30, env={**os.environ, variable: value}, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip() == message


def test_help_names_every_environment_variable():
    out = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True).stdout
    for var in ("KAFKA_BOOTSTRAP_SERVERS", "LOG_TOPIC", "PRODUCER_RATE", "PRODUCER_FOLLOW",
                "PRODUCER_LINES_PER_MESSAGE", "PRODUCER_KEY", "PRODUCER_RESUME", "PRODUCER_QUIET"):
        assert var in out
    assert "exactly once" in out
