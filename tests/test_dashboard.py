"""`python -m analytics dashboard` and `report --format html`, in a real headless Chromium
(Debian's `chromium`, over the DevTools protocol: tests/cdp.py), over the output of a real
stream (spark_stream.py, Kafka and HDFS of the local stack).

One stream, one dashboard server and one browser for the module. The bundled sample
(tests/data/elastic_apache_logs_2015-05.log.gz, the same bytes as data/sample/) is
published in two parts: the stream commits the first 7,000 lines as batch 0 while the page
is open, then the other 3,000 as batch 1. What the page shows is compared with what
`python -m analytics report --format json` prints for the same output and range (that
report is itself checked against an independent reference in test_analytics_cli.py and
test_stream.py), and with counts known by hand from data/sample/README.md.
"""

from __future__ import annotations

import getpass
import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from cdp import Browser, find_chromium

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "elastic_apache_logs_2015-05.log.gz"  # = data/sample/apache_combined_2015-05.log.gz
FIRST_PART = 7000      # lines of the first batch; the sample has 10,000
TRIGGER_SECONDS = 10   # the stream's default trigger
ENV = dict(os.environ)

pytestmark = pytest.mark.stack


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def hdfs_and_kafka(request):
    """The local stack's services: one already up (from this checkout or another on the
    same ports) is reused; otherwise the `stack` fixture starts it."""
    from stack import services
    if services.kafka_ready() and services.hdfs_ready():
        return services
    return request.getfixturevalue("stack")


def _lines() -> list[bytes]:
    data = gzip.decompress(SAMPLE.read_bytes()).split(b"\n")
    return data[:-1] if data[-1] == b"" else data


def _publish(services, topic: str, lines: list[bytes]) -> None:
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=services.KAFKA_BOOTSTRAP, acks="all", linger_ms=20)
    for line in lines:
        producer.send(topic, line)
    producer.flush()
    producer.close()


def _wait_line(path: Path, pattern: str, process: subprocess.Popen, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, path.read_text(errors="replace"), re.M)
        if found:
            return found
        assert process.poll() is None, f"{process.args[:3]} exited: {path.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {pattern!r} in {timeout} s: {path.read_text()[-3000:]}"
        time.sleep(0.1)


class Live:
    """The running stream and dashboard over one HDFS output."""

    def __init__(self, services, tmp: Path, first_part: int = FIRST_PART):
        from hdfs import InsecureClient
        from kafka.admin import KafkaAdminClient, NewTopic

        self.services, self.tmp = services, tmp
        self.lines = _lines()
        self.topic = f"dashboard-test-{uuid.uuid4().hex[:10]}"
        admin = KafkaAdminClient(bootstrap_servers=services.KAFKA_BOOTSTRAP)
        admin.create_topics([NewTopic(self.topic, num_partitions=2, replication_factor=1)])
        admin.close()
        self.path = f"/tests/dashboard-{uuid.uuid4().hex[:10]}"
        self.output = services.HDFS_URI + self.path
        self.hdfs = InsecureClient(services.WEBHDFS_URL, user=getpass.getuser())
        _publish(services, self.topic, self.lines[:first_part])
        self.stream_log, self.dashboard_log = tmp / "stream.log", tmp / "dashboard.log"
        # both start together: the page is open before the first batch commits
        self.stream = subprocess.Popen(
            [sys.executable, str(ROOT / "spark_stream.py"), "--bootstrap-servers", services.KAFKA_BOOTSTRAP,
             "--topic", self.topic, "--output", self.output, "--no-warm-up",
             "--trigger-seconds", str(TRIGGER_SECONDS)],
            cwd=ROOT, env=ENV, stdout=self.stream_log.open("w"), stderr=subprocess.STDOUT)
        self.dashboard = subprocess.Popen(
            [sys.executable, "-m", "analytics", "dashboard", "--output", self.output, "--port", "0"],
            cwd=ROOT, env={k: v for k, v in ENV.items() if k != "LOG_ANALYTICS_DASHBOARD_HOST"},
            stdout=self.dashboard_log.open("w"), stderr=subprocess.STDOUT)
        self.url = _wait_line(self.dashboard_log, r"^dashboard: (http://127\.0\.0\.1:\d+/) ", self.dashboard, 180)[1]
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def wait_batch(self, n: int, timeout: float = 240) -> None:
        _wait_line(self.stream_log, rf"^batch {n}: ", self.stream, timeout)

    def committed_at(self, n: int) -> float:
        """When batch ``n``'s state commit marker was written (s since the epoch), by HDFS."""
        return self.hdfs.status(f"{self.path}/state/_committed/batch_id={n}")["modificationTime"] / 1000

    def progress_rows(self) -> list[dict]:
        """<out>/progress as the stream wrote it, read with pyarrow through WebHDFS (not Spark)."""
        import pyarrow.parquet as pq
        rows = []
        for folder in self.hdfs.list(f"{self.path}/progress") if self.hdfs.status(f"{self.path}/progress", strict=False) else []:
            for name in self.hdfs.list(f"{self.path}/progress/{folder}"):
                if name.endswith(".parquet"):
                    with self.hdfs.read(f"{self.path}/progress/{folder}/{name}") as r:
                        table = pq.read_table(io.BytesIO(r.read()))
                    for row in table.to_pylist():
                        row.setdefault("batch_id", int(folder.removeprefix("batch_id=")))
                        rows.append(row)
        return sorted(rows, key=lambda r: r["batch_id"], reverse=True)

    def stop(self) -> None:
        for process in (self.dashboard, self.stream):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.dashboard, self.stream):
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)


