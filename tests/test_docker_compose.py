"""docker-compose.yml cannot run here (no Docker engine): check it statically
against what the local stack and the README promise."""
from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parent.parent / "docker-compose.yml").read_text())


def published(service):
    return {int(p.split(":")[-1]) for p in COMPOSE["services"][service]["ports"]}


def test_services_and_images():
    services = COMPOSE["services"]
    assert set(services) == {"kafka", "namenode", "datanode"}
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["namenode"]["image"].startswith("apache/hadoop:3.")
    assert services["datanode"]["image"] == services["namenode"]["image"]
    assert services["namenode"]["command"] == ["hdfs", "namenode"]
    assert services["datanode"]["command"] == ["hdfs", "datanode"]


def test_same_ports_as_the_local_stack_on_loopback_only():
    assert published("kafka") == {9092}
    assert published("namenode") == {9000, 9870}
    assert published("datanode") == {9864, 9866, 9867}
    for service in COMPOSE["services"].values():
        assert all(p.startswith("127.0.0.1:") for p in service["ports"])


def test_kafka_is_kraft_and_reachable_from_the_host():
    env = COMPOSE["services"]["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://127.0.0.1:9092"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"


def test_hdfs_matches_the_local_stack():
    env = COMPOSE["services"]["namenode"]["environment"]
    assert COMPOSE["services"]["datanode"]["environment"] == env
    assert env["CORE-SITE.XML_fs.defaultFS"].endswith(":9000")
    assert env["HDFS-SITE.XML_dfs.replication"] == "1"
    assert env["HDFS-SITE.XML_dfs.datanode.hostname"] == "127.0.0.1"
