"""--rate and --replay-speed: when each line is due."""
from __future__ import annotations

import calendar
import re

_MONTHS = {m.encode(): i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_TS_RE = re.compile(rb"\[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]")


class TimestampCache:
    """Epoch seconds of a line's [dd/Mon/yyyy:HH:MM:SS +zzzz] timestamp, or None."""

    def __init__(self):
        self.cache: dict[bytes, float | None] = {}

    def __call__(self, line: bytes):
        m = _TS_RE.search(line, 0, 1024)
        if m is None:
            return None
        text = m.group(0)
        value = self.cache.get(text, False)
        if value is False:
            d, mon, y, hh, mm, ss, sign, zh, zm = m.groups()
            try:
                value = calendar.timegm((int(y), _MONTHS[mon], int(d), int(hh), int(mm), int(ss)))
                offset = int(zh) * 3600 + int(zm) * 60
                value -= offset if sign == b"+" else -offset
            except (KeyError, ValueError, OverflowError):
                value = None
            if len(self.cache) > 100_000:
                self.cache.clear()
            self.cache[text] = value
        return value


class Pacer:
    """The monotonic time each line is due: at most `rate` lines a second, and, with
    `replay`, no earlier than its own timestamp allows at `replay` times real time.
    A line without a timestamp is due at once (as far as the rate allows)."""

    def __init__(self, rate: float, replay: float):
        self.rate = rate
        self.replay = replay
        self.paced = 0
        self.t0 = None
        self.replay_origin = None
        self.timestamp = TimestampCache()

    def due(self, line: bytes, now: float) -> float:
        due = now
        if self.rate:
            if self.t0 is None:
                self.t0 = now
            due = self.t0 + self.paced / self.rate
            self.paced += 1
        if self.replay:
            ts = self.timestamp(line)
            if ts is not None:
                if self.replay_origin is None:
                    self.replay_origin = (ts, now)
                ts0, wall0 = self.replay_origin
                due = max(due, wall0 + (ts - ts0) / self.replay)
        return due
