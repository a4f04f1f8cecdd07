# Fixtures shared by every test folder: `stack` (the real Kafka + HDFS).
pytest_plugins = ["stack.testing"]
