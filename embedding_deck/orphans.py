"""Temporary files no journal names: found in the library and resolved without losing a byte.

They come from a crash before a journal existed (versions of the deck before the journal,
or an atomic write cut short), and are resolved under the library's lock, after every
journal was (so no running operation of ours owns one):

- ``.edeck-write-*.tmp`` (and the older ``.edeck-<hex>.tmp``): new contents of a save or
  upload that never took their name, never acknowledged; the file they would have replaced
  is intact. Deleted.
- ``.edeck-move-*.tmp`` / ``.edeck-aside-*.tmp``: a file of an interrupted move. A
  byte-identical copy of a file still in place (or of one already kept) is deleted; any
  other is the only copy, and is renamed ``edeck-recovered-<time>-<n><ext>`` (the extension
  guessed from its first bytes) so the user sees it.

Also finishes emptying the trash: ``<trash>/.edeck-emptying-<id>`` folders were renamed
there as the commit of an *Empty trash*.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil

from .journal import keep_visible, same_bytes

EMPTYING = ".edeck-emptying-"
_WRITE = re.compile(r"^\.edeck-(write-)?[0-9a-f]{16}\.tmp$")
_MOVED = re.compile(r"^\.edeck-(move|aside)-[0-9a-f]{16}\.tmp$")


def sweep(root: str, trash_dir: str | None = None) -> list[str]:
    """Resolve every orphaned temporary file in the library; a sentence per kept file."""
    notes: list[str] = []
    kept: list[str] = []
    for folder, names in walk_files(root):
        for name in sorted(names):
            path = os.path.join(folder, name)
            if _WRITE.match(name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            elif _MOVED.match(name):
                _resolve_moved(
                    path, [os.path.join(folder, n) for n in names if not n.startswith(".edeck-")], kept, notes
                )
    if trash_dir:
        _finish_emptying(trash_dir)
    return notes


def walk_files(root: str) -> list[tuple[str, list[str]]]:
    """(folder, file names) of every folder, links followed, each real folder once."""
    out = []
    seen = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        out.append((folder, files))
    return out


def _resolve_moved(path: str, neighbours: list[str], kept: list[str], notes: list[str]) -> None:
    size = os.path.getsize(path)
    for other in neighbours + kept:
        try:
            if os.path.getsize(other) == size and same_bytes(path, other):
                os.unlink(path)
                return
        except OSError:
            continue
    new = keep_visible(path, "", _guess_ext(path))
    kept.append(new)
    notes.append(
        f"Found a file left by an interrupted operation whose name was lost; it was kept as "
        f"{os.path.basename(new)} in {os.path.dirname(new)}."
    )


def _guess_ext(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"\x89PNG"):
        return ".png"
    if head.startswith(b"\xff\xd8"):
        return ".jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head.startswith(b"PK") or head.startswith(b"\x80"):
        return ".pt"
    if len(head) >= 9 and head[8:9] == b"{":
        return ".safetensors"
    if head.lstrip().startswith(b"{"):
        return ".json"
    return ".txt"


def _finish_emptying(trash_dir: str) -> None:
    try:
        names = os.listdir(trash_dir)
    except OSError:
        return
    for name in names:
        if name.startswith(EMPTYING):
            shutil.rmtree(os.path.join(trash_dir, name), ignore_errors=True)
