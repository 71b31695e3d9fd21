"""Atomic writes keep a replaced file's mode and owner; a new file follows the umask."""

from __future__ import annotations

import io
import json
import os
import stat
import sys

import factories as f
import pytest

from embedding_deck import previews, sidecar, user_metadata

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and owners")


@pytest.fixture
def umask():
    """Set a umask for the test and restore the old one after it."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _save_description(path: str, text: str) -> None:
    _, stamp = sidecar.read_user_metadata(path)
    user_metadata.merge_changes(path, {"description": {"from": None, "to": text}}, stamp)


def _png() -> bytes:
    out = io.BytesIO()
    f.picture(32, 32).save(out, "PNG")
    return out.getvalue()


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640, 0o600], ids=oct)
def test_saved_json_keeps_its_mode(tmp_path, umask, mode):
    path = str(tmp_path / "EasyNegative.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"notes": "n"}, fh)
    os.chmod(path, mode)
    _save_description(path, "new")
    assert _mode(path) == mode
    assert json.load(open(path))["description"] == "new"


@posix_only
@pytest.mark.parametrize(
    ("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)], ids=["022", "002", "077"]
)
def test_new_json_follows_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    path = str(tmp_path / "EasyNegative.json")
    _save_description(path, "first")
    assert _mode(path) == expected


@posix_only
def test_replaced_preview_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path, umask):
    umask(0o002)
    emb = f.write_safetensors(str(tmp_path / "x.safetensors"), {"e": (1, 768)})
    target = previews.write_preview(emb, _png())
    assert _mode(target) == 0o664
    os.chmod(target, 0o644)
    previews.write_preview(emb, _png())
    assert _mode(target) == 0o644


@posix_only
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_replaced_file_keeps_its_owner_when_we_may_set_it(tmp_path, umask):
    path = str(tmp_path / "EasyNegative.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({}, fh)
    os.chown(path, 1234, 4321)
    _save_description(path, "new")
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (1234, 4321)


@posix_only
def test_an_owner_we_may_not_set_is_left_and_the_save_still_happens(tmp_path, umask, monkeypatch):
    path = str(tmp_path / "EasyNegative.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({}, fh)
    os.chmod(path, 0o640)
    real = os.stat

    def foreign_owner(p, *args, **kwargs):
        st = real(p, *args, **kwargs)
        if os.fspath(p) != path:
            return st
        fields = list(st)
        fields[stat.ST_UID], fields[stat.ST_GID] = st.st_uid + 1, st.st_gid + 1
        return os.stat_result(fields)

    def refuse(*_args) -> None:
        raise PermissionError("not permitted")

    monkeypatch.setattr(os, "stat", foreign_owner)
    monkeypatch.setattr(os, "chown", refuse)
    _save_description(path, "saved")
    monkeypatch.undo()
    assert _mode(path) == 0o640
    assert json.load(open(path))["description"] == "saved"
