#!/usr/bin/env python3
"""Build SectionB_demo.ipynb (the walkthrough) from the cells below, then run it.

    .venv/bin/python notebooks/build_notebook.py              # write, execute against the stack, save
    .venv/bin/python notebooks/build_notebook.py --no-execute # write the cells only, no outputs

The notebook is committed with its outputs so that it renders on GitHub. Edit the
cells here, not in Jupyter, so that the source stays reviewable; cell ids are fixed
and timings are not recorded, so a rebuild only changes what really changed.
Executing needs the local stack (`make up`) and takes one to two minutes.
"""
from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "SectionB_demo.ipynb"

MD, CODE = "markdown", "code"

CELLS: list[tuple[str, str]] = [
    (MD, """
    # Section B — streaming log analytics, end to end

    This notebook walks through the whole pipeline on a real access log, against the real
    local stack:

    1. check that Kafka and HDFS are up;
    2. publish a bundled sample log to a fresh Kafka topic with `kafka_producer.py`;
    3. consume the topic with `spark_stream.py` (Spark Structured Streaming): every
       micro-batch is parsed once, the ten analytics are computed on it and merged into
       running totals, and everything is written as Parquet to HDFS;
    4. read the Parquet back and show each of the ten analytics as a table and a plot;
    5. compare per-batch results with the running totals, to see why the totals exist.

    It runs top to bottom in one or two minutes (`make up` first). Every run uses a fresh
    topic and a fresh output folder, so it can be run again at will. The first code cell
    holds the settings: point `SAMPLE` at your own log to analyse it instead.
    """),
    (CODE, """
    %matplotlib inline
    import gzip
    import os
    import re
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path

    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    # The repository root: the folder holding spark_stream.py, at or above the working directory.
    ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "spark_stream.py").exists())
    sys.path.insert(0, str(ROOT))
    import stack  # the local Kafka + HDFS (python -m stack up|down|status)

    # --- settings -------------------------------------------------------------------------
    SAMPLE = Path("data/sample/apache_combined_2015-05.log.gz")  # relative to ROOT, or absolute
    LINES_PER_BATCH = 3_500       # --max-offsets-per-trigger: a few micro-batches, not one
    RUN_ID = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    TOPIC = f"demo-notebook-{RUN_ID}"                          # a fresh topic ...
    OUT = f"{stack.HDFS_URI}/demo_notebook/{RUN_ID}"           # ... and a fresh output folder
    KEEP_RESULTS = os.environ.get("DEMO_KEEP_RESULTS", "1") != "0"  # 0: delete both at the end
    PYTHON = sys.executable

    pd.set_option("display.max_colwidth", 80)
    pd.set_option("display.float_format", "{:,.2f}".format)
    plt.rcParams.update({"figure.figsize": (6.5, 3), "figure.dpi": 80, "axes.grid": True,
                         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False})
    print(f"sample: {SAMPLE}\\ntopic:  {TOPIC}\\noutput: {OUT}")
    """),
    (MD, """
    ## 1. Is the stack up?

    The pipeline needs a Kafka broker (127.0.0.1:9092) and HDFS (NameNode
    hdfs://127.0.0.1:9000, file browser on http://127.0.0.1:9870). `python -m stack status`
    reports each service; if one is down, start them with `make up` (or
    `.venv/bin/python -m stack up`) and run this cell again.
    """),
    (CODE, """
    check = subprocess.run([PYTHON, "-m", "stack", "status"], cwd=ROOT, capture_output=True, text=True)
    print(check.stdout + check.stderr)
    if check.returncode != 0 or not (stack.kafka_ready() and stack.hdfs_ready()):
        raise RuntimeError("The local stack is not up: start it with `make up` "
                           "(or `.venv/bin/python -m stack up`), then run this notebook again.")
    print(f"Kafka at {stack.KAFKA_BOOTSTRAP} and HDFS at {stack.HDFS_URI} are ready.")
    """),
    (MD, """
    ## 2. Publish the sample log to Kafka

    The sample is 10,000 lines of a real Apache access log in Combined Log Format
    (semicomplete.com, 17–20 May 2015; see `data/sample/README.md` for its origin and
    licence). `kafka_producer.py` creates the topic and sends every line as one message,
    byte for byte. First a look at the raw lines, and an independent line count to check
    the pipeline against at the end.
    """),
    (CODE, """
    with gzip.open(ROOT / SAMPLE, "rb") as f:
        raw = f.read()
    SAMPLE_LINES = raw.count(b"\\n") + (0 if raw.endswith(b"\\n") or not raw else 1)
    print(f"{SAMPLE_LINES:,} lines in {SAMPLE.name}; the first two:\\n")
    for line in raw.split(b"\\n")[:2]:
        print(line.decode("utf-8", "replace"))
    """),
    (CODE, """
    produce = subprocess.run(
        [PYTHON, "kafka_producer.py", str(SAMPLE), "--bootstrap-servers", stack.KAFKA_BOOTSTRAP,
         "--topic", TOPIC, "--quiet"],
        cwd=ROOT, capture_output=True, text=True)
    print(produce.stderr + produce.stdout)
    assert produce.returncode == 0, "kafka_producer.py failed (see above)"
    """),
    (MD, """
    ## 3. Stream the topic through Spark

    `spark_stream.py --available-now` consumes everything in the topic, then stops (without
    it the job runs forever and picks up new lines every 10 s). `--max-offsets-per-trigger`
    caps each micro-batch, so these 10,000 lines arrive as a few batches, as they would from
    a live log. For every batch the job prints one progress line; it writes, under the output
    folder:

    | path | what |
    |---|---|
    | `state/date=D/version=N/` | the running totals of day D after batch N, every analytic's aggregate in one table (a reader takes the newest version the last committed batch wrote) |
    | `batches/batch_id=N/` | batch N's own aggregates, from which each analytic's result of the batch derives |
    | `records/date=D/batch_id=N/` | the parsed lines |
    | `rejects/batch_id=N/` | lines that did not parse, with the reason |
    """),
    (CODE, """
    started = time.monotonic()
    job = subprocess.Popen(
        [PYTHON, "spark_stream.py", "--bootstrap-servers", stack.KAFKA_BOOTSTRAP, "--topic", TOPIC,
         "--output", OUT, "--available-now", "--max-offsets-per-trigger", str(LINES_PER_BATCH)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    other = []
    for line in job.stdout:              # progress as it happens; Spark/Java chatter kept aside
        if line.startswith(("batch ", "stream:", "spark_stream:")):
            print(line, end="", flush=True)
        else:
            other.append(line)
    if job.wait() != 0:
        print("".join(other[-30:]))
        raise RuntimeError(f"spark_stream.py failed (exit {job.returncode})")
    print(f"stream finished in {time.monotonic() - started:.0f} s")
    """),
    (MD, """
    ## 4. Read the results back

    A local Spark session reads the Parquet files from HDFS. The running totals are kept per
    calendar day; `analytics.storage.state.read_totals` reads the days asked for (here all of them),
    as of the last committed batch, and derives each analytic's totals from them (a small
    Arrow table: an aggregate has a row per distinct key, not per line). Each
    analytic's `view` turns its totals into the answer (the same code behind
    `python -m analytics report --output … --format json`). First, the bookkeeping: every
    line read is either a parsed record or a reject.
    """),
    (CODE, """
    import analytics.metrics
    from analytics.storage import state, store
    from analytics.session import spark_session

    spark = spark_session("section-b-demo", driver_memory="1g",
                          config={"spark.hadoop.dfs.client.use.datanode.hostname": "true"})
    totals = state.read_totals(OUT)
    print(f"running totals of {len(totals)} analytics, as of batch {state.last_committed(OUT)}")

    def view(name, top=None):
        return analytics.metrics.BY_NAME[name].view(totals[name], top)

    lines = analytics.metrics.BY_NAME["missing_values"].lines(totals["missing_values"])
    print(f"lines read: {lines['total']} = {lines['records']:,} records + {lines['rejected']:,} rejected "
          f"(the sample has {SAMPLE_LINES:,} lines)")
    assert lines["total"] == SAMPLE_LINES
    """),
    (MD, """
    ### 4.1 Content size

    Count, nulls (`-` as the size), sum, mean, standard deviation, min and max of the response
    size, from the running totals (count, sum, sum of squares, min, max merge exactly across
    batches). The histogram is drawn from the parsed records in `records/`; sizes span six
    orders of magnitude, so both axes are logarithmic.
    """),
    (CODE, """
    display(pd.DataFrame([view("content_size_stats")]))

    sizes = (spark.read.parquet(f"{OUT}/records").where("content_size > 0")
             .select("content_size").toPandas()["content_size"])
    fig, ax = plt.subplots()
    ax.hist(sizes, bins=np.logspace(0, np.log10(sizes.max()) + 0.1, 40), color="tab:blue")
    ax.set(xscale="log", yscale="log", xlabel="response size (bytes)", ylabel="responses",
           title="Content size distribution")
    plt.show()
    """),
    (MD, """
    ### 4.2 Missing values

    Nulls per parsed column, and the lines that did not parse at all. The rejects themselves
    are kept in `rejects/`, with the reason.
    """),
    (CODE, """
    missing = pd.Series(view("missing_values"), name="nulls")
    display(missing.to_frame().T)
    display(spark.read.parquet(f"{OUT}/rejects").toPandas()
            .assign(line=lambda d: d["line"].str.slice(0, 80) + "…"))

    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    missing.plot.barh(ax=ax, color="tab:gray")
    for y, n in enumerate(missing):
        if n:
            ax.annotate(f" {n:,}", (n, y), va="center", fontsize=8)
    ax.set(xlabel="count", title="Nulls per column, and rejected lines")
    plt.show()
    """),
    (MD, "### 4.3 Status codes"),
    (CODE, """
    status = pd.Series(view("status_codes"), name="requests").rename_axis("status")
    display(status.to_frame().T)

    fig, ax = plt.subplots()
    status.plot.bar(ax=ax, color=["tab:green" if s < "300" else "tab:orange" if s < "400" else "tab:red"
                                  for s in status.index], rot=0)
    ax.set(yscale="log", ylabel="requests (log)", title="HTTP status distribution")
    plt.show()
    """),
    (MD, "### 4.4 Most frequent hosts (top 10)"),
    (CODE, """
    hosts = pd.DataFrame(view("frequent_hosts"))
    display(hosts)

    fig, ax = plt.subplots()
    hosts.iloc[::-1].plot.barh(x="host", y="count", ax=ax, legend=False, color="tab:blue")
    ax.set(xlabel="requests", ylabel="", title="Top 10 hosts")
    plt.show()
    """),
    (MD, "### 4.5 Most frequent endpoints (top 20)"),
    (CODE, """
    def short(text, width=45):
        return text if len(text) <= width else text[:width - 1] + "…"

    endpoints = pd.DataFrame(view("frequent_endpoints"))
    display(endpoints)

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.barh(endpoints["endpoint"].map(short)[::-1], endpoints["count"][::-1], color="tab:blue")
    ax.set(xlabel="requests", title="Top 20 endpoints")
    plt.show()
    """),
    (MD, """
    ### 4.6 Top endpoints with a status other than 200

    As in the original design, every status other than 200 counts, so 304 Not Modified and
    206 Partial Content are included, not only 4xx and 5xx.
    """),
    (CODE, """
    errors = pd.DataFrame(view("top_error_endpoints"))
    display(errors)

    fig, ax = plt.subplots()
    ax.barh(errors["endpoint"].map(short)[::-1], errors["count"][::-1], color="tab:orange")
    ax.set(xlabel="requests with status ≠ 200", title="Top 10 endpoints by non-200 responses")
    plt.show()
    """),
    (MD, """
    ### 4.7 Unique hosts

    The running total is the exact set of hosts seen so far, so its size is the exact number
    of distinct hosts. The plot shows how requests spread over them: most hosts make a few
    requests, a handful make hundreds.
    """),
    (CODE, """
    UNIQUE_HOSTS = view("unique_hosts")
    print(f"distinct hosts: {UNIQUE_HOSTS:,}")

    per_host = totals["frequent_hosts"].to_pandas()["count"]
    display(per_host.describe().to_frame("requests per host").T)
    fig, ax = plt.subplots()
    ax.hist(per_host, bins=np.logspace(0, np.log10(per_host.max()) + 0.1, 30), color="tab:purple")
    ax.set(xscale="log", yscale="log", xlabel="requests by one host", ylabel="hosts",
           title=f"Requests per host ({UNIQUE_HOSTS:,} distinct hosts)")
    plt.show()
    """),
    (MD, "### 4.8 Unique hosts per day (the log's own calendar date)"),
    (CODE, """
    daily_hosts = pd.DataFrame(view("daily_unique_hosts"))
    display(daily_hosts)

    fig, ax = plt.subplots()
    ax.bar(daily_hosts["date"], daily_hosts["unique_hosts"], color="tab:blue")
    ax.set(ylabel="distinct hosts", title="Unique hosts per day")
    plt.show()
    """),
    (MD, "### 4.9 Requests per host per day"),
    (CODE, """
    daily = pd.DataFrame(view("daily_requests_per_host"))
    display(daily)

    fig, ax = plt.subplots()
    ax.bar(daily["date"], daily["avg_requests_per_host"], color="tab:cyan")
    for x, (avg, n) in enumerate(zip(daily["avg_requests_per_host"], daily["requests"])):
        ax.annotate(f"{n:,} requests", (x, avg), ha="center", va="bottom", fontsize=8)
    ax.set(ylabel="requests ÷ distinct hosts", title="Average requests per host, per day")
    plt.show()
    """),
    (MD, """
    ### 4.10 404 Not Found

    Total, the endpoints and hosts behind them, and their spread over days and over the hours
    of the day (the log's local wall clock).
    """),
    (CODE, """
    nf = view("not_found", top=10)
    print(f"404 responses: {nf['count']:,}")
    display(pd.DataFrame(nf["top_endpoints"]).head(10))
    display(pd.DataFrame(nf["top_hosts"]).head(5))

    nf_daily = pd.DataFrame(nf["daily"])
    nf_hourly = pd.DataFrame(nf["hourly"]).set_index("hour").reindex(range(24), fill_value=0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3), gridspec_kw={"width_ratios": [1, 2]})
    left.bar(nf_daily["date"].str.slice(5), nf_daily["count"], color="tab:red")
    left.set(ylabel="404 responses", title="404s per day")
    right.bar(nf_hourly.index, nf_hourly["count"], color="tab:red")
    right.set(xlabel="hour of day", title="404s per hour", xticks=range(0, 24, 3))
    plt.show()
    """),
    (MD, """
    ### 4.11 One day next to the whole history

    Because the totals are kept per day, any range of days is answered exactly from them:
    the same call with a first and a last day (both inclusive), or
    `python -m analytics report --from 2015-05-18 --to 2015-05-18`. Distinct hosts of a range
    are the hosts of the union of its days, never a sum of daily counts. Rejected lines have
    no date, so their count stays whole.
    """),
    (CODE, """
    import datetime
    from analytics import report

    DAY = datetime.date(2015, 5, 18)
    one_day = report.build(state.read_totals(OUT, DAY, DAY), None, DAY, DAY)
    whole = report.build(totals)
    print(f"distinct hosts on {DAY} alone: {one_day['unique_hosts']:,} (whole history: {whole['unique_hosts']:,})")
    print(f"records on {DAY} alone: {one_day['lines']['records']:,} (whole history: {whole['lines']['records']:,})")
    display(pd.DataFrame({
        f"{DAY}": {"records": one_day["lines"]["records"], "distinct hosts": one_day["unique_hosts"],
                   "404s": one_day["not_found"]["count"], "mean size": one_day["content_size_stats"]["mean"]},
        "whole history": {"records": whole["lines"]["records"], "distinct hosts": whole["unique_hosts"],
                          "404s": whole["not_found"]["count"], "mean size": whole["content_size_stats"]["mean"]},
    }))
    """),
    (MD, """
    ## 5. Why running totals: per-batch results versus totals

    The original design computed every analytic on each micro-batch alone. That is fine for
    counts that simply add up, but wrong for anything about *distinct* things or *rankings*:
    a host active in three batches is "unique" three times, and the busiest host of one batch
    need not be the busiest overall. Each batch's own result is still kept, under
    `batches/batch_id=N/` (the batch's aggregate of every source, from which each analytic's
    result of the batch derives, as the totals derive from the state); here it is set
    against the totals.
    """),
    (CODE, """
    # batches/batch_id=N/ holds batch N's own aggregates: each analytic's result of batch N
    batch_ids = sorted(int(name.removeprefix("batch_id=")) for name in store.list_dirs(f"{OUT}/batches"))
    of_batch = {batch_id: state.read_batch(OUT, batch_id) for batch_id in batch_ids}
    seen, rows = set(), []
    for batch_id, results in of_batch.items():
        hosts_of_batch = results["unique_hosts"].column("host").to_pylist()
        seen |= set(hosts_of_batch)
        rows.append({"batch_id": batch_id, "unique_hosts_in_batch": len(hosts_of_batch),
                     "true_distinct_so_far": len(seen)})
    per_batch = pd.DataFrame(rows)
    per_batch.insert(2, "sum_of_batches_so_far", per_batch["unique_hosts_in_batch"].cumsum())
    display(per_batch)

    naive = int(per_batch["unique_hosts_in_batch"].sum())
    print(f"sum of per-batch 'unique hosts': {naive:,}; true distinct hosts (running total): {UNIQUE_HOSTS:,} "
          f"-> the per-batch sum overcounts by {naive - UNIQUE_HOSTS:,} ({naive / UNIQUE_HOSTS - 1:.0%})")
    assert len(seen) == UNIQUE_HOSTS

    fig, ax = plt.subplots()
    ax.plot(per_batch["batch_id"], per_batch["sum_of_batches_so_far"], "o--", color="tab:red",
            label="sum of per-batch counts (wrong)")
    ax.plot(per_batch["batch_id"], per_batch["true_distinct_so_far"], "o-", color="tab:green",
            label="running total (exact)")
    ax.set(xlabel="after batch", ylabel="unique hosts", xticks=per_batch["batch_id"], ylim=(0, None),
           title="Unique hosts: adding per-batch answers overcounts")
    ax.legend()
    plt.show()
    """),
    (CODE, """
    batch_counts = pd.concat([results["frequent_hosts"].to_pandas().assign(batch_id=batch_id)  # requests per host
                              for batch_id, results in of_batch.items()])
    top_per_batch = (batch_counts.sort_values(["batch_id", "count", "host"], ascending=[True, False, True])
                     .groupby("batch_id").head(1).set_index("batch_id"))
    overall = view("frequent_hosts", top=1)[0]
    top_per_batch["overall count of that host"] = top_per_batch["host"].map(
        totals["frequent_hosts"].to_pandas().set_index("host")["count"])
    display(top_per_batch.rename(columns={"host": "top host of the batch", "count": "requests in the batch"}))
    print(f"overall top host (running total): {overall['host']} with {overall['count']:,} requests")
    """),
    (MD, """
    Counts that add (status codes, requests per host or per endpoint, 404s) can be summed
    across batches, but their *top N* must be ranked on the merged counts, not taken per
    batch; distinct counts need the distinct sets themselves. That is what the running totals
    keep: every analytic's totals after batch N equal the same analytic computed in one pass
    over all the lines read so far, however the lines were split into batches.

    ## Where the results are

    The Parquet files stay in HDFS under the output folder printed below; browse them at
    http://127.0.0.1:9870/explorer.html, or print the full report with
    `.venv/bin/python -m analytics report --output <output folder>`. Set
    `DEMO_KEEP_RESULTS=0` in the environment to have this cell delete the run's topic and
    output instead.
    """),
    (CODE, """
    if KEEP_RESULTS:
        print(f"results kept in {OUT}")
    else:
        from kafka.admin import KafkaAdminClient
        store.delete(OUT)
        admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA_BOOTSTRAP)
        admin.delete_topics([TOPIC])
        admin.close()
        print(f"deleted {OUT} and topic {TOPIC}")
    spark.stop()
    """),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    })
    for i, (kind, source) in enumerate(CELLS):
        source = textwrap.dedent(source).strip("\n")
        cell = new_markdown_cell(source) if kind == MD else new_code_cell(source)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel (this interpreter's: the "python" of the kernel
    spec is replaced by sys.executable), working directory the repository root."""
    from nbclient import NotebookClient
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-execute", action="store_true", help="write the cells without running them")
    parser.add_argument("--output", type=Path, default=NOTEBOOK, help="where to write (default %(default)s)")
    args = parser.parse_args(argv)
    nb = build()
    if not args.no_execute:
        started = time.monotonic()
        execute(nb)
        print(f"executed in {time.monotonic() - started:.0f} s", file=sys.stderr)
    nbformat.validate(nb)
    nbformat.write(nb, args.output)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
