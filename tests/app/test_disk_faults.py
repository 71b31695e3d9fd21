"""Faults that are not crashes: a full disk (a tiny tmpfs), a read-only disk (a tmpfs
remounted read-only), a file vanishing mid-operation. Every answer is a sentence naming the
cause, the originals stay byte for byte, and no temporary file is left.

Mounting needs root (CI runs as root); elsewhere these tests skip and say why.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator

import factories as f
import pytest
from support import fixture_path

from embedding_deck import fileops, journal
from embedding_deck.errors import DeckError
from embedding_deck_app.deck import Deck
from embedding_deck_app.host_standalone import StandaloneHost
from embedding_deck_app.library_ops import LibraryOps


def _mount(path: str, size: str) -> bool:
    os.makedirs(path, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True
        ).returncode
        == 0
    )


@pytest.fixture
def tiny(tmp_path) -> Iterator[str]:
    """A 2 MB tmpfs."""
    path = str(tmp_path / "tiny")
    if not _mount(path, "2m"):
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=False)


def _fill(folder: str) -> None:
    """Fill the file system until a write fails."""
    fd = os.open(os.path.join(folder, "filler.bin"), os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


def _read_only(folder: str) -> None:
    subprocess.run(["mount", "-o", "remount,ro", folder], check=True)


def _library(root: str) -> None:
    os.makedirs(root, exist_ok=True)
    shutil.copy(fixture_path("trainer_zip_sd1.pt"), os.path.join(root, "foo.pt"))
    with open(os.path.join(root, "foo.json"), "w") as fh:
        json.dump({"description": "mine"}, fh)
    f.picture(8, 8).save(os.path.join(root, "foo.preview.png"))
    with open(os.path.join(root, "foo.civitai.info"), "wb") as fh:
        fh.write(b"x" * 400_000)


def _files(*folders: str) -> dict[str, bytes]:
    out = {}
    for folder in folders:
        for base, _dirs, names in os.walk(folder):
            for name in names:
                if name in ("filler.bin", ".edeck.lock"):
                    continue
                with open(os.path.join(base, name), "rb") as fh:
                    out[os.path.join(base, name)] = fh.read()
    return out


def _temps(*folders: str) -> list[str]:
    return [
        n for folder in folders for _b, _d, names in os.walk(folder) for n in names if n.startswith(".edeck-")
    ]


def _png() -> bytes:
    out = io.BytesIO()
    f.picture(300, 300, seed=3).save(out, "PNG")
    return out.getvalue()


def _deck(root: str, cache: str) -> tuple[Deck, LibraryOps]:
    deck = Deck(StandaloneHost(root, cache))
    deck.scan()
    return deck, LibraryOps(deck)


def _stamp(root: str, rel: str) -> str:
    return fileops.stamp_of(os.path.join(root, rel))


def _actions(deck: Deck, ops: LibraryOps, root: str) -> dict:
    big = "x" * 90_000
    return {
        "save": lambda: deck.save_meta("foo.pt", {"notes": {"from": "before the fault", "to": big}}, None),
        "upload": lambda: deck.upload_preview("foo.pt", _png()),
        "delete-preview": lambda: deck.delete_preview("foo.pt"),
        "rename": lambda: ops.rename("foo.pt", "bar", _stamp(root, "foo.pt")),
        "delete": lambda: ops.delete("foo.pt", _stamp(root, "foo.pt")),
        "convert": lambda: ops.convert("foo.pt", _stamp(root, "foo.pt")),
    }


CAUSES = ("disk is full", "read-only", "permission denied")


def _expect_sentence(action, before: dict, folders: tuple[str, ...]) -> str:
    with pytest.raises(DeckError) as caught:
        action()
    text = str(caught.value)
    assert any(c in text for c in CAUSES) and "every file was left as it was" in text, text
    assert "Errno" not in text and ".edeck-" not in text
    assert _files(*folders) == before
    assert _temps(*folders) == []
    return text


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_full_or_read_only_library_keeps_every_file(tmp_path, tiny, fault):
    root = os.path.join(tiny, "embeddings")
    _library(root)
    cache = str(tmp_path / "cache")
    deck, ops = _deck(root, cache)
    deck.save_meta(
        "foo.pt", {"notes": {"from": None, "to": "before the fault"}}, None
    )  # the lock file exists
    if fault == "full":
        _fill(tiny)
    else:
        _read_only(tiny)
    before = _files(root)
    for name, action in _actions(deck, ops, root).items():
        if fault == "full" and name in ("rename", "delete", "delete-preview"):
            continue  # renames within a full disk need no space, and succeed
        text = _expect_sentence(action, before, (root,))
        assert "foo" in text, (name, text)  # the sentence names the file


def test_a_move_onto_a_full_disk_keeps_every_file(tmp_path, tiny):
    root = str(tmp_path / "embeddings")
    _library(root)
    os.symlink(tiny, os.path.join(root, "elsewhere"))
    _fill(tiny)
    deck, ops = _deck(root, str(tmp_path / "cache"))
    before = _files(root, tiny)
    text = _expect_sentence(
        lambda: ops.move("foo.pt", "elsewhere", _stamp(root, "foo.pt")), before, (root, tiny)
    )
    assert "disk is full" in text


def test_emptying_a_trash_on_a_read_only_disk_says_so(tmp_path, tiny):
    root = str(tmp_path / "embeddings")
    _library(root)
    deck = Deck(StandaloneHost(root, tiny))  # the cache, and so the trash, on the small disk
    deck.scan()
    ops = LibraryOps(deck)
    ops.delete("foo.pt", _stamp(root, "foo.pt"))
    _read_only(tiny)
    before = _files(tiny)
    with pytest.raises(DeckError, match="read-only") as caught:
        ops.empty()
    assert "Errno" not in str(caught.value)
    assert _files(tiny) == before and len(ops.trash()["items"]) == 1


def test_a_file_vanishing_mid_operation(tmp_path):
    """Another program deletes a sidecar while the rename runs: refused, the rest put back."""
    root = str(tmp_path / "embeddings")
    _library(root)
    deck, ops = _deck(root, str(tmp_path / "cache"))
    stamp = _stamp(root, "foo.pt")
    victim = os.path.join(root, "foo.preview.png")

    def vanish(label: str) -> None:
        if label == "stage" and os.path.exists(victim):
            os.unlink(victim)

    before = _files(root)
    del before[victim]
    journal.FAULT = vanish
    try:
        with pytest.raises(DeckError, match="vanished") as caught:
            ops.rename("foo.pt", "bar", stamp)
    finally:
        journal.FAULT = None
    assert "foo.preview.png" in str(caught.value)
    assert _files(root) == before and _temps(root) == []
