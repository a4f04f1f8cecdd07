"""What the dashboard reads from an output, all in this one module (read-only).

Every read of the results goes through :class:`Results`: the report (exactly what
``python -m analytics report --format json`` prints, through the same ``state.read_totals``
and ``report.build``), the newest committed batch, and the stream's per-batch progress
table. Nothing here writes anything.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

#: how many of the newest batches the stream-health panel shows
RECENT_BATCHES = 50
#: reports kept per process (a few ranges of the newest commit and the one before)
CACHED_REPORTS = 16


class Results:
    """The results at ``output``, read with pyarrow (WebHDFS for ``hdfs://``): no Spark.

    Reports are cached per commit: the same range asked again before the next commit
    costs nothing; one read runs at a time."""

    def __init__(self, output: str):
        self.output = output
        self._lock = threading.Lock()
        self._cache: OrderedDict = OrderedDict()

    # -- the report ------------------------------------------------------------------------
    def report(self, top: int | None = None, first: dt.date | None = None, last: dt.date | None = None,
               commit=None) -> dict | None:
        """The report dict over ``first``..``last`` (inclusive; None: open), or None if no
        batch was committed. ``commit`` (see :meth:`commit`) keys the cache."""
        key = (commit, top, first, last)
        with self._lock:
            if commit is not None and key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            rep = read_report(self.output, top, first, last)
            if commit is not None and rep is not None:
                self._cache[key] = rep
                while len(self._cache) > CACHED_REPORTS:
                    self._cache.popitem(last=False)
            return rep

    # -- the newest commit -----------------------------------------------------------------
    def commit(self) -> tuple[int, float] | None:
        """``(batch id, committed at in s since the epoch)`` of the newest committed batch,
        or None: two listings of a small folder, cheap enough to ask every second. A batch
        run (``analytics run --overwrite``) commits batch 0 again, at a new time."""
        from analytics.storage import state, store

        batch_id = state.last_committed(self.output)
        if batch_id is None:
            return None
        marker = f"batch_id={batch_id}"
        times = [modified for name, _, modified in
                 store.list_status(store.join(self.output, state.STATE, state.COMMITTED))
                 if name == marker]
        return batch_id, (times[0] / 1000 if times else 0.0)

    # -- the stream's progress -------------------------------------------------------------
    def _progress_ids(self) -> list[int]:
        from analytics.storage import store

        return sorted(int(name.removeprefix("batch_id=")) for name in
                      store.list_dirs(store.join(self.output, store.PROGRESS))
                      if name.startswith("batch_id=") and name.removeprefix("batch_id=").isdigit())

    def newest_progress(self) -> int | None:
        """The newest batch id in ``<out>/progress`` (one listing), or None."""
        ids = self._progress_ids()
        return ids[-1] if ids else None

    def progress(self, limit: int = RECENT_BATCHES) -> list[dict]:
        """The newest ``limit`` rows of ``<out>/progress`` (one per committed stream batch),
        newest first, as JSON-able dicts (``finished_at``: s since the epoch); [] if the
        stream has written none."""
        from analytics.storage import store

        base = store.join(self.output, store.PROGRESS)
        rows = []
        for n in self._progress_ids()[-limit:]:
            try:
                rows += store.read_table(store.join(base, f"batch_id={n}")).to_pylist()
            except (FileNotFoundError, ValueError):  # pruned, or being written, meanwhile
                continue
        out = []
        for r in rows:
            finished = r["finished_at"]
            out.append({"batch_id": r["batch_id"], "lines": r["lines"], "rejected": r["rejected"],
                        "seconds": r["seconds"], "behind": r["behind"],
                        "finished_at": finished and finished.timestamp()})
        return sorted(out, key=lambda r: r["batch_id"], reverse=True)


def freshness(commit, progress: list[dict]) -> float | None:
    """When the data shown was committed (s since the epoch): the newest of the state's
    commit marker and the newest stream batch's ``finished_at``; None if nothing is committed."""
    if commit is None:
        return None
    return max([commit[1]] + [p["finished_at"] for p in progress[:1] if p["finished_at"]])


def read_report(output: str, top: int | None, first: dt.date | None, last: dt.date | None) -> dict | None:
    """THE read of the totals: the report dict that ``report --format json`` prints for the
    same arguments, or None if no batch was committed. (The one place to change when the
    totals get another reader.)"""
    from analytics import report as R
    from analytics.storage import state

    totals = state.read_totals(output, first, last)
    return R.build(totals, top, first, last) if totals else None
