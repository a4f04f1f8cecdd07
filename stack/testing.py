"""pytest fixtures for tests that need the real local stack (loaded from the
root conftest.py). What is already up is reused and left running; what this
test session started is stopped at its end."""
import os

import pytest

from . import services


def _running(group: str) -> bool:
    return all(s.pid() for s in services.services((group,))) and services.READY_GROUP[group]()


def _group(group: str):
    started_here = not _running(group)
    if started_here:
        services.up(group=group)
    yield services
    if started_here:
        for service in reversed(services.services((group,))):
            services.stop(service)


@pytest.fixture(scope="session")
def stack():
    # what the job reads and writes without Spark goes to WebHDFS: this stack's port too
    # (LOG_ANALYTICS_STACK_PORT_OFFSET), not the default one
    os.environ.setdefault("LOG_ANALYTICS_WEBHDFS", services.WEBHDFS_URL)
    yield from _group("core")


@pytest.fixture(scope="session")
def spark_cluster(stack):
    """A standalone Spark master and two workers, beside the core stack."""
    yield from _group("spark-cluster")


@pytest.fixture(scope="session")
def spark_connect(stack):
    """A Spark Connect server, beside the core stack."""
    yield from _group("connect")
