"""What the user sees while the producer runs: a tqdm bar on a terminal, a plain line
every LOG_EVERY_S otherwise, nothing with --quiet."""
from __future__ import annotations

import sys
import time

from .common import say

LOG_EVERY_S = 10.0              # plain progress lines when stderr is not a terminal


class Progress:
    def __init__(self, quiet: bool, total_bytes: int | None):
        self.mode = "off" if quiet else ("bar" if sys.stderr.isatty() else "log")
        self.total = total_bytes
        self.start = time.monotonic()
        self.next_log = self.start + LOG_EVERY_S
        self.last_logged = -1
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm
            if total_bytes:
                self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024,
                                file=sys.stderr, dynamic_ncols=True, leave=False,
                                bar_format="{percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B{postfix} "
                                           "[{elapsed}<{remaining}]")
            else:
                self.bar = tqdm(unit=" lines", unit_scale=True, file=sys.stderr, dynamic_ncols=True,
                                leave=False)

    def update(self, read: int, delivered: int, position: int) -> None:
        if self.mode == "off":
            return
        now = time.monotonic()
        rate = read / max(now - self.start, 1e-9)
        if self.mode == "bar":
            if self.total:
                self.bar.n = min(position, self.total)
                self.bar.set_postfix_str(f"{read:,} lines, {rate:,.0f} lines/s", refresh=False)
                self.bar.refresh()
            else:
                self.bar.update(read - self.bar.n)
        elif now >= self.next_log and read != self.last_logged:
            self.next_log = now + LOG_EVERY_S
            self.last_logged = read
            pct = f" ({100.0 * position / self.total:.0f}%)" if self.total else ""
            say(f"{read:,} lines read{pct}, {delivered:,} delivered, {rate:,.0f} lines/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
