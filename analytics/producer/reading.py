"""The input side: a plain file, a gzip file or standard input, read in big chunks
and cut into lines, with tail -F's rotation and truncation checks."""
from __future__ import annotations

import gzip
import hashlib
import os
import select

from analytics.errors import UserError

from .common import TICK_S

CHUNK = 1 << 20                 # bytes read per system call
GZIP_MAGIC = b"\x1f\x8b"


class LineReader:
    """One input (plain file, gzip file or standard input) read as bytes in big
    chunks and cut into lines. `pos` is the offset, in the (decompressed) byte
    stream, of the first byte not yet handed out as part of a complete line."""

    def __init__(self, spec: str, index: int, follow: bool):
        self.index = index
        self.follow = follow
        self.stdin = spec == "-"
        self.path = None if self.stdin else os.path.abspath(spec)
        self.name = "<stdin>" if self.stdin else spec
        self.raw = None          # the file on disk (progress, rotation checks)
        self.f = None            # what we read from: raw or a GzipFile over raw
        self.gz = False
        self.ident = None        # (st_dev, st_ino) of the open file
        self.incarnation = 0     # bumped on rotation and truncation
        self.pos = 0
        self.chunk_offset = 0
        self.pieces: list[bytes] = []   # the current incomplete line (at most line_cap bytes of it)
        self.pieces_len = 0             # its length, all of it
        self.line_cap: int | None = None  # longer lines are skipped anyway: keep no more of them
        self.size = 0            # bytes on disk at open (for percent done)

    # -- opening
    def open(self, start: int = 0) -> bool:
        """Open the input and skip `start` bytes. False if a followed file does not exist (yet)."""
        if self.stdin:
            self.pos = 0
            return True
        try:
            raw = open(self.path, "rb", buffering=0)
        except FileNotFoundError:
            if self.follow:
                return False
            raise UserError(f"{self.name}: no such file")
        except OSError as e:
            raise UserError(f"{self.name}: cannot open: {e.strerror}")
        st = os.fstat(raw.fileno())
        self.raw, self.ident, self.size = raw, (st.st_dev, st.st_ino), st.st_size
        self.gz = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        self.f = gzip.GzipFile(fileobj=raw, mode="rb") if self.gz else raw
        self.pieces, self.pieces_len, self.pos = [], 0, 0
        if start:
            if self.gz:
                left = start
                while left:
                    got = len(self.f.read(min(left, CHUNK)))
                    if not got:
                        raise UserError(f"{self.name}: shorter than the resume state says ({start} bytes)")
                    left -= got
            else:
                if st.st_size < start:
                    raise UserError(f"{self.name}: shorter ({st.st_size} bytes) than the resume state "
                                    f"says ({start})")
                raw.seek(start)
            self.pos = start
        return True

    def close(self) -> None:
        if self.f is not None and self.f is not self.raw:
            self.f.close()
        if self.raw is not None:
            self.raw.close()
        self.f = self.raw = None

    # -- reading
    def read_chunk(self):
        """Complete lines from the next read: a list (empty when no complete line
        is available yet), or None at the end of the data. `chunk_offset` is the
        offset of the first returned line."""
        if self.stdin:
            ready, _, _ = select.select([0], [], [], TICK_S)
            if not ready:
                return []
            data = os.read(0, CHUNK)
        else:
            if self.f is None:
                return None
            try:
                data = self.f.read(CHUNK)
            except (OSError, EOFError) as e:   # corrupt or truncated gzip, I/O error
                raise UserError(f"{self.name}: read error at byte {self.pos + self.pieces_len}: {e}")
        if not data:
            return None
        self.chunk_offset = self.pos
        lines = data.split(b"\n")
        rest = lines.pop()
        if not lines:                      # no newline in this read
            if self.line_cap is None:
                self.pieces.append(rest)
            elif self.pieces_len < self.line_cap:  # nothing cut yet: pieces_len bytes are kept
                self.pieces.append(rest[:self.line_cap - self.pieces_len])
            self.pieces_len += len(rest)
            return []
        cr = b"\r" in data
        consumed = self.pieces_len + len(data) - len(rest)
        if self.pieces:
            self.pieces.append(lines[0])
            lines[0] = self._joined(self.pieces_len + len(lines[0]))
            cr = cr or lines[0][-1:] == b"\r"
        if cr:
            lines = [l[:-1] if l[-1:] == b"\r" else l for l in lines]
        self.pos += consumed
        self.pieces, self.pieces_len = ([rest], len(rest)) if rest else ([], 0)
        return lines

    def _joined(self, length: int) -> bytes:
        """The line of ``pieces``, ``length`` bytes long in the input. Past ``line_cap`` it
        is cut to ``line_cap`` bytes plus one, so that it is still over the limit and skipped."""
        line = b"".join(self.pieces)
        return line if self.line_cap is None or length <= self.line_cap else line[:self.line_cap] + b"?"

    def take_partial(self):
        """The final line without a newline, if any (end of input or rotation)."""
        if not self.pieces:
            return None
        line = self._joined(self.pieces_len)
        self.chunk_offset = self.pos
        self.pos += self.pieces_len
        self.pieces, self.pieces_len = [], 0
        return [line]

    def raw_position(self) -> int:
        """Bytes of the file on disk consumed so far (compressed bytes for gzip)."""
        try:
            return self.raw.tell() if self.raw is not None else 0
        except (OSError, ValueError):
            return 0

    # -- tail -F
    def check_rotation(self) -> str | None:
        """'rotated', 'truncated', 'missing' or None, for a followed file at its end."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        if self.raw is None or (st.st_dev, st.st_ino) != self.ident:
            return "rotated"
        if st.st_size < self.pos + self.pieces_len:
            return "truncated"
        return None

    def restart_truncated(self) -> None:
        self.raw.seek(0)
        self.pos, self.pieces, self.pieces_len = 0, [], 0
        self.incarnation += 1

    def head_digest(self, n: int, incarnation: int):
        """sha1 of the first n bytes of this input's stream, or None if unknown."""
        if n <= 0:
            return hashlib.sha1(b"").hexdigest()
        if incarnation != self.incarnation:
            return None
        try:
            if self.raw is not None and not self.gz:
                data = os.pread(self.raw.fileno(), n, 0)
            else:
                data = head_of_file(self.path, n)
        except OSError:
            return None
        return hashlib.sha1(data).hexdigest() if len(data) == n else None


def is_gzip(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def head_of_file(path: str, n: int) -> bytes:
    """The first n bytes of the file's (decompressed) stream, fewer if it is shorter."""
    with open(path, "rb") as raw:
        gz = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        f = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        out = bytearray()
        while len(out) < n:
            block = f.read(n - len(out))
            if not block:
                break
            out += block
        return bytes(out)
