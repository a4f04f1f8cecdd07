"""The local stack: a Kafka broker and an HDFS NameNode + DataNode (`make up`), and on
demand a standalone Spark cluster (`make spark-cluster`: a master and two workers) and a
Spark Connect server (`make connect`), as plain `java` processes on 127.0.0.1, each with
its own classpath: under stack/lib/, or the installed pyspark's own jars.

Everything a service needs at run time (configuration, data, pid, log) lives
under stack/run/, which is git-ignored and wiped by `clean-data`.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIB = HERE / "lib"
CONF = HERE / "conf"
RUN = Path(os.environ.get("LOG_ANALYTICS_STACK_RUN", HERE / "run")).resolve()

# A second stack beside the first (tests of the stack itself) shifts every port.
_OFFSET = int(os.environ.get("LOG_ANALYTICS_STACK_PORT_OFFSET", "0"))
PORTS = {name: port + _OFFSET for name, port in {
    "kafka_port": 9092,
    "kafka_controller_port": 9093,
    "hdfs_rpc_port": 9000,
    "hdfs_http_port": 9870,
    "datanode_port": 9866,
    "datanode_http_port": 9864,
    "datanode_ipc_port": 9867,
    "spark_master_port": 7077,
    "spark_master_ui_port": 8080,
    "spark_worker_1_ui_port": 8081,
    "spark_worker_2_ui_port": 8082,
    "spark_connect_port": 15002,
}.items()}
KAFKA_BOOTSTRAP = f"127.0.0.1:{PORTS['kafka_port']}"
HDFS_URI = f"hdfs://127.0.0.1:{PORTS['hdfs_rpc_port']}"
WEBHDFS_URL = f"http://127.0.0.1:{PORTS['hdfs_http_port']}"
SPARK_MASTER = f"spark://127.0.0.1:{PORTS['spark_master_port']}"
SPARK_MASTER_UI = f"http://127.0.0.1:{PORTS['spark_master_ui_port']}"
SPARK_REMOTE = f"sc://127.0.0.1:{PORTS['spark_connect_port']}"
ROOT = HERE.parent
#: what `make up` starts; `make spark-cluster` and `make connect` start the other groups
GROUPS = ("core", "spark-cluster", "connect")
WORKERS = 2
WORKER_MEMORY = "1g"  # for each worker's executor

# Classpaths resolved by `make install` (mvn -P <profile> dependency:copy-dependencies).
CLASSPATHS = ("kafka", "hdfs", "spark-kafka")
MIN_JAVA = 17


class StackError(Exception):
    """A problem the user can fix; printed as one line."""


@dataclass
class Service:
    name: str
    classpath: str
    main_class: str
    args: list[str]
    ports: list[int]
    heap: str
    jvm_flags: list[str] = field(default_factory=list)
    group: str = "core"
    env: dict[str, str] = field(default_factory=dict)
    gc: str = "-XX:+UseSerialGC"

    @property
    def pid_file(self) -> Path:
        return RUN / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return RUN / "logs" / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid of our running process, or None (a stale pid file is ignored)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        # the pid may have been reused by an unrelated process
        return pid if f"-Dlog.analytics.service={self.name}".encode() in cmdline else None


HADOOP_JVM_FLAGS = [
    # Hadoop 3.4 reflects into JDK internals that Java 17 closes by default
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    f"-Dhadoop.log.dir={RUN / 'logs'}",
    "-Dhadoop.root.logger=INFO,console",
]


def services(groups: tuple[str, ...] = GROUPS) -> list[Service]:
    """The services of ``groups``, in start order."""
    return [s for s in _core() + _spark_cluster() + [_connect()] if s.group in groups]


def _core() -> list[Service]:
    hdfs_cp = f"{RUN / 'conf' / 'hdfs'}:{LIB / 'hdfs'}/*"
    hdfs_flags = HADOOP_JVM_FLAGS + [f"-Dlog4j.configuration=file:{CONF / 'hdfs-log4j.properties'}"]
    return [
        Service(
            name="kafka",
            classpath=f"{LIB / 'kafka'}/*",
            main_class="kafka.Kafka",
            args=[str(RUN / "conf" / "kafka.properties")],
            ports=[PORTS["kafka_port"], PORTS["kafka_controller_port"]],
            heap="384m",
            jvm_flags=[f"-Dlog4j2.configurationFile={CONF / 'kafka-log4j2.yaml'}"],
        ),
        Service(
            name="namenode",
            classpath=hdfs_cp,
            main_class="org.apache.hadoop.hdfs.server.namenode.NameNode",
            args=[],
            ports=[PORTS["hdfs_rpc_port"], PORTS["hdfs_http_port"]],
            heap="256m",
            jvm_flags=hdfs_flags,
        ),
        Service(
            name="datanode",
            classpath=hdfs_cp,
            main_class="org.apache.hadoop.hdfs.server.datanode.DataNode",
            args=[],
            ports=[PORTS["datanode_port"], PORTS["datanode_http_port"], PORTS["datanode_ipc_port"]],
            heap="256m",
            jvm_flags=hdfs_flags,
        ),
    ]


def _pyspark_home() -> Path:
    """The installed pyspark: its jars/ are a Spark distribution's (SPARK_HOME)."""
    import importlib.util
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.origin:
        raise StackError("pyspark is not installed: run `make install`")
    return Path(spec.origin).parent


