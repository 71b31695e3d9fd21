"""Atomic file writes: a temp file in the same folder, flushed, fsynced, then renamed.

If anything fails before the rename, the old file is untouched and the temp file removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename."""
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".edeck-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_json(path: str, data: Any, indent: int | None = 4, compact: bool = False) -> None:
    """Write JSON the way the WebUI does (UTF-8, ``ensure_ascii=False``), atomically."""
    separators = (",", ":") if compact else None
    text = json.dumps(data, indent=indent, ensure_ascii=False, separators=separators)
    atomic_write_bytes(path, text.encode("utf-8"))
