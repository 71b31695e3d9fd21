"""The lock every write to an embeddings folder takes, respected by other processes too.

One lock per library: the file ``.edeck.lock`` in the folder's real path (two WebUIs whose
``--embeddings-dir`` lead to one folder share it), held with ``fcntl.flock`` on POSIX and
``msvcrt.locking`` on Windows. Linux emulates ``flock`` with POSIX record locks on NFS and
SMB mounts, so the lock holds on network shares too. Those record locks belong to the
process, not the open file, so a per-process re-entrant lock orders this process's
threads first. A lock not had within ``timeout`` seconds raises ``Busy`` (HTTP 503)
with a sentence: nothing waits for ever.

A folder where the lock file cannot be made (read-only) is locked in this process only:
nothing can be written there anyway, and the write's own error says so.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import DeckError

LOCK_NAME = ".edeck.lock"
DEFAULT_TIMEOUT = 10.0
_POLL = 0.005


class Busy(DeckError):
    """Another process (or request) holds the folder's lock for longer than we wait."""

    status_hint = 503


try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _open_lock_file(path: str) -> int | None:
    """An fd on the lock file, made if missing; None where the folder is read-only."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags, 0o666)
    except OSError as err:
        if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
    try:  # a lock file another user made: a read-only fd locks as well
        return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None


class _State:
    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_states: dict[str, _State] = {}
_states_guard = threading.Lock()


class LibraryLock:
    """The lock of one embeddings folder; ``with lock.hold(): ...`` (re-entrant)."""

    def __init__(self, root: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = os.path.join(os.path.realpath(root), LOCK_NAME)
        self.timeout = timeout
        with _states_guard:
            self._state = _states.setdefault(self.path, _State())

    @contextmanager
    def hold(self, timeout: float | None = None) -> Iterator[None]:
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        state = self._state
        if not state.thread_lock.acquire(timeout=wait):
            raise _busy()
        try:
            if state.depth == 0:
                state.fd = self._take(deadline)
            state.depth += 1
            try:
                yield
            finally:
                state.depth -= 1
                if state.depth == 0:
                    self._release(state)
        finally:
            state.thread_lock.release()

    def _take(self, deadline: float) -> int | None:
        fd = _open_lock_file(self.path)
        if fd is None:
            return None
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise _busy()
                time.sleep(_POLL)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def _release(state: _State) -> None:
        fd, state.fd = state.fd, None
        if fd is not None:
            try:
                _unlock(fd)
            finally:
                os.close(fd)


def _busy() -> Busy:
    return Busy(
        "Another WebUI or request is changing files in this embeddings folder; nothing was done. "
        "Try again in a moment."
    )
