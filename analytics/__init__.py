"""Log analytics: web-server access logs from Kafka into ten exact running totals.

- :mod:`analytics.metrics`: the ten analytics, and the shared aggregates they derive from;
- what runs them: :mod:`analytics.parse` (lines to records), :mod:`analytics.batch` (one
  batch, written), :mod:`analytics.stream` (the Structured Streaming job),
  :mod:`analytics.cli` (``python -m analytics``: run, report, compact, dashboard);
- :mod:`analytics.storage`: where they are kept (the per-day state, records and rejects on
  HDFS or a local folder);
- :mod:`analytics.producer`: ``kafka_producer.py``'s internals.

Nothing is imported here, so a module of the package costs only its own imports.
"""
