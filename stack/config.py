"""What the local stack is: its folders, its ports and addresses, and its services (each a
plain `java` process with its own classpath: under stack/lib/, or the installed pyspark's
own jars). Everything a service needs at run time (configuration, data, pid, log) lives
under stack/run/, which is git-ignored and wiped by `clean-data`.
"""
from __future__ import annotations

import os
import sys
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


def java_command(service: Service, main_class: str, args: list[str]) -> list[str]:
    return ["java", "-Xms64m", f"-Xmx{service.heap}", service.gc,
            f"-Dlog.analytics.service={service.name}", *service.jvm_flags,
            "-cp", service.classpath, main_class, *args]


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