@pytest.fixture(scope="module")
def live(hdfs_and_kafka, tmp_path_factory):
    if not find_chromium():
        pytest.fail("chromium is not installed: `make install` installs it (as root), or `apt-get install chromium`")
    run = Live(hdfs_and_kafka, tmp_path_factory.mktemp("dashboard"))
    yield run
    run.stop()
    assert run.dashboard.returncode == 0, run.dashboard_log.read_text()[-3000:]


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def page(live, browser):
    """The dashboard, opened once; the tests below act on it in order, as a person would."""
    p = browser.new_page()
    p.goto(live.url)
    yield p
    p.close()


_REPORTS: dict = {}


def report_json(output: str, *args: str) -> tuple[str, dict]:
    """What `python -m analytics report --format json` prints, run in this process (it
    reads with pyarrow, no Spark); the text and its parse. Kept per commit: the output changes
    only when the stream commits."""
    import contextlib

    from analytics.storage import state
    from analytics.cli import main

    key = (output, args, state.last_committed(output))
    if key not in _REPORTS:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["report", "--output", output, "--format", "json", *args]) == 0
        _REPORTS[key] = buffer.getvalue(), json.loads(buffer.getvalue())
    return _REPORTS[key]


# ----------------------------------------------------------------------- the page's view
#: what the page shows: each tile's text and value, each table's cells, each chart's traces
SHOWN = """(() => {
  const tile = (id) => { const e = document.getElementById(id); return [e.textContent, e.dataset.v]; };
  const table = (id) => [...document.getElementById(id).tBodies[0].rows].map(
      (tr) => [...tr.cells].map((td) => td.dataset.v !== undefined ? [td.textContent, td.dataset.v] : td.textContent));
  const chart = (id) => (document.getElementById(id).data || []).map((t) => ({x: [...t.x], y: [...t.y]}));
  const tiles = {}, tables = {}, charts = {};
  for (const id of ["lines-total", "lines-records", "lines-rejected", "unique-hosts", "unique-hosts-big", "nf-count", "bytes-sum", "rejected-lines"])
    tiles[id] = tile(id);
  for (const t of document.querySelectorAll("table[id]")) tables[t.id] = table(t.id);
  for (const c of document.querySelectorAll(".chart[id]")) charts[c.id] = chart(c.id);
  return {tiles, tables, charts};
})()"""


def rounded(value: float, places: int) -> str:
    """``value`` rounded half up to ``places`` decimals, with thousands separators, as a
    browser's Intl.NumberFormat and toFixed round (on the exact binary value)."""
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,}"


class Float:
    """A non-count on the page: shown with two decimals, its exact value in data-v."""

    def __init__(self, value: float):
        self.value = value

    def __eq__(self, shown) -> bool:
        return (isinstance(shown, list) and len(shown) == 2 and shown[0] == rounded(self.value, 2)
                and float(shown[1]) == self.value)

    def __repr__(self) -> str:
        return f"[{rounded(self.value, 2)!r}, {self.value!r}]"


