"""kafka_producer.py: access-log lines to a Kafka topic, byte for byte.

- ``cli``: the flags, their environment variables and --help;
- ``reading``: ``LineReader``, one input (plain, gzip or standard input) cut into lines,
  tail -F's rotation and truncation;
- ``pacing``: --rate and --replay-speed;
- ``publishing``: ``Publisher``, lines to messages and their acknowledgements in order,
  and ``fast_append``, the shortcut into kafka-python's record accumulator;
- ``resume``: --resume's state file and reading the topic back;
- ``progress``: the progress bar or periodic progress lines;
- ``runner``: ``connect`` (topic and producer), ``Runner`` (one run) and ``main``;
- ``common``: the name in messages, the housekeeping period, ``say``.

Nothing here imports pyspark or pyarrow, and kafka-python only once it connects:
the producer starts fast.
"""
