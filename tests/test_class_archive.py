"""The Spark driver's class archive that `make install` builds is really used."""

import subprocess
import sys
from pathlib import Path

from analytics.session import CLASS_ARCHIVE

ROOT = Path(__file__).resolve().parent.parent

# A driver reports the files its JVM has mapped into memory: a class data sharing
# archive in use is one of them (the JVM skips an unusable archive without a word).
MAPS = """
from analytics.session import spark_session
spark = spark_session("class-archive-test")
pid = spark._jvm.java.lang.ProcessHandle.current().pid()
print(open(f"/proc/{pid}/maps").read())
"""


def test_the_spark_driver_maps_the_class_archive():
    assert CLASS_ARCHIVE.is_file(), f"{CLASS_ARCHIVE} missing: `make install` builds it"
    maps = subprocess.run([sys.executable, "-c", MAPS], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert maps.returncode == 0, maps.stderr[-2000:]
    assert str(CLASS_ARCHIVE) in maps.stdout