def n(value):
    """How the page shows a number: [text, exact value]."""
    if value is None:
        return ["–", ""]
    if isinstance(value, float):
        return Float(value)
    return [f"{value:,}", str(value)]


def expected(rep: dict) -> dict:
    """What the page must show for the report dict ``rep``, derived from the JSON alone."""
    cs, mv, nf, sc = rep["content_size_stats"], rep["missing_values"], rep["not_found"], rep["status_codes"]
    total = sum(sc.values())
    ranked = lambda rows, key: [[n(i + 1), r[key], n(r["count"]), ""] for i, r in enumerate(rows)]  # noqa: E731
    return {
        "tiles": {"lines-total": n(rep["lines"]["total"]), "lines-records": n(rep["lines"]["records"]),
                  "lines-rejected": n(rep["lines"]["rejected"]), "unique-hosts": n(rep["unique_hosts"]),
                  "unique-hosts-big": n(rep["unique_hosts"]), "nf-count": n(nf["count"]), "bytes-sum": n(cs["sum"]),
                  "rejected-lines": n(mv["rejected_lines"])},
        "tables": {
            "t-content-size": [[label, n(cs[k])] for k, label in (
                ("count", "responses with a size"), ("null_count", "responses without a size (-)"),
                ("sum", "bytes in all"), ("mean", "mean"), ("stddev", "standard deviation"),
                ("min", "smallest"), ("max", "largest"))],
            "t-missing": [[k, n(v)] for k, v in mv.items()],
            "t-status": [[code, n(c), f"{rounded(100 * c / total, 1)} %"] for code, c in sc.items()],
            "t-hosts": ranked(rep["frequent_hosts"], "host"),
            "t-endpoints": ranked(rep["frequent_endpoints"], "endpoint"),
            "t-errors": ranked(rep["top_error_endpoints"], "endpoint"),
            "t-daily-unique": [[r["date"], n(r["unique_hosts"])] for r in rep["daily_unique_hosts"]],
            "t-daily-rph": [[r["date"], n(r["requests"]), n(r["unique_hosts"]), n(r["avg_requests_per_host"])]
                            for r in rep["daily_requests_per_host"]],
            "t-nf-daily": [[r["date"], n(r["count"])] for r in nf["daily"]],
            "t-nf-hourly": [[n(r["hour"]), n(r["count"])] for r in nf["hourly"]],
            "t-nf-endpoints": ranked(nf["top_endpoints"], "endpoint"),
            "t-nf-hosts": ranked(nf["top_hosts"], "host"),
        },
        "charts": {
            "c-missing": [{"x": list(mv), "y": list(mv.values())}],
            "c-status": [{"x": list(sc), "y": list(sc.values())}],
            "c-daily-unique": [{"x": [r["date"] for r in rep["daily_unique_hosts"]],
                                "y": [r["unique_hosts"] for r in rep["daily_unique_hosts"]]}],
            "c-daily-rph": [{"x": [r["date"] for r in rep["daily_requests_per_host"]],
                             "y": [r["requests"] for r in rep["daily_requests_per_host"]]},
                            {"x": [r["date"] for r in rep["daily_requests_per_host"]],
                             "y": [r["avg_requests_per_host"] for r in rep["daily_requests_per_host"]]}],
            "c-nf-daily": [{"x": [r["date"] for r in nf["daily"]], "y": [r["count"] for r in nf["daily"]]}],
            "c-nf-hourly": [{"x": [r["hour"] for r in nf["hourly"]], "y": [r["count"] for r in nf["hourly"]]}],
        },
    }


def assert_shows(page, rep: dict) -> None:
    shown = page.js(SHOWN)
    want = expected(rep)
    for kind in ("tiles", "tables", "charts"):
        for name, value in want[kind].items():
            assert shown[kind][name] == value, f"{kind} {name}"


def _renders(page) -> int:
    return int(page.js("Number(document.body.dataset.renders || 0)"))