# Spark reflects into JDK internals that Java 17 closes by default (what Spark's own
# launcher adds to every Spark JVM)
SPARK_JVM_FLAGS = [f"--add-opens=java.base/{package}=ALL-UNNAMED" for package in (
    "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
    "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs",
    "sun.security.action", "sun.util.calendar")] + [
    "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true"]


def _spark_env(home: Path) -> dict[str, str]:
    # SPARK_LOCAL_IP: what Spark binds when nothing more precise is set (block managers,
    # the executors a worker starts, which inherit this environment)
    # SPARK_SCALA_VERSION: what Spark's own scripts set, and its launcher (the command a
    # worker builds for an executor) needs, outside a source tree
    scala = next((home / "jars").glob("spark-core_*.jar")).name.split("_")[1].split("-")[0]
    return {"SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_CONF_DIR": str(ROOT / "conf"),
            "SPARK_SCALA_VERSION": scala}


def _spark_cluster() -> list[Service]:
    home = _pyspark_home()
    classpath = f"{ROOT / 'conf'}:{home / 'jars'}/*"
    master = Service(
        name="spark-master", classpath=classpath, main_class="org.apache.spark.deploy.master.Master",
        args=["--host", "127.0.0.1", "--port", str(PORTS["spark_master_port"]),
              "--webui-port", str(PORTS["spark_master_ui_port"])],
        ports=[PORTS["spark_master_port"], PORTS["spark_master_ui_port"]], heap="256m",
        jvm_flags=SPARK_JVM_FLAGS, group="spark-cluster", env=_spark_env(home))
    workers = [Service(
        name=f"spark-worker-{n}", classpath=classpath, main_class="org.apache.spark.deploy.worker.Worker",
        args=["--host", "127.0.0.1", "--cores", "1", "--memory", WORKER_MEMORY,
              "--webui-port", str(PORTS[f"spark_worker_{n}_ui_port"]),
              "--work-dir", str(RUN / "spark" / f"worker-{n}"), SPARK_MASTER],
        ports=[PORTS[f"spark_worker_{n}_ui_port"]], heap="256m", jvm_flags=SPARK_JVM_FLAGS,
        group="spark-cluster", env=_spark_env(home))
        for n in range(1, WORKERS + 1)]
    return [master, *workers]


def _connect() -> Service:
    """Spark Connect: a Spark driver that clients reach over gRPC, started by spark-submit's
    own main class, with the line parser and the Kafka connector on its classpath."""
    home = _pyspark_home()
    jars = [str(ROOT / "analytics" / "jvm" / "log-analytics-jvm.jar"),
            *sorted(str(j) for j in (LIB / "spark-kafka").glob("*.jar"))]
    return Service(
        name="spark-connect", classpath=f"{ROOT / 'conf'}:{home / 'jars'}/*",
        main_class="org.apache.spark.deploy.SparkSubmit",
        args=["--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
              "--name", "log-analytics-connect", "--master", os.environ.get("LOG_ANALYTICS_MASTER", "local[2]"),
              "--jars", ",".join(jars),
              "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
              "--conf", f"spark.connect.grpc.binding.port={PORTS['spark_connect_port']}",
              "spark-internal"],
        ports=[PORTS["spark_connect_port"]], heap=os.environ.get("LOG_ANALYTICS_DRIVER_MEMORY", "2g"),
        jvm_flags=[*SPARK_JVM_FLAGS, "-XX:-DontCompileHugeMethods"], gc="-XX:+UseParallelGC",
        group="connect",
        # its Python workers (the stream's foreachBatch) need pyspark, pyarrow, kafka-python
        # and hdfs: this environment's, not whatever `python3` is first on PATH; and they
        # reach HDFS over WebHDFS (analytics.storage.store): this stack's, on its own port
        env={**_spark_env(home), "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
             "LOG_ANALYTICS_WEBHDFS": os.environ.get("LOG_ANALYTICS_WEBHDFS", WEBHDFS_URL)})


