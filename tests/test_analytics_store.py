"""Records, rejects and small tables on disk, keyed by batch."""

from analytics.storage import store
from analytics.parse import parse

LINE = 'h{} - - [01/Aug/1995:00:00:01 -0400] "GET / HTTP/1.0" 200 5'


def test_records_and_rejects_keyed_by_batch(spark, tmp_path):
    """A replayed batch replaces its first attempt; another batch adds to it."""
    from analytics.parse import records, rejects

    out = str(tmp_path / "o")
    df = parse(spark.createDataFrame([(LINE.format(1),), ("bad",)], "value string"))
    for batch_id in (0, 0, 1):  # batch 0 twice (a replay), then batch 1
        store.write_records(records(df), out, batch_id)
        store.write_rejects(rejects(df), out, batch_id)
    recs = spark.read.parquet(f"{out}/records")
    assert sorted((r["date"].isoformat(), r["batch_id"]) for r in recs.collect()) == [
        ("1995-08-01", 0), ("1995-08-01", 1)]
    rejs = spark.read.parquet(f"{out}/rejects")
    assert sorted(tuple(r) for r in rejs.collect()) == [("bad", "not combined", 0), ("bad", "not combined", 1)]


def test_tables_round_trip_and_spark_reads_them(spark, tmp_path):
    """write_table replaces a folder with one Parquet file and _SUCCESS; read_table also
    reads a folder Spark wrote in several parts; Spark reads what write_table wrote."""
    import pyarrow as pa

    uri = f"file://{tmp_path}/t"
    store.write_table(uri, pa.table({"host": ["a", "b"], "count": [2, 1]}))
    store.write_table(uri, pa.table({"host": ["c"], "count": [5]}))  # replaces, never adds
    assert sorted(p.name for p in (tmp_path / "t").iterdir() if not p.name.endswith(".crc")) == [
        "_SUCCESS", "part-00000.parquet"]
    assert store.read_table(uri).to_pylist() == [{"host": "c", "count": 5}]
    assert [tuple(r) for r in spark.read.parquet(uri).collect()] == [("c", 5)]

    spark.range(0, 6, numPartitions=3).write.parquet(f"{tmp_path}/s")
    assert sorted(store.read_table(f"file://{tmp_path}/s").column("id").to_pylist()) == list(range(6))
