"""The local stack, for real: a broker that carries messages, an HDFS that
stores files (WebHDFS and Spark's own Hadoop client), and the failure paths a
user meets (port taken, Java missing, a service dying under the stack)."""
import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from hdfs import InsecureClient
from kafka import KafkaConsumer, KafkaProducer

ROOT = Path(__file__).resolve().parent.parent


def run_stack(*args, env=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "stack", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def test_a_message_goes_through_the_broker(stack):
    topic = f"stack-test-{uuid.uuid4().hex[:8]}"
    payload = b"127.0.0.1 - - [01/Jul/1995:00:00:01 -0400] \"GET / HTTP/1.0\" 200 7 \xff"
    producer = KafkaProducer(bootstrap_servers=stack.KAFKA_BOOTSTRAP, acks="all")
    producer.send(topic, payload).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(topic, bootstrap_servers=stack.KAFKA_BOOTSTRAP, auto_offset_reset="earliest",
                             consumer_timeout_ms=20000)
    received = []
    for message in consumer:
        received.append(message.value)
        break
    consumer.close()
    assert received == [payload]


def test_a_file_round_trips_through_webhdfs(stack):
    client = InsecureClient(stack.WEBHDFS_URL)
    path = f"/tmp/stack-test/{uuid.uuid4().hex}.bin"
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    client.write(path, data)
    with client.read(path) as reader:
        assert reader.read() == data
    assert client.status(path)["length"] == len(data)
    client.delete(path)
    assert client.status(path, strict=False) is None


def test_spark_reads_back_parquet_it_wrote_to_hdfs(stack, spark):
    path = f"{stack.HDFS_URI}/tmp/stack-test/{uuid.uuid4().hex}.parquet"
    rows = [(i, f"host{i % 7}") for i in range(1000)]
    spark.createDataFrame(rows, "n long, host string").write.parquet(path)
    back = spark.read.parquet(path)
    assert back.count() == 1000
    assert sorted(tuple(r) for r in back.collect()) == rows
    # the files really are in HDFS, seen through WebHDFS independently of Spark
    listing = InsecureClient(stack.WEBHDFS_URL).list(path.removeprefix(stack.HDFS_URI))
    assert "_SUCCESS" in listing and any(name.endswith(".parquet") for name in listing)


def test_a_port_taken_by_another_program_is_one_clear_line(tmp_path):
    offset = 20000  # a second, unstarted stack: nothing of ours listens on its ports
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 9092 + offset))
        squatter.listen()
        result = run_stack("up", "--timeout", "5", env={"LOG_ANALYTICS_STACK_RUN": str(tmp_path),
                                                        "LOG_ANALYTICS_STACK_PORT_OFFSET": str(offset)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "port 29092" in lines[0] and "already in use" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_java_missing_is_one_clear_line(tmp_path):
    result = run_stack("up", env={"PATH": str(tmp_path), "LOG_ANALYTICS_STACK_RUN": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip() == "stack: error: java not found on PATH: install a JDK 17 or newer"


def test_kafka_storage_formats_with_a_cluster_id_that_begins_with_a_dash(tmp_path):
    # one random id in 64 begins with "-": the storage tool must still take it as the id
    cluster_id = "-" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")[1:]
    script = ("import sys; from stack import config, install; install.render_config(); "
              "install.format_kafka_storage(next(x for x in config.services() if x.name == 'kafka'), sys.argv[1])")
    result = subprocess.run([sys.executable, "-c", script, cluster_id], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "LOG_ANALYTICS_STACK_RUN": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stderr
    meta = (tmp_path / "kafka" / "data" / "meta.properties").read_text()
    assert f"cluster.id={cluster_id}\n" in meta


def test_new_cluster_ids_never_begin_with_a_dash():
    from stack.install import new_cluster_id
    ids = [new_cluster_id() for _ in range(5000)]  # about 78 would begin with "-" if unchecked
    assert len(set(ids)) == 5000 and all(len(i) == 22 and not i.startswith("-") for i in ids)


def test_status_reports_a_killed_service_and_up_restarts_it(stack):
    datanode = next(s for s in stack.services() if s.name == "datanode")
    pid = datanode.pid()
    assert pid
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while datanode.pid() and time.monotonic() < deadline:
        time.sleep(0.1)
    result = run_stack("status")
    assert result.returncode == 1
    assert re.search(r"^  datanode +DOWN", result.stdout, re.M)
    assert re.search(r"^  kafka +up", result.stdout, re.M) and re.search(r"^  namenode +up", result.stdout, re.M)
    # and the stack heals: `up` starts only what is missing
    result = run_stack("up")
    assert result.returncode == 0, result.stderr
    assert "started datanode in" in result.stdout
    assert run_stack("status").returncode == 0
