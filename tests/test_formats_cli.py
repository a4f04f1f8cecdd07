"""`python -m analytics run --log-format` end to end: a vcombined log (Debian's
other_vhosts_access.log) detected, its report equal to the reference's, clients never the
virtual host; the warning when most lines are rejected; a format that cannot be read."""

import gzip
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402
from test_analytics_cli import DATA, cli  # noqa: E402

VHOSTS = ["www.example.com:80", "shop.example.org:443", "intranet"]


@pytest.fixture(scope="module")
def vcombined_log(tmp_path_factory):
    """The elastic sample (combined, 10,000 lines, one truncated) with a virtual host
    before each line, as vhost_combined writes it, port or not."""
    with gzip.open(DATA / "elastic_apache_logs_2015-05.log.gz", "rt", encoding="utf-8") as fh:
        lines = fh.read().split("\n")[:-1]
    path = tmp_path_factory.mktemp("vcombined") / "other_vhosts_access.log"
    path.write_text("".join(f"{VHOSTS[k % 3]} {line}\n" for k, line in enumerate(lines)), encoding="utf-8")
    return path


def test_vcombined_detected_and_reported(vcombined_log, tmp_path):
    out = tmp_path / "out"
    res = cli("run", str(vcombined_log), "--output", f"file://{out}")
    assert res.returncode == 0, res.stderr
    assert "log format: vcombined (detected)" in res.stderr.splitlines()
    assert res.stdout.startswith("lines=10000 records=9999 rejects=1 ")
    rep = json.loads(cli("report", "--format", "json", "--output", f"file://{out}").stdout)
    want = reference.report([str(vcombined_log)], log_format="vcombined")
    reference.assert_same(rep, want)
    # the clients are the addresses after the virtual host (the elastic log's top client)
    assert rep["frequent_hosts"][0] == {"host": "66.249.73.135", "count": 482}
    assert all(h["host"].count(".") == 3 and ":" not in h["host"] for h in rep["frequent_hosts"])
    # lines 3, 6, ... have "intranet", no port: 3,333 of them (the truncated line 8899 has a port)
    assert rep["missing_values"]["vhost"] == 0 and rep["missing_values"]["port"] == 3333


def test_warning_when_most_lines_are_rejected(vcombined_log, tmp_path):
    res = cli("run", str(vcombined_log), "--output", f"file://{tmp_path / 'out'}", "--log-format", "combined")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("lines=10000 records=0 rejects=10000 ")
    assert ("warning: 10,000 of 10,000 lines rejected as not combined; they look like vcombined: "
            "--log-format vcombined") in res.stderr.splitlines()


def test_a_directive_that_cannot_be_read(vcombined_log, tmp_path):
    res = cli("run", str(vcombined_log), "--output", f"file://{tmp_path / 'out'}",
              "--log-format", r'%h %l %u %t \"%r\" %>s %b %Z')
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == "python -m analytics: error: --log-format: cannot read the directive %Z"
