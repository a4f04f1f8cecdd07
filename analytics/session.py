"""A local SparkSession configured for this project (2 cores, few shuffle partitions,
ANSI on, quiet logs)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

LOG4J = Path(__file__).with_name("log4j2.properties")
#: The classes a Spark driver loads, archived by `make install` (JDK class data sharing):
#: the driver starts in about 3 s instead of 5. It belongs to the environment whose
#: pyspark jars it holds; the JVM ignores an archive that does not match (other JDK, jars).
CLASS_ARCHIVE = Path(sys.prefix) / "spark-classes.jsa"
#: The project's own JVM code (the line parser of analytics.parse), built by `make install`.
JVM_JAR = Path(__file__).with_name("jvm") / "log-analytics-jvm.jar"
PARSER_CLASS = "loganalytics.AccessLineParser"


def spark_session(app: str = "log-analytics", master: str | None = None, driver_memory: str | None = None,
                  config: dict[str, str] | None = None, archive_classes_to: Path | None = None):
    """Get or create the SparkSession. Static settings apply only if no session exists;
    under spark-submit its own --master, --driver-memory and JVM options win.
    ``archive_classes_to``: write the driver's class archive there when its JVM exits."""
    warnings.filterwarnings("ignore", message=".*pandas >= 3.0.0.*")
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    submitted = SparkConf()  # holds spark-submit's settings, empty under plain python
    # Python workers (if Spark ever needs one) run this interpreter, not whatever
    # `python3` is first on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    # JIT-compile big generated methods too: the parser's whole-stage code is over the
    # JVM's 8000-byte "huge method" limit and would otherwise run interpreted (2x slower).
    # The parallel collector: throughput over pause times, for a batch job on few cores
    # (the parse of 2M lines: 5.1-5.3 s warm with it, 5.7-6.0 s with the default G1).
    java_opts = [f"-Dlog4j2.configurationFile={LOG4J.as_uri()}", "-XX:-DontCompileHugeMethods", "-XX:+UseParallelGC"]
    if archive_classes_to:
        java_opts.append(f"-XX:ArchiveClassesAtExit={archive_classes_to}")
    elif CLASS_ARCHIVE.is_file():
        java_opts.append(f"-XX:SharedArchiveFile={CLASS_ARCHIVE}")
    java_opts.append("-Xlog:cds=off,cds+dynamic=off")  # an unusable archive is skipped quietly
    builder = (
        SparkSession.builder.appName(app)
        .config("spark.driver.extraJavaOptions", " ".join(java_opts))
        .config("spark.sql.shuffle.partitions", "4")
        # The plans are small and the partitions few: adaptive execution only adds
        # planning time (a 10,000-line stream batch: 6.0 s without, 6.7 s with).
        .config("spark.sql.adaptive.enabled", "false")
        # One executor: there is no better place to wait for. With jobs running side by
        # side, delay scheduling left tasks of HDFS reads pending forever with free cores.
        .config("spark.locality.wait", "0s")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .config("spark.sql.session.timeZone", "UTC")
        # A batch is cached once and read a few times: choosing a compression per column
        # cost more than it saved (analytics run of 2M lines, median of 3: 27.9 s
        # compressed, 25.1 s not; the cache is 256 MB instead of 92, spilling to disk
        # when it outgrows the driver's memory)
        .config("spark.sql.inMemoryColumnarStorage.compressed", "false")
        # records/ is partitioned by date: write up to 64 dates per task without sorting
        .config("spark.sql.maxConcurrentOutputFileWriters", "64")
        # Records' timestamps and sizes are nearly all distinct: a dictionary of them fills
        # up and is thrown away for plain encoding in every file, after costing a hash
        # lookup per value (analytics run of 2M lines: 22.3 -> 21.2 s; records 30.1 ->
        # 29.2 MB). The other columns repeat and keep their dictionaries.
        .config("spark.hadoop.parquet.enable.dictionary#timestamp", "false")
        .config("spark.hadoop.parquet.enable.dictionary#content_size", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # An HDFS file closes only once the DataNode has reported its last block; when
        # the client asks first it sleeps, 400 ms by default, doubling. Records write a
        # file per date: most closes hit that sleep (20 files of 500 kB: 4.0 s, 0.6 s
        # with 20 ms). 20 ms doubling over 10 retries still waits up to 20 s in all.
        .config("spark.hadoop.dfs.client.block.write.locateFollowingBlock.initial.delay.ms", "20")
        .config("spark.hadoop.dfs.client.block.write.locateFollowingBlock.retries", "10")
        # fail fast (one clear line) when an hdfs:// NameNode is not there
        .config("spark.hadoop.ipc.client.connect.max.retries", "1")
        .config("spark.hadoop.ipc.client.connect.max.retries.on.timeouts", "1")
    )
    if not submitted.contains("spark.master"):
        builder = builder.master(master or os.environ.get("LOG_ANALYTICS_MASTER", "local[2]"))
    if not submitted.contains("spark.driver.memory"):
        builder = builder.config("spark.driver.memory",
                                 driver_memory or os.environ.get("LOG_ANALYTICS_DRIVER_MEMORY", "2g"))
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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
