"""File creation time, honestly labelled with the clock it came from.

Linux's ``os.stat`` has no birth time before Python 3.12 (and only some file systems
record one), so on Linux we ask ``statx(2)`` through libc: ``stat_with_birth`` returns
the usual stat fields *and* ``STATX_BTIME`` from one system call. When the file system
does not provide a birth time we fall back to the modification time and say so
(``clock = "mtime"``). Windows ``st_ctime`` and macOS ``st_birthtime`` are birth times.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import sys
import threading
from typing import Any

AT_FDCWD = -100
STATX_BASIC_STATS = 0x7FF
STATX_BTIME = 0x800
# struct statx (linux/stat.h): mask, …, mode @28, ino @32, size @40, btime @80, ctime @96,
# mtime @112, dev_major/minor @136; timestamps are (i64 seconds, u32 nanoseconds, pad).
_STATX = struct.Struct("<I24xH2xQQ32xqI4xqI4xqI4x8xII")
_S_IFREG = 0o100000
_WANTED = STATX_BASIC_STATS | STATX_BTIME
# type, mode, mtime, ctime, ino, size: the fields FileStat carries (statx may leave some out)
_NEEDED = 0x1 | 0x2 | 0x40 | 0x80 | 0x100 | 0x200


class FileStat:
    """The stat fields the scan uses, plus the birth time when the file system has one."""

    __slots__ = (
        "st_mode",
        "st_ino",
        "st_dev",
        "st_size",
        "st_mtime_ns",
        "st_mtime",
        "st_ctime_ns",
        "birth",
    )

    def __init__(
        self,
        mode: int,
        ino: int,
        dev: int,
        size: int,
        mtime: tuple[int, int],
        ctime: tuple[int, int],
        birth: float | None,
    ) -> None:
        self.st_mode = mode
        self.st_ino = ino
        self.st_dev = dev
        self.st_size = size
        self.st_mtime_ns = mtime[0] * 1_000_000_000 + mtime[1]
        self.st_mtime = mtime[0] + mtime[1] * 1e-9  # the same float os.stat gives
        self.st_ctime_ns = ctime[0] * 1_000_000_000 + ctime[1]
        self.birth = birth


def _load_statx():  # noqa: ANN202 - a ctypes function or None
    if not sys.platform.startswith("linux"):
        return None
    fn = None
    # The interpreter's own symbols (dlopen(NULL)) include its C library's, so no library
    # search is needed (ctypes.util.find_library costs 15 ms of imports and a subprocess).
    for name in (None, "libc.so.6"):
        try:
            fn = ctypes.CDLL(name, use_errno=True).statx
            break
        except (OSError, AttributeError):
            continue
    if fn is None:
        return None
    # No argtypes: every argument is an int, bytes or a buffer, which ctypes passes as
    # they are, and skipping the conversion layer makes the call a fifth cheaper.
    fn.restype = ctypes.c_int
    return fn


_statx = _load_statx()
# ctypes releases the GIL during the call: each thread needs its own result buffer.
_local = threading.local()


def _buffer() -> Any:
    buf = getattr(_local, "buf", None)
    if buf is None:
        buf = _local.buf = ctypes.create_string_buffer(256)
    return buf


def stat_with_birth(path: str) -> FileStat | os.stat_result:
    """stat(path), following symlinks, with the birth time in one call where possible.

    Raises OSError like ``os.stat``. Returns an ``os.stat_result`` where statx is missing.
    """
    if _statx is None:
        return os.stat(path)
    buf = _buffer()
    if _statx(AT_FDCWD, os.fsencode(path), 0, _WANTED, buf) != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EPERM):
            # An old kernel, or a container whose seccomp filter refuses statx itself
            # (older Docker profiles answer EPERM). If plain stat works, statx is the
            # problem, not the file: stop using it in this process.
            st = os.stat(path)
            _disable_statx()
            return st
        raise OSError(code, os.strerror(code), path)
    mask, mode, ino, size, b_sec, b_nsec, c_sec, c_nsec, m_sec, m_nsec, major, minor = _STATX.unpack_from(buf)
    if mask & _NEEDED != _NEEDED:  # a file system that left out a field we use
        return os.stat(path)
    birth = b_sec + b_nsec / 1e9 if mask & STATX_BTIME and b_sec > 0 else None
    dev = os.makedev(major, minor)
    return FileStat(mode, ino, dev, size, (m_sec, m_nsec), (c_sec, c_nsec), birth)


def statx_available() -> bool:
    """True while stat_with_birth answers through statx (with birth times)."""
    return _statx is not None


def _disable_statx() -> None:
    global _statx
    _statx = None


def is_regular(st: FileStat | os.stat_result) -> bool:
    """True for a regular file (not a device, socket, pipe or folder)."""
    return (st.st_mode & 0o170000) == _S_IFREG


def birth_time(path: str, st: FileStat | os.stat_result) -> tuple[float, str]:
    """(seconds since the epoch, clock name): "birth" when known, else "mtime"."""
    if isinstance(st, FileStat):  # statx already answered; no second call
        return (st.birth, "birth") if st.birth else (st.st_mtime, "mtime")
    if sys.platform == "win32":
        return st.st_ctime, "birth"
    birth = getattr(st, "st_birthtime", None)
    if birth:
        return birth, "birth"
    if _statx is not None:
        try:
            found = stat_with_birth(path)
        except OSError:
            found = None
        if isinstance(found, FileStat) and found.birth:
            return found.birth, "birth"
    return st.st_mtime, "mtime"
