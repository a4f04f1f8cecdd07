"""A local SparkSession configured for this project (2 cores, few shuffle partitions,
ANSI on, quiet logs)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

LOG4J = Path(__file__).with_name("log4j2.properties")


def spark_session(app: str = "log-analytics", master: str | None = None, driver_memory: str | None = None):
    """Get or create the SparkSession. Static settings apply only if no session exists."""
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")
    from pyspark.sql import SparkSession

    java_opts = f"-Dlog4j2.configurationFile={LOG4J.as_uri()}"
    builder = (
        SparkSession.builder.appName(app)
        .master(master or os.environ.get("LOG_ANALYTICS_MASTER", "local[2]"))
        .config("spark.driver.memory", driver_memory or os.environ.get("LOG_ANALYTICS_DRIVER_MEMORY", "2g"))
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.files.maxPartitionBytes", str(32 * 1024 * 1024))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # fail fast (one clear line) when an hdfs:// NameNode is not there
        .config("spark.hadoop.ipc.client.connect.max.retries", "1")
        .config("spark.hadoop.ipc.client.connect.max.retries.on.timeouts", "1")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
