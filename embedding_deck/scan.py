"""Walks the embeddings folder by the WebUI's rules, with ``stat`` only (no file reads).

Rules (A1111 ``load_from_dir``): ``os.walk(followlinks=True)`` top-down in directory order;
hidden files and folders are *not* skipped; files ending in ``.pt .bin .safetensors .png
.webp .jxl .avif`` (any case) are candidates, except ``*.preview.<image>``. Unlike the
WebUI we never loop: a folder reached twice through symlinks is walked once.

Each folder's names are classified in one pass: candidates, sidecars by stem, previews by
stem, so the index never probes names one by one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from .filetimes import FileStat, is_regular, stat_with_birth, statx_available
from .formats import EMBEDDING_EXTS
from .previews import PREVIEW_ORDER
from .sidecar import SIDECAR_SUFFIXES

_EMBEDDING_EXTS = frozenset(EMBEDDING_EXTS)
# Forge and reForge rename a file their torch.load / safetensors load_file wrapper cannot
# load to X.corrupted (modules_forge/patch_basic.py): listed, so the user sees and repairs it.
CORRUPTED = ".corrupted"
_RENAMED_EXTS = (".pt.corrupted", ".bin.corrupted", ".safetensors.corrupted")
_IMAGE_EXTS = frozenset((".png", ".webp", ".jxl", ".avif"))
_PREVIEW_RANK = {suffix: rank for rank, suffix in enumerate(PREVIEW_ORDER)}
_PREVIEW_EXTS = frozenset(s[s.rfind(".") :] for s in PREVIEW_ORDER)
_SIDECAR_EXTS = frozenset(s[s.rfind(".") :] for s in SIDECAR_SUFFIXES)


@dataclass
class Folder:
    """One walked folder: its relative path, and its sidecars and previews by stem."""

    rel: str
    path: str = ""
    # DirEntry objects from a fresh listing (their stat is fresh); empty when reused.
    entries: dict[str, os.DirEntry] = field(default_factory=dict)
    # For a reused listing: this walk's stat of each candidate and sidecar, by name.
    stats: dict[str, os.stat_result] = field(default_factory=dict)
    sidecars: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    previews: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    # name -> (stem, sidecars, preview): fixed while the listing is, so a warm scan of an
    # unchanged folder looks each up once, not once per scan
    _neighbours: dict[str, tuple[str, list[tuple[str, str]], str | None]] = field(default_factory=dict)

    def neighbours(self, name: str) -> tuple[str, list[tuple[str, str]], str | None]:
        """(stem, its sidecars, its preview file name) for a candidate file of this folder."""
        found = self._neighbours.get(name)
        if found is None:
            stem = stem_of(name)
            found = self._neighbours[name] = (stem, self.sidecars_of(stem), self.preview_of(stem))
        return found

    def sidecars_of(self, stem: str) -> list[tuple[str, str]]:
        """(suffix, file name) of each sidecar of ``stem``: exact names first, then any case."""
        found = self.sidecars.get(stem.lower())
        if not found:
            return []
        best: dict[str, str] = {}
        for suffix, name in found:
            if name == stem + suffix or suffix not in best:
                best[suffix] = name
        return [(s, best[s]) for s in SIDECAR_SUFFIXES if s in best]

    def preview_of(self, stem: str) -> str | None:
        """The preview file name of ``stem`` in the fixed order, exact before any-case."""
        found = self.previews.get(stem.lower())
        if not found:
            return None
        return min(found, key=lambda c: (c[0], c[2] != stem + c[1]))[2]


@dataclass(slots=True)
class Candidate:
    """A file (or misnamed folder) the WebUI would try to load as an embedding."""

    rel: str
    abs: str
    name: str
    folder: Folder
    st: FileStat | os.stat_result | None
    stat_error: OSError | None = None
    is_dir: bool = False


@dataclass
class Walk:
    """The result of one walk: candidates in the WebUI's walk order, and every folder."""

    candidates: list[Candidate]
    folders: list[Folder]
    loops: list[str]


def stem_of(name: str) -> str:
    """A file name without its last extension (the WebUI's embedding name); for a file the
    WebUI renamed ``X.pt.corrupted``, the name it had (X)."""
    if name[-len(CORRUPTED) :].lower() == CORRUPTED:
        name = name[: -len(CORRUPTED)]
    # names here always have an embedding extension, so the last dot starts it
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def is_candidate(name: str) -> bool:
    """True when the WebUI would try to load a file of this name."""
    lowered = name.lower()
    ext = lowered[lowered.rfind(".") :]
    if ext not in _EMBEDDING_EXTS:
        return ext == CORRUPTED and lowered.endswith(_RENAMED_EXTS)
    return not (ext in _IMAGE_EXTS and lowered.endswith(".preview" + ext))


def _classify(folder: Folder, name: str, lowered: str, ext: str) -> None:
    if ext in _SIDECAR_EXTS:
        for suffix in SIDECAR_SUFFIXES:
            if lowered.endswith(suffix):
                stem = lowered[: -len(suffix)]
                folder.sidecars.setdefault(stem, []).append((suffix, name))
    if ext in _PREVIEW_EXTS:
        for suffix in (f".preview{ext}", ext):
            if lowered.endswith(suffix):
                stem = lowered[: -len(suffix)]
                folder.previews.setdefault(stem, []).append((_PREVIEW_RANK[suffix], suffix, name))


