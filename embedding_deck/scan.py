"""Walks the embeddings folder by the WebUI's rules, with ``stat`` only (no file reads).

Rules (A1111 ``load_from_dir``): ``os.walk(followlinks=True)`` top-down in directory order;
hidden files and folders are *not* skipped; files ending in ``.pt .bin .safetensors .png
.webp .jxl .avif`` (any case) are candidates, except ``*.preview.<image>``. Unlike the
WebUI we never loop: a folder reached twice through symlinks is walked once.
"""

from __future__ import annotations

import os
import stat as stat_mod
from dataclasses import dataclass, field

from .formats import EMBEDDING_EXTS
from .previews import is_preview_name


@dataclass
class Folder:
    """One walked folder: its relative path and every file name in it."""

    rel: str
    names: dict[str, os.DirEntry] = field(default_factory=dict)
    lower: dict[str, str] = field(default_factory=dict)


@dataclass
class Candidate:
    """A file (or misnamed folder) the WebUI would try to load as an embedding."""

    rel: str
    abs: str
    name: str
    folder: Folder
    st: os.stat_result | None
    stat_error: OSError | None = None
    is_dir: bool = False


@dataclass
class Walk:
    """The result of one walk: candidates in the WebUI's walk order, and every folder."""

    candidates: list[Candidate]
    folders: list[Folder]
    loops: list[str]


def is_candidate(name: str) -> bool:
    """True when the WebUI would try to load a file of this name."""
    lowered = name.lower()
    return lowered.endswith(EMBEDDING_EXTS) and not is_preview_name(name)


def walk(root: str) -> Walk:
    """Walk ``root``; raise OSError only when the root itself cannot be listed."""
    result = Walk([], [], [])
    seen: set[tuple[int, int]] = set()
    top = os.stat(root)
    seen.add((top.st_dev, top.st_ino))
    _walk_dir(root, "", result, seen, is_root=True)
    return result


def _walk_dir(path: str, rel: str, result: Walk, seen: set, is_root: bool = False) -> None:
    try:
        entries = list(os.scandir(path))
    except OSError:
        if is_root:
            raise
        return
    folder = Folder(rel)
    result.folders.append(folder)
    subdirs: list[tuple[os.DirEntry, str]] = []
    for entry in entries:
        name = entry.name
        child_rel = f"{rel}/{name}" if rel else name
        try:
            is_dir = entry.is_dir()  # follows symlinks, as os.walk(followlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            subdirs.append((entry, child_rel))
            if is_candidate(name):
                result.candidates.append(Candidate(child_rel, entry.path, name, folder, None, is_dir=True))
            continue
        folder.names[name] = entry
        folder.lower.setdefault(name.lower(), name)
        if is_candidate(name):
            result.candidates.append(_candidate(entry, child_rel, folder))
    for entry, child_rel in subdirs:
        try:
            st = entry.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            result.loops.append(child_rel)
            continue
        seen.add(key)
        _walk_dir(entry.path, child_rel, result, seen)


def _candidate(entry: os.DirEntry, rel: str, folder: Folder) -> Candidate:
    try:
        st = entry.stat()
    except OSError as err:
        return Candidate(rel, entry.path, entry.name, folder, None, stat_error=err)
    if not stat_mod.S_ISREG(st.st_mode):
        err = OSError(0, "not a regular file")
        return Candidate(rel, entry.path, entry.name, folder, st, stat_error=err)
    return Candidate(rel, entry.path, entry.name, folder, st)
