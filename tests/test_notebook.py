"""SectionB_demo.ipynb runs top to bottom against the real stack (Kafka, HDFS, Spark).

The committed notebook is executed as it is (nbclient, a fresh kernel running this
interpreter, working directory the repository root); any cell error fails the test.
Its printed results are then checked against the sample file itself: the line count
by counting lines in the gzip, the hosts by the independent pure-Python reference
(tests/reference.py). The run deletes its own topic and HDFS output (DEMO_KEEP_RESULTS=0).
"""
import re
from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from reference import read_lines, report_of_text

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "SectionB_demo.ipynb"

pytestmark = pytest.mark.stack


def stdout_of(nb) -> str:
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream" and out.name == "stdout")


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in the notebook's output"
    return int(found.group(1).replace(",", ""))


def test_notebook_runs(stack, monkeypatch):
    monkeypatch.setenv("DEMO_KEEP_RESULTS", "0")  # the kernel inherits it: clean up topic and output
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # kernel "python3" runs sys.executable (jupyter_client swaps in this interpreter for
    # the kernel spec's bare "python"), i.e. the venv with pyspark and the project's packages
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()  # raises on any cell error

    text = stdout_of(nb)
    sample = ROOT / re.search(r"^sample: (.+)$", text, re.M).group(1)  # relative to ROOT, or absolute
    lines = read_lines(str(sample))
    want = report_of_text(lines)

    # every line of the file went through Kafka and Spark and is accounted for
    assert number(r"lines read: ([\d,]+) =", text) == len(lines)
    batches = [int(n.replace(",", "")) for n in re.findall(r"^batch \d+: ([\d,]+) lines", text, re.M)]
    assert len(batches) >= 2, "the stream should have made several micro-batches"
    assert sum(batches) == len(lines)

    # the running totals are exact; the sum of the per-batch answers is not
    assert number(r"distinct hosts: ([\d,]+)", text) == want["unique_hosts"]
    assert number(r"true distinct hosts \(running total\): ([\d,]+)", text) == want["unique_hosts"]
    assert number(r"sum of per-batch 'unique hosts': ([\d,]+)", text) > want["unique_hosts"]
    top = want["frequent_hosts"][0]
    assert f"overall top host (running total): {top['host']} with {top['count']:,} requests" in text
    assert number(r"404 responses: ([\d,]+)", text) == want["not_found"]["count"]
    # one day, from the per-day totals, against the reference over that day's lines only
    day = report_of_text(lines, None, date(2015, 5, 18), date(2015, 5, 18))
    assert number(r"distinct hosts on 2015-05-18 alone: ([\d,]+)", text) == day["unique_hosts"]
    assert number(r"records on 2015-05-18 alone: ([\d,]+)", text) == day["lines"]["records"]
    assert 0 < day["unique_hosts"] < want["unique_hosts"]

    # a plot for each analytic section and for the comparison
    images = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if "image/png" in out.get("data", {})]
    assert len(images) >= 11
    assert "deleted hdfs://" in text
