"""Atomic file writes: a temp file in the same folder, flushed, fsynced, then renamed.

If anything fails before the rename, the old file is untouched and the temp file removed.
A durable write also fsyncs the folder after the rename, so the new name survives a power cut.
A replaced file keeps its mode (and, where permitted, its owner and group); a new file gets
the mode the user's umask gives, like any file the user's programs create.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
from typing import Any

WRITE_PREFIX = ".edeck-write-"
# Like tempfile.mkstemp's flags, but the mode is 0o666 so the kernel applies the umask.
_TEMP_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def _open_temp(folder: str) -> tuple[int, str]:
    """Create a fresh ``.edeck-write-*.tmp`` file in ``folder``; return its fd and path."""
    for _ in range(100):
        tmp = os.path.join(folder, f"{WRITE_PREFIX}{secrets.token_hex(8)}.tmp")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def _keep_mode_and_owner(tmp: str, old: os.stat_result) -> None:
    """Give ``tmp`` the mode and owner of the file it replaces; an owner we may not set stays."""
    chown = getattr(os, "chown", None)
    if chown is not None and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        # Only root may give a file away; a plain user may still set a group they belong to.
        with contextlib.suppress(OSError):
            chown(tmp, old.st_uid, old.st_gid)
        with contextlib.suppress(OSError):
            chown(tmp, -1, old.st_gid)
    # After chown, which clears set-id bits.
    os.chmod(tmp, old.st_mode & 0o7777)


def _old_stat(path: str) -> os.stat_result | None:
    """The stat of the file about to be replaced, or None when there is none."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def atomic_write_bytes(path: str, data: bytes, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` in one rename; ``durable`` fsyncs before it.

    Only a cache may skip the fsync: after a power loss it may be empty or torn, which a
    reader detects (invalid JSON) and answers by scanning again.
    """
    folder = os.path.dirname(path) or "."
    fd, tmp = _open_temp(folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        old = _old_stat(path)
        if old is not None:
            _keep_mode_and_owner(tmp, old)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_folder(folder)


def atomic_write_json(
    path: str, data: Any, indent: int | None = 4, compact: bool = False, durable: bool = True
) -> None:
    """Write JSON the way the WebUI does (UTF-8, ``ensure_ascii=False``), atomically."""
    separators = (",", ":") if compact else None
    text = json.dumps(data, indent=indent, ensure_ascii=False, separators=separators)
    atomic_write_bytes(path, text.encode("utf-8", "surrogateescape"), durable)


def fsync_folder(folder: str) -> None:
    """Make a folder's entries (renames, new and removed files) durable; a no-op on Windows."""
    if os.name == "nt":
        return
    fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as err:  # some file systems (and FUSE mounts) refuse to fsync a folder
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)
