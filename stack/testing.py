"""pytest fixtures for tests that need the real local stack (loaded from the
root conftest.py). A stack that is already up is reused and left running;
one that this test session started is stopped at its end."""
import pytest

from . import services


def _running() -> bool:
    return all(s.pid() for s in services.services()) and services.kafka_ready() and services.hdfs_ready()


@pytest.fixture(scope="session")
def stack():
    started_here = not _running()
    if started_here:
        services.up()
    yield services
    if started_here:
        services.down()
