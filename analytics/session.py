"""The SparkSession, configured by the project's defaults (``conf/``) unless told otherwise."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The project's Spark defaults (spark-defaults.conf, log4j2.properties): Spark's own
#: SPARK_CONF_DIR for spark-submit, and read here when Python starts the driver. They are
#: defaults: spark-submit's --conf and --master always win.
CONF_DIR = ROOT / "conf"
#: The classes a Spark driver loads, archived by `make install` (JDK class data sharing):
#: the driver starts faster. It belongs to the environment whose pyspark jars it holds;
#: the JVM ignores an archive that does not match (other JDK, other jars).
CLASS_ARCHIVE = Path(sys.prefix) / "spark-classes.jsa"
#: The project's own JVM code (the line parser of analytics.parse), built by `make install`.
JVM_JAR = Path(__file__).with_name("jvm") / "log-analytics-jvm.jar"
PARSER_CLASS = "loganalytics.AccessLineParser"
FORMAT_PARSER_CLASS = "loganalytics.FormatParser"


def spark_session(app: str = "log-analytics", master: str | None = None, driver_memory: str | None = None,
                  config: dict[str, str] | None = None, archive_classes_to: Path | None = None):
    """Get or create the SparkSession with the project's defaults (:data:`CONF_DIR`). Under
    spark-submit, or in a session that already exists, what was set there wins: ``master``,
    ``driver_memory`` and ``config`` only fill in what is not set. With ``SPARK_REMOTE``
    set (pyspark's own variable), a client session of that Spark Connect server.
    ``archive_classes_to``: write the driver's class archive there when its JVM exits."""
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")
    from pyspark.sql import SparkSession

    remote = os.environ.get("SPARK_REMOTE")
    if remote:  # a Spark Connect server: its settings and classpath are the session's
        return SparkSession.builder.remote(remote).appName(app).getOrCreate()
    submitted = submitted_conf()
    # Python workers (if Spark ever needs one) run this interpreter, not whatever
    # `python3` is first on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    # Python starts the driver with the project's defaults as settings, not through
    # SPARK_CONF_DIR: that folder on the JVM's classpath would disable the class archive.
    settings = {
        **defaults(),
        "spark.master": master or os.environ.get("LOG_ANALYTICS_MASTER", "local[2]"),
        "spark.driver.memory": driver_memory or os.environ.get("LOG_ANALYTICS_DRIVER_MEMORY", "2g"),
        **(config or {}),
    }
    java_opts = [f"-Dlog4j2.configurationFile={(CONF_DIR / 'log4j2.properties').as_uri()}"]
    if archive_classes_to:
        java_opts.append(f"-XX:ArchiveClassesAtExit={archive_classes_to}")
    elif CLASS_ARCHIVE.is_file():
        java_opts.append(f"-XX:SharedArchiveFile={CLASS_ARCHIVE}")
    settings["spark.driver.extraJavaOptions"] = " ".join(java_opts)
    builder = SparkSession.builder.appName(app)
    for key, value in settings.items():
        if not submitted.contains(key):
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def defaults() -> dict[str, str]:
    """The settings of ``conf/spark-defaults.conf``, as Spark reads that file."""
    settings = {}
    for line in (CONF_DIR / "spark-defaults.conf").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            settings[key] = value.strip()
    return settings


def submitted_conf():
    """The settings spark-submit started this driver with (its --conf, --master, --jars,
    its spark-defaults.conf); empty when Python starts the driver itself."""
    from pyspark import SparkConf, SparkContext

    if "PYSPARK_GATEWAY_PORT" in os.environ:  # under spark-submit: its JVM is already up
        SparkContext._ensure_initialized()  # connect to it, so that SparkConf reads it
    return SparkConf()


def is_remote(spark) -> bool:
    """Whether ``spark`` is a Spark Connect client session (no JVM on this side)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def add_jars(spark, jars: list[str], probe_class: str):
    """Make ``jars`` visible to a running session unless ``probe_class`` (one of their
    classes) already is: add them to the driver's (mutable) class loader, which a driver
    JVM started before the jars were named (spark-submit, an existing session) does not
    search, and ship them to the executors. Returns ``probe_class`` (a py4j handle on the
    Java class), or None if it still does not load."""
    jvm = spark._jvm
    loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()

    def load():
        try:
            return jvm.java.lang.Class.forName(probe_class, False, loader)
        except Exception:
            return None

    found = load()
    if found is not None:
        return found
    for jar in jars:
        loader.addURL(jvm.java.io.File(jar).toURI().toURL())
        spark.sparkContext._jsc.sc().addJar(jar)
    return load()