# -------------------------------------------------------------------------------- tests
def test_page_waits_for_the_first_batch_then_shows_the_report(live, page):
    """Opened before anything is committed, the page says it waits; once the stream commits
    batch 0 it shows, without a reload, exactly the numbers of `report --format json`."""
    live.wait_batch(0)
    page.wait_for("document.body.dataset.batch === '0'", timeout=120)
    assert page.loads == 1  # never reloaded
    text, rep = report_json(live.output)
    assert rep["lines"]["total"] == FIRST_PART
    assert_shows(page, rep)
    assert "batch 0" in page.js("document.getElementById('freshness').textContent")
    assert page.console == []
    # nothing came from anywhere but the dashboard itself
    assert all(u.startswith((live.url, "data:")) for u in page.requests), page.requests


def test_a_new_batch_appears_without_reload_within_one_trigger(live, page, tmp_path):
    tile = "document.getElementById('lines-total')"
    page.js(f"window.__samePage = 'yes'; window.__tile = {tile}; 0")
    _publish(live.services, live.topic, live.lines[FIRST_PART:])
    published = time.time()
    deadline = time.monotonic() + 120
    while page.js(f"{tile}.textContent") != "10,000":  # the whole sample: data/sample/README.md
        assert time.monotonic() < deadline, live.stream_log.read_text()[-2000:]
        time.sleep(0.05)
    seen = time.time()
    batch = int(page.js("document.body.dataset.batch"))  # the batch that completed the sample
    assert batch >= 1  # the stream may have cut the 3,000 lines into two batches
    live.wait_batch(batch, timeout=60)
    committed = live.committed_at(batch)
    print(f"batch {batch}: published -> committed {committed - published:.1f} s, "
          f"committed -> on the page {seen - committed:.2f} s")
    assert seen - committed <= TRIGGER_SECONDS, (committed, seen)
    # the same document, the same element, updated in place
    assert page.js("window.__samePage") == "yes" and page.js(f"window.__tile === {tile}")
    assert page.loads == 1
    # the bundled sample's hand counts (data/sample/README.md): one truncated line rejected
    assert [page.js(f"document.getElementById('{i}').textContent") for i in ("lines-records", "lines-rejected")] == \
        ["9,999", "1"]
    assert_shows(page, report_json(live.output)[1])
    # the stream-health panel: the rows of <out>/progress, newest first
    rows = live.progress_rows()
    page.wait_for(f"document.getElementById('t-health').tBodies[0].rows.length === {len(rows)}", timeout=60)
    shown = page.js("[...document.getElementById('t-health').tBodies[0].rows].map((tr) => [...tr.cells].map((td) => td.textContent))")
    assert [[r[0], r[2], r[3], r[4]] for r in shown] == \
        [[f"{r['batch_id']:,}", f"{r['lines']:,}", f"{r['rejected']:,}", rounded(r["seconds"], 2)] for r in rows]
    assert sum(r["lines"] for r in rows) == 10000
    page.js("document.querySelectorAll('details').forEach((d) => d.open = false); 0")
    shot = Path(os.environ.get("LOG_ANALYTICS_SCREENSHOT", tmp_path / "dashboard.png"))
    page.screenshot(shot)
    assert shot.stat().st_size > 50_000


def test_choosing_a_range_shows_that_range(live, page):
    before = _renders(page)
    page.js("""(() => {
      const set = (id, v) => { const e = document.getElementById(id); e.value = v;
                               e.dispatchEvent(new Event('change', {bubbles: true})); };
      set('from', '2015-05-18'); set('to', '2015-05-19'); })()""")
    page.wait_for("document.body.dataset.query === 'from=2015-05-18&to=2015-05-19'", timeout=90)
    assert _renders(page) > before
    _, rep = report_json(live.output, "--from", "2015-05-18", "--to", "2015-05-19")
    assert_shows(page, rep)
    # the days shown are the two chosen, and the address says so
    days = page.js("[...document.getElementById('t-daily-unique').tBodies[0].rows].map((r) => r.cells[0].textContent)")
    assert days == ["2015-05-18", "2015-05-19"]
    assert page.js("location.search") == "?from=2015-05-18&to=2015-05-19"
    assert page.loads == 1
    # a range that makes no sense: a readable message, the numbers stay
    page.js("document.getElementById('to').value = '2015-05-17'; "
            "document.getElementById('to').dispatchEvent(new Event('change', {bubbles: true})); 0")
    message = page.wait_for("!document.getElementById('message').hidden && document.getElementById('message').textContent")
    assert message == "from 2015-05-18 is after to 2015-05-17"


