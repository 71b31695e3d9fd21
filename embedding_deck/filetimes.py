"""File creation time, honestly labelled with the clock it came from.

Linux's ``os.stat`` has no birth time before Python 3.12 (and only some file systems
record one), so we ask ``statx(2)`` through libc for ``STATX_BTIME``. When the file
system does not provide it we fall back to the modification time and say so
(``clock = "mtime"``). Windows ``st_ctime`` and macOS ``st_birthtime`` are birth times.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys

AT_FDCWD = -100
STATX_BTIME = 0x800
_BTIME_OFFSET = 80  # struct statx: stx_btime follows four u64 and eight u32/u16 fields


def _load_statx():  # noqa: ANN202 - a ctypes function or None
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.statx
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_char_p]
    fn.restype = ctypes.c_int
    return fn


_statx = _load_statx()
_buffer = ctypes.create_string_buffer(256)


def birth_time(path: str, st: os.stat_result) -> tuple[float, str]:
    """(seconds since the epoch, clock name): "birth" when known, else "mtime"."""
    if sys.platform == "win32":
        return st.st_ctime, "birth"
    birth = getattr(st, "st_birthtime", None)
    if birth:
        return birth, "birth"
    if _statx is not None and _statx(AT_FDCWD, os.fsencode(path), 0, STATX_BTIME, _buffer) == 0:
        (mask,) = struct.unpack_from("<I", _buffer, 0)
        if mask & STATX_BTIME:
            sec, nsec = struct.unpack_from("<qI", _buffer, _BTIME_OFFSET)
            if sec > 0:
                return sec + nsec / 1e9, "birth"
    return st.st_mtime, "mtime"
