"""The stream's log format is kept with its checkpoint: a restart reads the same way,
whatever the topic's first lines look like by then (no Kafka: the first lines are given)."""

import pytest

from analytics.stream import keep_log_format

VCOMBINED = ('www.example.com:80 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" '
             '200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"')
COMMON = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'


def test_restart_keeps_the_detected_format(spark, tmp_path, capsys):
    checkpoint = f"file://{tmp_path}/_checkpoint"
    assert keep_log_format(spark, "auto", checkpoint, lambda: [VCOMBINED] * 3) == "vcombined"
    assert capsys.readouterr().out == "log format: vcombined (detected)\n"
    # restarted: the topic's first lines are no longer read
    assert keep_log_format(spark, "auto", checkpoint, lambda: pytest.fail("detected again")) == "vcombined"
    assert capsys.readouterr().out == "log format: vcombined (kept with the checkpoint)\n"
    # a format given on the command line wins, and is kept in its turn
    assert keep_log_format(spark, "vcommon", checkpoint, lambda: pytest.fail("detected")) == "vcommon"
    assert keep_log_format(spark, "auto", checkpoint, lambda: [COMMON]) == "vcommon"


def test_nothing_detected_is_not_kept(spark, tmp_path, capsys):
    checkpoint = f"file://{tmp_path}/_checkpoint"
    assert keep_log_format(spark, "auto", checkpoint, lambda: []) == "combined"
    assert capsys.readouterr().out == "log format: combined (no named format reads the first lines)\n"
    assert keep_log_format(spark, "auto", checkpoint, lambda: [VCOMBINED]) == "vcombined"