def get(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_api_report_is_exactly_report_json(live):
    # the first two are what the tests above compared the page with (read once, kept per commit)
    for query, args in (("", []), ("?from=2015-05-18&to=2015-05-19", ["--from", "2015-05-18", "--to", "2015-05-19"]),
                        ("?to=2015-05-17&from=2015-05-17&top=1", ["--from", "2015-05-17", "--to", "2015-05-17", "--top", "1"])):
        status, body = get(live.url + "api/report" + query)
        assert status == 200
        assert body == report_json(live.output, *args)[0]


def test_bad_input_is_a_400_with_a_readable_message(live):
    for query, message in (
            ("from=2015-13-01", "from: not a date of the form YYYY-MM-DD: '2015-13-01'"),
            ("to=yesterday", "to: not a date of the form YYYY-MM-DD: 'yesterday'"),
            ("from=2015-05-19&to=2015-05-18", "from 2015-05-19 is after to 2015-05-18"),
            ("top=0", "top must be at least 1"),
            ("top=ten", "top must be a whole number, not 'ten'"),
            ("top=1.5", "top must be a whole number, not '1.5'")):
        status, body = get(f"{live.url}api/report?{query}")
        assert (status, json.loads(body)) == (400, {"error": message}), query


def test_read_only_and_on_this_machine_only(live):
    for path in ("", "api/report", "api/status", "assets/dashboard.js", "assets/plotly.min.js"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert get(live.url + path, method)[0] == 405, (method, path)
    # a page of another site that resolves its name to 127.0.0.1 gets nothing
    assert get(live.url + "api/report", headers={"Host": "evil.example:80"})[0] == 403
    # listening on 127.0.0.1 only (the default), as the kernel sees it
    port = f"{live.port:04X}"
    sockets = [line.split() for name in ("/proc/net/tcp", "/proc/net/tcp6") for line in open(name).readlines()[1:]]
    listening = [s[1] for s in sockets if s[1].endswith(":" + port) and s[3] == "0A"]
    assert listening == ["0100007F:" + port], listening


def test_exposing_it_warns():
    from analytics.cli import build_parser
    from analytics.dashboard.app import exposure_warning

    env = {k: v for k, v in os.environ.items() if k != "LOG_ANALYTICS_DASHBOARD_HOST"}
    code = "from analytics.cli import build_parser; a = build_parser().parse_args(['dashboard']); print(a.host, a.port)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout.split() == ["127.0.0.1", "8050"]
    assert build_parser().parse_args(["dashboard", "--host", "0.0.0.0"]).host == "0.0.0.0"
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert exposure_warning(host) is None
    for host in ("0.0.0.0", "::", "192.168.1.10", "dashboard.example.com"):
        assert "warning" in exposure_warning(host) and host in exposure_warning(host)


def test_html_report_opens_from_disk_with_no_network(live, browser, tmp_path):
    from analytics.cli import main

    path = tmp_path / "report.html"
    assert main(["report", "--output", live.output, "--format", "html", "-o", str(path)]) == 0
    page = browser.new_page(offline=True)
    try:
        page.goto(path.as_uri())
        page.wait_for("document.body.dataset.renders === '1'", timeout=60)
        assert_shows(page, report_json(live.output)[1])
        assert page.js("document.body.dataset.mode") == "static"
        assert page.js("typeof Plotly") == "object" and page.js("document.querySelectorAll('.main-svg').length") > 5
        assert page.console == []
        assert set(u.split(":", 1)[0] for u in page.requests) <= {"file", "data"}, page.requests
        assert page.failed == []
    finally:
        page.close()
    # one file: every script inline, nothing linked but data: URLs
    outside_scripts = re.sub(r"<script[^>]*>.*?</script>", "", path.read_text(), flags=re.S)
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(?!data:)", outside_scripts)
    assert outside_scripts.count("<table") == 13  # every table of the dashboard
