"""Before a service can start: the JDK and the jars (`make install`), each service's
configuration rendered under stack/run/, and the first start's formatting of Kafka's and
the NameNode's storage."""
from __future__ import annotations

import base64
import os
import re
import shutil
import string
import subprocess
import uuid
from pathlib import Path

from .config import CLASSPATHS, CONF, HERE, LIB, MIN_JAVA, PORTS, RUN, Service, StackError, java_command, tail

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

def render_config() -> None:
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


def format_once(by_name: dict[str, Service]) -> None:
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
        result = subprocess.run(java_command(service, main_class, args), stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise StackError(f"could not {what} (exit {result.returncode}); last lines of {log}:\n{tail(log)}")