@dataclass
class _Listing:
    """A folder's listing, reusable while the folder's own mtime is unchanged."""

    key: tuple[int, int, int]
    folder: Folder
    files: list[str]
    subdirs: list[str]
    dir_candidates: list[str]
    candidates: list[str] = field(default_factory=list)
    sidecar_names: list[str] = field(default_factory=list)


class Walker:
    """Walks a root; remembers folder listings so an unchanged folder is not listed again.

    A folder's name set changes only when its own mtime changes, so an unchanged folder
    needs no ``scandir``: only its files are stat'ed again (their contents may change).
    Listings younger than ``SETTLE_NS`` are not trusted, for coarse file-system clocks.
    """

    SETTLE_NS = 2_000_000_000

    def __init__(self, root: str) -> None:
        self.root = root
        self._listings: dict[str, _Listing] = {}

    def walk(self) -> Walk:
        """Walk the root; raise OSError only when the root itself cannot be listed."""
        result = Walk([], [], [])
        top = os.stat(self.root)
        self._now = time.time_ns()
        self._fresh: dict[str, _Listing] = {}
        self._walk_dir(self.root, "", top, result, {(top.st_dev, top.st_ino)}, is_root=True)
        self._listings = self._fresh
        return result

    def _listing(self, path: str, rel: str, st: os.stat_result, is_root: bool) -> _Listing | None:
        key = (st.st_mtime_ns, st.st_ino, st.st_dev)
        old = self._listings.get(rel)
        if old is not None and old.key == key and self._now - st.st_mtime_ns > self.SETTLE_NS:
            old.folder.entries = {}
            return old
        try:
            return _read_listing(path, rel, key)
        except OSError:
            if is_root:
                raise
            return None

    def folder(self, path: str, rel: str) -> tuple[Folder, list[Candidate]]:
        """A fresh listing of one folder and its candidates (for refreshing one entry)."""
        listing = _read_listing(path, rel, (0, 0, 0))
        prefix = f"{rel}/" if rel else ""
        cands = [
            _candidate(listing.folder, path + os.sep + n, prefix + n, n)
            for n in listing.files
            if is_candidate(n)
        ]
        return listing.folder, cands

    def _walk_dir(
        self, path: str, rel: str, st: os.stat_result, result: Walk, seen: set, is_root: bool = False
    ) -> None:
        listing = self._listing(path, rel, st, is_root)
        if listing is None:
            return
        self._fresh[rel] = listing
        folder = listing.folder
        if not folder.entries:  # a reused listing: only the files need a fresh stat
            folder.stats = stat_all(path, listing.candidates + listing.sidecar_names)
        result.folders.append(folder)
        prefix = f"{rel}/" if rel else ""
        sep = os.sep
        for name in listing.candidates:
            result.candidates.append(_candidate(folder, path + sep + name, prefix + name, name))
        for name in listing.dir_candidates:
            result.candidates.append(
                Candidate(prefix + name, path + sep + name, name, folder, None, is_dir=True)
            )
        for name in listing.subdirs:
            sub = path + sep + name
            try:
                sub_st = os.stat(sub)
            except OSError:
                continue
            key = (sub_st.st_dev, sub_st.st_ino)
            if key in seen:
                result.loops.append(prefix + name)
                continue
            seen.add(key)
            self._walk_dir(sub, prefix + name, sub_st, result, seen)


def _read_listing(path: str, rel: str, key: tuple[int, int, int]) -> _Listing:
    with os.scandir(path) as it:
        entries = list(it)
    listing = _Listing(key, Folder(rel, path), [], [], [])
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks, as os.walk(followlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            listing.subdirs.append(name)
            if is_candidate(name):
                listing.dir_candidates.append(name)
            continue
        listing.files.append(name)
        listing.folder.entries[name] = entry
        lowered = name.lower()
        ext = lowered[lowered.rfind(".") :]
        # is_candidate(), inlined: this loop runs once per file of the library
        if (
            ext in _EMBEDDING_EXTS
            and not (ext in _IMAGE_EXTS and lowered.endswith(".preview" + ext))
            or ext == CORRUPTED
            and lowered.endswith(_RENAMED_EXTS)
        ):
            listing.candidates.append(name)
        _classify(listing.folder, name, lowered, ext)
    listing.sidecar_names = sorted({n for found in listing.folder.sidecars.values() for _s, n in found})
    return listing


_DIR_FD = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


def stat_all(path: str, names: list[str]) -> dict[str, os.stat_result]:
    """stat each name in the folder through one directory fd (a shorter path lookup per
    file than a full path); names that cannot be stat'ed are left out."""
    out: dict[str, os.stat_result] = {}
    if not _DIR_FD:
        return out
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return out
    try:
        for name in names:
            try:
                out[name] = os.stat(name, dir_fd=fd)
            except OSError:
                pass
    finally:
        os.close(fd)
    return out


def _candidate(folder: Folder, path: str, rel: str, name: str) -> Candidate:
    entry = folder.entries.get(name)
    try:
        if entry is None:  # a reused listing: stat_all already stat'ed its files
            st = folder.stats.get(name) or os.stat(path)
        else:  # a fresh listing: stat and birth time in one call where statx exists
            st = stat_with_birth(path) if statx_available() else entry.stat()
    except OSError as err:
        return Candidate(rel, path, name, folder, None, stat_error=err)
    if not is_regular(st):
        err = OSError(0, "not a regular file")
        return Candidate(rel, path, name, folder, st, stat_error=err)
    return Candidate(rel, path, name, folder, st)
