"""The local stack (Kafka + HDFS) as plain Java processes; see services.py."""
from .services import (HDFS_URI, KAFKA_BOOTSTRAP, WEBHDFS_URL, StackError, down, hdfs_ready,  # noqa: F401
                       kafka_ready, status, up)
