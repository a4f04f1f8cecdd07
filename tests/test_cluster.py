"""The job on a real standalone Spark cluster (a master and two workers, each in its own
JVM: executors outside the driver), and what the project's processes listen on."""

import ipaddress
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from reference import assert_same, report_for_lines  # noqa: E402
from test_stream import DATA, PYTHON, ROOT, hdfs_output, publish, read_lines, report, stream_cmd  # noqa: E402

pytestmark = pytest.mark.stack

NAMES = ["nasa_Aug95_first100.log.gz", "secrepo_access_2018-12-15.log.gz", "ocatak_w3af_2016-12-22.log.gz"]


@pytest.fixture(scope="module")
def lines():
    return [line for name in NAMES for line in read_lines(DATA / name)]


def executor_hosts(stack) -> set[str]:
    """The hosts of the executors the master has run for any application."""
    import json
    import urllib.request
    with urllib.request.urlopen(f"{stack.SPARK_MASTER_UI}/json/", timeout=5) as response:
        state = json.load(response)
    return {w["host"] for w in state["workers"] if w["state"] == "ALIVE"}


def test_batch_run_on_the_cluster_equals_the_reference(spark_cluster, lines):
    output = hdfs_output(spark_cluster)
    res = subprocess.run([PYTHON, "-m", "analytics", "run", *[str(DATA / n) for n in NAMES], "--output", output,
                          "--master", spark_cluster.SPARK_MASTER], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.startswith(f"lines={len(lines)} ")
    assert_same(report(output), report_for_lines(lines, top=1000))
    # the work ran in the workers' executors: their folders hold this application's logs
    apps = sorted((spark_cluster.RUN / "spark").glob("worker-*/app-*"), key=lambda p: p.stat().st_mtime)
    assert apps and any((apps[-1] / executor / "stderr").exists() for executor in ("0", "1"))
    assert executor_hosts(spark_cluster) == {"127.0.0.1"}


def listening() -> list[tuple[str, str]]:
    """(local address, process name) of every listening TCP socket on the machine."""
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    found = []
    for row in out.splitlines():
        fields = row.split()
        address = fields[3].rsplit(":", 1)[0].strip("[]")
        pids = re.findall(r"pid=(\d+)", row)
        found.append((address, pids[0] if pids else "?"))
    return found


def loopback(address: str) -> bool:
    """127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address (a Java socket's view)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # "*": every address
        return False
    return ip.is_loopback or bool(getattr(ip, "ipv4_mapped", None) and ip.ipv4_mapped.is_loopback)


def ours(pid: str) -> bool:
    """A process the project started: a service of the stack, a Spark JVM of this checkout."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return "-Dlog.analytics.service=" in cmdline or str(ROOT) in cmdline


def test_stream_on_the_cluster_equals_the_reference_and_everything_listens_on_loopback(
        spark_cluster, spark_connect, lines):
    """A stream on the cluster; while it runs beside the stack, the cluster and Spark
    Connect, no process of ours listens on anything but 127.0.0.1. Once it has read every
    line, SIGTERM stops it after its batch, and its totals equal the reference."""
    topic = publish(spark_cluster, lines)
    output = hdfs_output(spark_cluster)
    job = subprocess.Popen(stream_cmd(spark_cluster, topic, output, "--trigger-seconds", "2", "--no-warm-up",
                                      "--max-offsets-per-trigger", "2000", "--master", spark_cluster.SPARK_MASTER),
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    read, sockets = 0, []
    try:
        for line in job.stdout:
            if line.startswith("batch "):
                read += int(line.split()[2].replace(",", ""))
                if not sockets:  # the driver and the executors are up
                    sockets = [(address, pid) for address, pid in listening() if ours(pid)]
                if read >= len(lines):
                    break
        job.send_signal(signal.SIGTERM)
        assert job.wait(120) == 0
    finally:
        if job.poll() is None:
            job.kill()
    assert read == len(lines)
    assert_same(report(output), report_for_lines(lines, top=1000))
    # 3 stack services, the master, 2 workers, Connect, the stream's driver
    assert len({pid for _, pid in sockets}) >= 8, sockets
    assert [s for s in sockets if not loopback(s[0])] == []
