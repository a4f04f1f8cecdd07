"""The dashboard's page load time and update latency, in Debian's headless chromium.

Needs the local stack (`make up`) and chromium. A real stream (spark_stream.py, 10 s
trigger) consumes the bundled sample published in parts; `python -m analytics dashboard`
serves its HDFS output. It prints, and writes to bench/results/dashboard.json:

- page load: from navigating to the dashboard until every panel shows the report (the
  page's first render), median, min and max of --loads loads of a warm server;
- update latency, for each part after the first: from the batch's state commit marker
  (its modification time in HDFS) until the new total is on the page, split into commit ->
  the page told (server-sent event) and told -> rendered.

Asserts nothing. `python bench/bench_dashboard.py [--parts 4] [--loads 5]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from cdp import Browser  # noqa: E402
import test_dashboard as T  # noqa: E402  (the tests' stream + dashboard harness)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--parts", type=int, default=4, help="the sample is published in this many parts (default 4)")
    p.add_argument("--loads", type=int, default=5, help="page loads to time (default 5)")
    args = p.parse_args()

    from stack import services
    if not (services.kafka_ready() and services.hdfs_ready()):
        print("bench_dashboard: the stack is not up: `make up` first", file=sys.stderr)
        return 1
    lines = T._lines()
    size = -(-len(lines) // args.parts)
    parts = [lines[i:i + size] for i in range(0, len(lines), size)]
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        started = time.monotonic()
        live = T.Live(services, Path(tmp), first_part=len(parts[0]))
        print(f"dashboard up in {time.monotonic() - started:.1f} s: {live.url} (stream and dashboard started together)")
        browser = Browser()
        try:
            live.wait_batch(0)
            page = browser.new_page()
            page.goto(live.url)
            page.wait_for("document.body.dataset.batch === '0'", timeout=60)
            loads = []
            for _ in range(args.loads):
                page.goto("about:blank")
                t0 = time.time()
                page.goto(live.url)
                page.wait_for("document.body.dataset.renderedAt", timeout=60)
                loads.append(int(page.js("document.body.dataset.renderedAt")) / 1000 - t0)
            updates = []
            total = len(parts[0])
            for part in parts[1:]:
                T._publish(services, live.topic, part)
                published = time.time()
                total += len(part)
                want = f"{total:,}"
                page.wait_for(f"document.getElementById('lines-total').textContent === '{want}'", timeout=240)
                rendered = int(page.js("document.body.dataset.renderedAt")) / 1000
                told = int(page.js("document.body.dataset.statusAt")) / 1000
                batch = int(page.js("document.body.dataset.batch"))  # the stream may cut a part in two
                live.wait_batch(batch, timeout=60)
                committed = live.committed_at(batch)
                updates.append({"batch": batch, "lines": len(part), "published_to_committed": committed - published,
                                "committed_to_told": told - committed, "told_to_rendered": rendered - told,
                                "committed_to_rendered": rendered - committed})
        finally:
            browser.close()
            live.stop()
    latency = [u["committed_to_rendered"] for u in updates]
    result = {
        "page_load_seconds": {"median": statistics.median(loads), "min": min(loads), "max": max(loads), "all": loads},
        "update_latency_seconds": {"median": statistics.median(latency), "min": min(latency), "max": max(latency)},
        "updates": updates,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }
    print(f"page load (navigate -> every panel drawn), {len(loads)} loads: median {result['page_load_seconds']['median']:.2f} s, "
          f"min {min(loads):.2f}, max {max(loads):.2f}")
    print("update latency (batch committed -> new total on the page):")
    for u in updates:
        print(f"  batch {u['batch']} ({u['lines']:,} lines): {u['committed_to_rendered']:.2f} s "
              f"(page told {u['committed_to_told']:.2f} s after the commit, drawn {u['told_to_rendered']:.2f} s later; "
              f"published -> committed {u['published_to_committed']:.1f} s)")
    print(f"  median {result['update_latency_seconds']['median']:.2f} s, min {min(latency):.2f}, max {max(latency):.2f}")
    out = ROOT / "bench" / "results" / "dashboard.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
