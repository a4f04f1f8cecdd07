# --- spark fixture (owned by the analytics tests; keep self-contained) -------------------
import warnings

import pytest


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test run: 2 cores, 4 shuffle partitions,
    ANSI on (the Spark 4 default, set explicitly), quiet logs."""
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("analytics-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")  # loopback only, as the project's own
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
# --- end of spark fixture ------------------------------------------------------------------
