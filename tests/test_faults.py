"""Faults against the real processes: a service SIGKILLed under a running stream or producer,
the stream itself crashing at each point of a batch, offsets deleted by retention, a full
disk. For each: what the job did, how long it took to notice, and, after a restart, the
lines lost and doubled, counted against the lines published (every line has its own host,
so the report's per-host counts show each line once, twice or not at all).

Each test leaves the stack as it found it. The slow ones are marked ``faults`` and run in
`make faults`, which prints the table; `make test` runs the rest."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

sys.path.insert(0, str(Path(__file__).parent))
from reference import assert_same, parse_line, report_for_lines  # noqa: E402
from test_stream import PYTHON, ROOT, hdfs_output, publish, run_stream, stream_cmd  # noqa: E402

pytestmark = pytest.mark.stack
faults = pytest.mark.faults

PRODUCER = ROOT / "kafka_producer.py"


def numbered(count: int, start: int = 0) -> list[bytes]:
    """``count`` valid lines, line i from host ``h<i>``, spread over two days."""
    return [f'h{i} - - [0{1 + i % 2}/Aug/1995:{i % 24:02d}:00:00 -0400] "GET /p{i % 50} HTTP/1.0" 200 {i % 997}'.encode()
            for i in range(start, start + count)]


def full_report(output: str) -> dict:
    result = subprocess.run([PYTHON, "-m", "analytics", "report", "--output", output, "--format", "json",
                             "--top", "1000000"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    import json
    return json.loads(result.stdout)


def lost_and_doubled(counts: Counter, lines: list[bytes]) -> tuple[int, int]:
    want = Counter(r["host"] for r in (parse_line(line.decode()) for line in lines) if r)
    lost = sum(max(0, n - counts.get(h, 0)) for h, n in want.items())
    doubled = sum(max(0, n - want.get(h, 0)) for h, n in counts.items())
    return lost, doubled


def tally(output: str, lines: list[bytes]) -> tuple[int, int]:
    """(lines lost, lines doubled) in the totals at ``output``."""
    hosts = Counter({row["host"]: row["count"] for row in full_report(output)["frequent_hosts"]})
    return lost_and_doubled(hosts, lines)


def readable(stderr: str) -> bool:
    """One readable error line: no Python traceback, no Java stack frame."""
    return "Traceback" not in stderr and not re.search(r"^\s+at [\w.$]+\(", stderr, re.M)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower()]


def stopped(stderr: str) -> str:
    """What a job that stopped said, for the table."""
    last = stderr.strip().splitlines()[-1]
    return "stops with one line: " + re.sub(r"^[\w.]+: error: (the stream failed: )?", "", last)[:110]


def start_stream(stack, topic, output, tmp_path, *flags, env=None) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"stream-{uuid.uuid4().hex[:6]}.log"
    process = subprocess.Popen(stream_cmd(stack, topic, output, *flags), cwd=ROOT, stdout=open(log, "w"),
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, **(env or {})})
    return process, log


def wait_for_batches(process, log: Path, count: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while log.read_text().count("batch ") < count:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def kill(service) -> None:
    os.killpg(service.pid(), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while service.pid() and time.monotonic() < deadline:
        time.sleep(0.1)


def service(stack, name: str):
    return next(s for s in stack.services(("core",)) if s.name == name)


@pytest.fixture
def restore(stack):
    """Whatever a test kills is started again at its end."""
    yield
    stack.up()


def record(table, fault: str, behaviour: str, detected: float | None, lost: int, doubled: int) -> None:
    table.append({"fault": fault, "behaviour": behaviour,
                  "detected_s": None if detected is None else round(detected, 1), "lost": lost, "doubled": doubled})


def finish_and_count(stack, topic, output, lines, fault_table, fault, behaviour, detected):
    """Restart the stream on its checkpoint, drain the topic, and count against the lines."""
    result = run_stream(stack, topic, output, "--available-now", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lost, doubled = tally(output, lines)
    record(fault_table, fault, behaviour, detected, lost, doubled)
    assert (lost, doubled) == (0, 0)
    assert_same(full_report(output), report_for_lines(lines, top=1000000))


# --- the stream crashes at each point of a batch ------------------------------------------

POINTS = ["parsed", "records", "rejects", "partials", "state", "written", "committed"]


@pytest.mark.parametrize("point", [pytest.param(p, marks=[] if p == "written" else [faults]) for p in POINTS])
def test_a_crash_at_each_point_of_a_batch_loses_and_doubles_nothing(stack, point, fault_table):
    lines = numbered(3000)
    lines[1500::250] = [line[:40] for line in lines[1500::250]]  # truncated: batch 1 has rejects to write
    topic = publish(stack, lines)
    output = hdfs_output(stack)
    crashed = run_stream(stack, topic, output, "--available-now", "--max-offsets-per-trigger", "1000",
                         env={"LOG_ANALYTICS_CRASH_AT": point, "LOG_ANALYTICS_CRASH_BATCH": "1"})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-3000:]
    assert f"crash: SIGKILL at {point} of batch 1" in crashed.stdout
    finish_and_count(stack, topic, output, lines, fault_table, f"stream SIGKILL at {point}",
                     "killed; the restart replays the batch", None)


# --- HDFS ----------------------------------------------------------------------------------

@faults
@pytest.mark.parametrize("name", ["namenode", "datanode"])
def test_hdfs_killed_under_the_stream(stack, name, tmp_path, restore, fault_table):
    lines = numbered(12000)
    topic = publish(stack, lines)
    output = hdfs_output(stack)
    process, log = start_stream(stack, topic, output, tmp_path, "--trigger-seconds", "1",
                                "--max-offsets-per-trigger", "1000")
    wait_for_batches(process, log, 2)
    kill(service(stack, name))
    killed_at = time.monotonic()
    try:
        _, stderr = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"the stream neither failed nor went on within 300 s of the {name}'s death")
    detected = time.monotonic() - killed_at
    assert process.returncode == 1, stderr[-3000:]
    assert readable(stderr), stderr[-3000:]
    assert len(error_lines(stderr)) == 1 and stderr.strip().splitlines()[-1].startswith("spark_stream.py: error: "), \
        stderr[-3000:]
    stack.up()
    finish_and_count(stack, topic, output, lines, fault_table, f"HDFS {name} SIGKILL under the stream",
                     stopped(stderr), detected)


# --- Kafka ---------------------------------------------------------------------------------

@faults
def test_the_broker_killed_and_restarted_under_the_stream(stack, tmp_path, restore, fault_table):
    lines = numbered(12000)
    topic = publish(stack, lines)
    output = hdfs_output(stack)
    process, log = start_stream(stack, topic, output, tmp_path, "--available-now", "--max-offsets-per-trigger", "1000")
    wait_for_batches(process, log, 2)
    kill(service(stack, "kafka"))
    time.sleep(10)
    stack.up()
    try:
        _, stderr = process.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the stream neither finished nor failed within 400 s of the broker's restart")
    if process.returncode == 0:
        behaviour, detected = "rides out a 10 s outage, carries on", None
    else:
        assert process.returncode == 1 and readable(stderr), stderr[-3000:]
        behaviour, detected = stopped(stderr), None
    finish_and_count(stack, topic, output, lines, fault_table, "Kafka broker SIGKILL + restart under the stream",
                     behaviour, detected)


def topic_lines(stack, topic: str) -> Counter:
    consumer = KafkaConsumer(bootstrap_servers=stack.KAFKA_BOOTSTRAP, group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=5000, auto_offset_reset="earliest")
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(partitions)
    end = consumer.end_offsets(partitions)
    got = Counter()
    while any(consumer.position(tp) < end[tp] for tp in partitions):
        for records in consumer.poll(timeout_ms=2000).values():
            for message in records:
                got.update(message.value.split(b"\n"))
    consumer.close()
    return got


@faults
@pytest.mark.parametrize("resume", [False, True])
def test_the_broker_killed_under_the_producer(stack, tmp_path, restore, fault_table, resume):
    lines = numbered(300000)
    path = tmp_path / "access.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    topic = f"faults-{uuid.uuid4().hex[:10]}"
    flags = ["--resume", str(tmp_path / "state.json")] if resume else []
    command = [PYTHON, str(PRODUCER), "--bootstrap-servers", stack.KAFKA_BOOTSTRAP, "--topic", topic,
               "--rate", "20000", *flags, str(path)]
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)  # about 100,000 lines in
    kill(service(stack, "kafka"))
    killed_at = time.monotonic()
    time.sleep(10)
    stack.up()
    out, err = producer.communicate(timeout=400)
    detected = time.monotonic() - killed_at
    runs = 1
    if producer.returncode != 0:
        assert readable(err), err[-3000:]
        behaviour = stopped(err)
        if resume:  # a second run sends what the first did not
            again = subprocess.run(command, capture_output=True, text=True, timeout=400)
            assert again.returncode == 0, again.stderr[-3000:]
            runs = 2
    else:
        behaviour = "rides out a 10 s outage, carries on"
    got = topic_lines(stack, topic)
    lost, doubled = lost_and_doubled(Counter({k.split(b" ", 1)[0].decode(): v for k, v in got.items()}), lines)
    record(fault_table, f"Kafka broker SIGKILL under the producer{' with --resume' if resume else ''}",
           behaviour + (", then --resume again" if runs == 2 else ""), detected if runs == 2 or producer.returncode
           else None, lost, doubled)
    if producer.returncode == 0 or resume:
        assert (lost, doubled) == (0, 0)
    else:
        assert doubled == 0  # without --resume, a failed run says so; what it sent is there once


# --- retention deletes offsets the stream has not read ----------------------------------

@faults
def test_offsets_deleted_before_they_were_read(stack, fault_table):
    lines = numbered(2000)
    topic = publish(stack, lines[:1000], partitions=1)
    output = hdfs_output(stack)
    assert run_stream(stack, topic, output, "--available-now").returncode == 0
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA_BOOTSTRAP, acks="all")
    for line in lines[1000:]:
        producer.send(topic, line)
    producer.close()
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA_BOOTSTRAP)
    admin.delete_records({TopicPartition(topic, 0): 1300})  # as retention would: 1000-1299, never read
    admin.close()
    refused = run_stream(stack, topic, output, "--available-now")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"spark_stream.py: error: 300 messages of {topic} were deleted by Kafka's retention before the stream "
        f"read them (partition 0 offsets 1000-1299); pass --skip-lost-offsets to go on without them")
    skipped = run_stream(stack, topic, output, "--available-now", "--skip-lost-offsets")
    assert skipped.returncode == 0, skipped.stderr[-3000:]
    assert ("stream: skipping 300 messages deleted by Kafka's retention before they were read "
            "(partition 0 offsets 1000-1299)") in skipped.stdout
    kept = lines[:1000] + lines[1300:]
    lost, doubled = tally(output, kept)
    record(fault_table, "unread offsets deleted by retention",
           "stops naming the range; --skip-lost-offsets counts and skips it", None, 300, doubled)
    assert (lost, doubled) == (0, 0)
    assert_same(full_report(output), report_for_lines(kept, top=1000000))


# --- the output's disk fills up -------------------------------------------------------------

@faults
def test_a_full_output_disk(stack, tmp_path, fault_table):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], check=True)
    try:
        lines = numbered(40000)
        topic = publish(stack, lines)
        output = f"file://{disk}/out"
        started = time.monotonic()
        result = run_stream(stack, topic, output, "--available-now", "--max-offsets-per-trigger", "10000")
        detected = time.monotonic() - started
        assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-3000:]
        assert readable(result.stderr) and "No space left on device" in result.stderr.strip().splitlines()[-1], \
            result.stderr[-3000:]
        # the batch that failed is committed neither in the state nor in the checkpoint
        from analytics import microbatch
        from analytics.storage import state
        failed = int(re.search(r"error: the stream failed: batch (\d+):", result.stderr).group(1))
        assert failed >= 1 and microbatch.checkpoint_committed(f"{output}/_checkpoint") == failed - 1
        assert (state.last_committed(output) or 0) <= failed - 1
        subprocess.run(["mount", "-o", "remount,size=200m", str(disk)], check=True)
        finish_and_count(stack, topic, output, lines, fault_table, "output disk full (2 MiB tmpfs)",
                         stopped(result.stderr), detected)
    finally:
        subprocess.run(["umount", "-l", str(disk)])
