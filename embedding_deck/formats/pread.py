"""A tiny positioned reader over a raw file descriptor (``os.pread``).

Opening thousands of small files through ``io.open`` costs more than reading them: a
file object, an extra ``fstat`` and per-call overhead. The header readers only need
``read``/``seek``/``tell``; pickles and Pillow get a real buffered file via ``as_file``.
"""

from __future__ import annotations

import io
import os


class PRead:
    """read/seek/tell over an fd; the caller owns (and closes) the fd."""

    __slots__ = ("fd", "pos", "size")

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.pos = 0
        self.size = size

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = max(self.size - self.pos, 0)
        data = os.pread(self.fd, n, self.pos)
        self.pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self.pos
        elif whence == 2:
            offset += self.size
        self.pos = max(offset, 0)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def as_file(self) -> io.BufferedReader:
        """A buffered file object on the same fd, at this position (for pickle and Pillow)."""
        fh = io.BufferedReader(io.FileIO(self.fd, closefd=False), 8192)
        fh.seek(self.pos)
        return fh
