"""Where the results live: :mod:`.store` (files on HDFS or a local folder, and the output's
layout), :mod:`.state` (the per-day running totals, merged in Spark) and :mod:`.compact`
(records of past days folded into one folder per day)."""