# --- checks -----------------------------------------------------------------

def java_version() -> int:
    java = shutil.which("java")
    if not java:
        raise StackError(f"java not found on PATH: install a JDK {MIN_JAVA} or newer")
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise StackError(f"could not read the Java version from `java -version`: {out.strip()[:200]}")
    major = int(match.group(1))
    if major == 1:  # "1.8.0_x" style
        major = int(match.group(2) or 0)
    if major < MIN_JAVA:
        raise StackError(f"Java {major} found, Java {MIN_JAVA} or newer is needed (set PATH or JAVA_HOME)")
    return major


def check_installed() -> None:
    missing = [cp for cp in CLASSPATHS if not any((LIB / cp).glob("*.jar"))]
    if missing:
        raise StackError(f"jars for {', '.join(missing)} are missing under {LIB}: run `make install`")


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def port_owner(port: int) -> str:
    """Best effort: who listens on a port, for the error message."""
    try:
        out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    except OSError:
        return "another program"
    match = re.search(r'users:\(\("([^"]+)",pid=(\d+)', out)
    return f"{match.group(1)} (pid {match.group(2)})" if match else "another program"


# --- install (the JVM side) -------------------------------------------------

def install(force: bool = False) -> None:
    """Resolve each service's classpath into its own folder; quick when done."""
    pom = HERE / "pom.xml"
    todo = [cp for cp in CLASSPATHS if force or not _classpath_fresh(cp, pom)]
    if not todo:
        print("jars: up to date (stack/lib/)")
        return
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError("mvn (Apache Maven) not found on PATH: install Maven 3.6+ to resolve the Kafka, Hadoop and connector jars")
    for cp in todo:
        target = LIB / cp
        print(f"jars: resolving {cp} with Maven into {target} ...", flush=True)
        shutil.rmtree(target, ignore_errors=True)
        result = subprocess.run(
            [mvn, "-B", "-q", "-f", str(pom), "-P", cp, "dependency:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={target}"],
            capture_output=True, text=True)
        if result.returncode != 0:
            errors = [l for l in result.stdout.splitlines() if "ERROR" in l][:1]
            detail = errors[0].replace("[ERROR]", "").strip()[:300] if errors else "see `mvn -P " + cp + " dependency:copy-dependencies`"
            shutil.rmtree(target, ignore_errors=True)
            raise StackError(f"Maven could not resolve the {cp} jars: {detail}")
        (target / ".stamp").write_text(str(pom.stat().st_mtime_ns))


def _classpath_fresh(cp: str, pom: Path) -> bool:
    stamp = LIB / cp / ".stamp"
    return stamp.exists() and stamp.read_text() == str(pom.stat().st_mtime_ns)


# --- configuration and first-start formatting -------------------------------

def _render_config() -> None:
    values = {"run": str(RUN), "user": os.environ.get("USER") or "root", **{k: str(v) for k, v in PORTS.items()}}
    for directory in ("conf/hdfs", "logs", "kafka", "hdfs"):
        (RUN / directory).mkdir(parents=True, exist_ok=True)
    targets = {
        "kafka.properties": RUN / "conf" / "kafka.properties",
        "core-site.xml": RUN / "conf" / "hdfs" / "core-site.xml",
        "hdfs-site.xml": RUN / "conf" / "hdfs" / "hdfs-site.xml",
    }
    for template, target in targets.items():
        target.write_text(string.Template((CONF / template).read_text()).substitute(values))


def _java(service: Service, main_class: str, args: list[str]) -> list[str]:
    return ["java", "-Xms64m", f"-Xmx{service.heap}", service.gc,
            f"-Dlog.analytics.service={service.name}", *service.jvm_flags,
            "-cp", service.classpath, main_class, *args]


