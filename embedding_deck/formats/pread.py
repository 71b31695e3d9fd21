"""A tiny positioned reader over a raw file descriptor (``os.pread``; seek + read on Windows).

Opening thousands of small files through ``io.open`` costs more than reading them: a
file object, an extra ``fstat`` and per-call overhead. The header readers only need
``read``/``seek``/``tell``; pickles and Pillow get a real buffered file via ``as_file``.

The first ``HEAD_BYTES`` of the file are read once up front: the magic number, a
safetensors length and a torch zip's first local header sit there. 48 bytes never reach
tensor data: a safetensors header naming a tensor is at least 51 bytes of JSON after the
8-byte length, torch writes ``data.pkl`` first in its zips, and a legacy file starts with
pickles.
"""

from __future__ import annotations

import io
import os

HEAD_BYTES = 48


def _seek_read(fd: int, n: int, offset: int) -> bytes:
    """``os.pread`` where the platform has none (Windows). The fd is opened for this one
    read_file call and used by one thread, so moving its position is safe."""
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, n)


_pread = getattr(os, "pread", None) or _seek_read


class PRead:
    """read/seek/tell over an fd; the caller owns (and closes) the fd."""

    __slots__ = ("fd", "pos", "size", "head")

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.pos = 0
        self.size = size
        self.head = _pread(fd, min(size, HEAD_BYTES), 0)

    def read(self, n: int = -1) -> bytes:
        pos = self.pos
        if n is None or n < 0:
            n = max(self.size - pos, 0)
        end = pos + n
        if end <= len(self.head) or (len(self.head) == self.size and pos < self.size):
            data = self.head[pos:end]  # within the head, or the head is the whole file
        else:
            data = _pread(self.fd, n, pos)
        self.pos = pos + len(data)
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
