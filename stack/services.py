"""The local stack: a Kafka broker and an HDFS NameNode + DataNode (`make up`), and on
demand a standalone Spark cluster (`make spark-cluster`: a master and two workers) and a
Spark Connect server (`make connect`), all on 127.0.0.1: starting, stopping, status and
logs. What the services are is :mod:`.config`; what they need before starting,
:mod:`.install`; when they are ready, :mod:`.readiness`. The names other code uses are
all here.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .config import (GROUPS, HDFS_URI, KAFKA_BOOTSTRAP, PORTS, RUN, SPARK_MASTER, SPARK_MASTER_UI,  # noqa: F401
                     SPARK_REMOTE, WEBHDFS_URL, WORKERS, Service, StackError, java_command, services, tail)
from .install import check_installed, format_kafka_storage, format_once, install, java_version, new_cluster_id, render_config  # noqa: F401,E501
from .readiness import (READY, READY_GROUP, connect_ready, hdfs_ready, kafka_ready, port_in_use,  # noqa: F401
                        spark_cluster_ready)


def port_owner(port: int) -> str:
    """Best effort: who listens on a port, for the error message."""
    try:
        out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    except OSError:
        return "another program"
    match = re.search(r'users:\(\("([^"]+)",pid=(\d+)', out)
    return f"{match.group(1)} (pid {match.group(2)})" if match else "another program"


# --- up / down / status ---------------------------------------------------------

def up(timeout: float = 120.0, group: str = "core") -> None:
    """Start what is not running of ``group`` (the core stack, the Spark cluster or Spark
    Connect) and wait until it is ready."""
    java_version()
    check_installed()
    all_services = services((group,))
    by_name = {s.name: s for s in all_services}
    to_start = []
    for service in all_services:
        if service.pid():
            continue
        for port in service.ports:
            if port_in_use(port):
                raise StackError(f"port {port} (needed by {service.name}) is already in use by {port_owner(port)}: "
                                 f"stop it, or run `make down` if it is an old stack")
        to_start.append(service)
    render_config()
    started = time.monotonic()
    if to_start and group == "core":
        format_once(by_name)
    processes = {}
    for service in to_start:
        service.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(service.log_file, "ab") as log:
            processes[service.name] = subprocess.Popen(
                java_command(service, service.main_class, service.args), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, env={**os.environ, **service.env})
        service.pid_file.write_text(str(processes[service.name].pid))
    _wait_ready(all_services, processes, started + timeout)
    if to_start:
        print(f"stack: started {', '.join(s.name for s in to_start)} in {time.monotonic() - started:.1f} s")
    else:
        print(f"stack: {group} already running")
    print(describe(group))


def _wait_ready(all_services: list[Service], processes: dict[str, subprocess.Popen], deadline: float) -> None:
    """Wait until each service answers; ``processes``: those started just now, whose exit
    is told by their own process (a JVM that is starting may not show its command line yet)."""
    pending = {s.name: s for s in all_services}
    while pending:
        for name, service in list(pending.items()):
            gone = processes[name].poll() is not None if name in processes else not service.pid()
            if gone:
                raise StackError(f"{name} died while starting; last lines of {service.log_file}:\n{tail(service.log_file)}")
            if READY[name]():
                del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(pending)
            raise StackError(f"{names} not ready in time; see {', '.join(str(s.log_file) for s in pending.values())}")
        time.sleep(0.5)


def describe(group: str = "core") -> str:
    if group == "spark-cluster":
        return (f"  Spark master {SPARK_MASTER:<30} UI {SPARK_MASTER_UI}, {WORKERS} workers; "
                f"logs {RUN / 'logs'}/spark-*.log")
    if group == "connect":
        return f"  Spark Connect {SPARK_REMOTE:<29} (SPARK_REMOTE={SPARK_REMOTE}) log {RUN / 'logs' / 'spark-connect.log'}"
    rows = [
        f"  Kafka      {KAFKA_BOOTSTRAP:<32} log {RUN / 'logs' / 'kafka.log'}",
        f"  NameNode   {HDFS_URI:<32} log {RUN / 'logs' / 'namenode.log'}",
        f"  WebHDFS/UI {WEBHDFS_URL:<32} files: {WEBHDFS_URL}/explorer.html",
        f"  DataNode   127.0.0.1:{PORTS['datanode_port']:<22} log {RUN / 'logs' / 'datanode.log'}",
    ]
    return "\n".join(rows)


def down(grace: float = 20.0) -> None:
    stopped = [service.name for service in reversed(services())  # Connect and Spark first, Kafka last
               if stop(service, grace)]
    print(f"stack: stopped {', '.join(stopped)}" if stopped else "stack: nothing running")


def stop(service: Service, grace: float = 20.0) -> bool:
    """Stop ``service``; True if it was running."""
    pid = service.pid()
    if pid:
        _stop(pid, grace)
    service.pid_file.unlink(missing_ok=True)
    return pid is not None


def _stop(pid: int, grace: float) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def status() -> bool:
    """Print each service's state; True when the core stack, and whatever else runs, are
    up and ready (the Spark cluster and Connect are listed only when running)."""
    healthy = True
    for service in services():
        pid = service.pid()
        if not pid and service.group != "core":
            continue
        if not pid:
            state = "DOWN (not running)"
            healthy = False
        elif READY[service.name]():
            state = f"up (pid {pid}, {_rss_mib(pid)} MiB resident)"
        else:
            state = f"running but NOT READY (pid {pid}); see {service.log_file}"
            healthy = False
        print(f"  {service.name:<14} {state}")
    return healthy


def _rss_mib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def logs(name: str | None, lines: int) -> None:
    for service in services():
        if name in (None, service.name):
            print(f"==> {service.log_file} <==")
            print(tail(service.log_file, lines))


def clean_data() -> None:
    if any(s.pid() for s in services()):
        raise StackError("the stack is running: `make down` first, then `make clean-data`")
    for directory in ("kafka", "hdfs", "logs", "conf", "spark"):
        shutil.rmtree(RUN / directory, ignore_errors=True)
    print(f"stack: data wiped under {RUN}")