def _format_once(by_name: dict[str, Service]) -> None:
    """Format Kafka's and the NameNode's storage the first time only."""
    if not (RUN / "kafka" / "data" / "meta.properties").exists():
        format_kafka_storage(by_name["kafka"], new_cluster_id())
    namenode = by_name["namenode"]
    if not (RUN / "hdfs" / "name" / "current" / "VERSION").exists():
        _run_tool(namenode, namenode.main_class, ["-format", "-nonInteractive", "-force"], "format the NameNode")


def new_cluster_id() -> str:
    """A random KRaft cluster id, the URL-safe base64 of a UUID. Like Kafka's own
    generator, it never begins with ``-``, which a command line reads as an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def format_kafka_storage(kafka: Service, cluster_id: str) -> None:
    # `--cluster-id=ID` in one word: any id, even one that begins with `-`, stays a value
    _run_tool(kafka, "kafka.tools.StorageTool",
              ["format", f"--cluster-id={cluster_id}", "--config", str(RUN / "conf" / "kafka.properties")],
              "format Kafka storage")


def _run_tool(service: Service, main_class: str, args: list[str], what: str) -> None:
    log = RUN / "logs" / f"{service.name}-format.log"
    with open(log, "w") as out:
        result = subprocess.run(_java(service, main_class, args), stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise StackError(f"could not {what} (exit {result.returncode}); last lines of {log}:\n{_tail(log)}")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- readiness ----------------------------------------------------------------

def kafka_ready() -> bool:
    """A real metadata request answered by the broker."""
    from kafka import KafkaAdminClient  # imported late: `make install` may not have run yet
    try:
        admin = KafkaAdminClient(bootstrap_servers=KAFKA_BOOTSTRAP, request_timeout_ms=3000)
    except Exception:
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        admin.close()


def _get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def hdfs_ready() -> bool:
    """WebHDFS answers LISTSTATUS, one DataNode is live, and safe mode is off."""
    if _get_json(f"{WEBHDFS_URL}/webhdfs/v1/?op=LISTSTATUS") is None:
        return False
    state = _get_json(f"{WEBHDFS_URL}/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState")
    info = _get_json(f"{WEBHDFS_URL}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo")
    if not state or not info or not state.get("beans") or not info.get("beans"):
        return False
    live = state["beans"][0].get("NumLiveDataNodes", 0)
    safemode = info["beans"][0].get("Safemode", "")
    return live >= 1 and not safemode


def datanode_ready() -> bool:
    """The DataNode itself says it is registered with the NameNode (the
    NameNode alone may still count a DataNode that just died as live)."""
    info = _get_json(f"http://127.0.0.1:{PORTS['datanode_http_port']}/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo")
    actors = (info or {}).get("beans", [{}])[0].get("BPServiceActorInfo") or ""
    return '"ActorState":"RUNNING"' in actors and hdfs_ready()


def _alive_workers() -> int:
    state = _get_json(f"{SPARK_MASTER_UI}/json/")
    return sum(w.get("state") == "ALIVE" for w in (state or {}).get("workers", []))


def spark_cluster_ready() -> bool:
    """The master answers and counts every worker alive."""
    return _alive_workers() >= WORKERS


def connect_ready() -> bool:
    return port_in_use(PORTS["spark_connect_port"])


READY = {"kafka": kafka_ready, "namenode": hdfs_ready, "datanode": datanode_ready,
         "spark-master": lambda: _get_json(f"{SPARK_MASTER_UI}/json/") is not None,
         **{f"spark-worker-{n}": (lambda n=n: _alive_workers() >= n) for n in range(1, WORKERS + 1)},
         "spark-connect": connect_ready}


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
    _render_config()
    started = time.monotonic()
    if to_start and group == "core":
        _format_once(by_name)
    processes = {}
    for service in to_start:
        service.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(service.log_file, "ab") as log:
            processes[service.name] = subprocess.Popen(
                _java(service, service.main_class, service.args), stdout=log, stderr=subprocess.STDOUT,
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
                raise StackError(f"{name} died while starting; last lines of {service.log_file}:\n{_tail(service.log_file)}")
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


READY_GROUP = {"core": lambda: kafka_ready() and hdfs_ready(), "spark-cluster": spark_cluster_ready,
               "connect": connect_ready}


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
            print(_tail(service.log_file, lines))


def clean_data() -> None:
    if any(s.pid() for s in services()):
        raise StackError("the stack is running: `make down` first, then `make clean-data`")
    for directory in ("kafka", "hdfs", "logs", "conf", "spark"):
        shutil.rmtree(RUN / directory, ignore_errors=True)
    print(f"stack: data wiped under {RUN}")
