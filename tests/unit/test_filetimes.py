"""File facts from statx: the same fields as os.stat, and a birth time checked against coreutils."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import factories as f
import pytest

from embedding_deck import Library
from embedding_deck.filetimes import FileStat, birth_time, stat_with_birth

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="statx is Linux-only")


def _coreutils_birth(path: str) -> float | None:
    """`stat -c %.9W`: the birth time GNU stat reads through statx (0 = unknown)."""
    out = subprocess.run(["stat", "-L", "-c", "%.9W", path], capture_output=True, text=True, check=True)
    value = float(out.stdout.strip().replace(",", "."))
    return value or None


@linux
def test_stat_fields_match_os_stat(tmp_path):
    path = f.write_safetensors(str(tmp_path / "a.safetensors"), {"e": (2, 768)})
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_600_000_000_987_654_321))
    ours, theirs = stat_with_birth(path), os.stat(path)
    assert isinstance(ours, FileStat)
    for field in ("st_mode", "st_ino", "st_dev", "st_size", "st_mtime_ns", "st_mtime", "st_ctime_ns"):
        assert getattr(ours, field) == getattr(theirs, field), field


@linux
def test_birth_time_agrees_with_coreutils(tmp_path):
    path = f.write_safetensors(str(tmp_path / "a.safetensors"), {"e": (2, 768)})
    os.utime(path, (1_500_000_000, 1_500_000_000))  # an mtime far from the birth time
    expected = _coreutils_birth(path)
    created, clock = birth_time(path, stat_with_birth(path))
    if expected is None:  # this file system records no birth time
        assert (created, clock) == (1_500_000_000, "mtime")
    else:
        assert clock == "birth" and created == pytest.approx(expected, abs=1e-6)
    # an os.stat result (the warm path) reaches the same answer with its own statx call
    assert birth_time(path, os.stat(path)) == (created, clock)
    entry = Library(str(tmp_path)).scan()[0]
    assert (entry.created, entry.created_clock) == (created, clock)


@linux
def test_stat_errors_are_os_errors(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    with pytest.raises(FileNotFoundError):
        stat_with_birth(str(tmp_path / "missing"))
    with pytest.raises(OSError) as err:
        stat_with_birth(str(tmp_path / "loop"))
    assert err.value.errno == errno.ELOOP


@linux
def test_statx_refused_by_a_seccomp_filter_falls_back_to_stat(tmp_path, monkeypatch):
    """Older container profiles answer EPERM for statx itself: files must stay readable."""
    import ctypes

    from embedding_deck import filetimes

    def refused(*_args):
        ctypes.set_errno(errno.EPERM)
        return -1

    monkeypatch.setattr(filetimes, "_statx", refused)
    f.write_safetensors(str(tmp_path / "a.safetensors"), {"e": (2, 768)})
    entry = Library(str(tmp_path)).scan()[0]
    assert entry.error is None and entry.vectors == 2
    assert entry.created_clock == "mtime" and entry.created == entry.modified
    assert not filetimes.statx_available()  # given up for this process, not asked per file
    with pytest.raises(FileNotFoundError):
        stat_with_birth(str(tmp_path / "missing"))


@linux
def test_statx_without_a_needed_field_falls_back_to_stat(tmp_path, monkeypatch):
    """Some file systems answer statx with fields missing from the mask: use stat then."""
    import ctypes

    from embedding_deck import filetimes

    real = filetimes._statx

    def no_size(*args):
        rc = real(*args)
        buf = args[4]
        mask = int.from_bytes(bytes(buf[0:4]), "little") & ~0x200  # drop STATX_SIZE
        ctypes.memmove(buf, mask.to_bytes(4, "little"), 4)
        ctypes.memset(ctypes.addressof(buf) + 40, 0, 8)  # and zero stx_size
        return rc

    monkeypatch.setattr(filetimes, "_statx", no_size)
    path = f.write_safetensors(str(tmp_path / "a.safetensors"), {"e": (2, 768)})
    st = stat_with_birth(path)
    assert not isinstance(st, FileStat) and st.st_size == os.path.getsize(path)
    entry = Library(str(tmp_path)).scan()[0]
    assert entry.error is None and entry.size == os.path.getsize(path)
