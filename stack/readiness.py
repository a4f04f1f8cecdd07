"""Is a service ready: a real request answered, not just a port open."""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

from .config import KAFKA_BOOTSTRAP, PORTS, SPARK_MASTER_UI, WEBHDFS_URL, WORKERS

def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


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


READY_GROUP = {"core": lambda: kafka_ready() and hdfs_ready(), "spark-cluster": spark_cluster_ready,
               "connect": connect_ready}
