"""The Library: every entry of one embeddings folder, kept fresh cheaply.

A scan walks the folder (stat only), re-reads a file only when its (size, mtime, inode,
ctime) stamp changed, re-reads sidecars only when theirs changed, and rebuilds the name-collision
facts. Parsed results persist in a JSON cache file so a new process starts warm.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import operator
import os
import threading
from collections.abc import Iterator
from typing import Any

from .atomic import atomic_write_json
from .entries import (
    build_entry,
    error_entry,
    join,
    mark_collisions,
    mark_collisions_of,
    renamed_entry,
    stat_sentence,
)
from .entry import Entry, Parsed
from .filetimes import birth_time
from .formats import NotAnEmbedding, read_file
from .scan import CORRUPTED, Candidate, Folder, Walker, stem_of
from .sidecar import read_sidecars

CACHE_VERSION = 4
NOT_EMBEDDING = "not-an-embedding"


def default_cache_dir() -> str:
    """``$XDG_CACHE_HOME/embedding_deck`` (``~/.cache/embedding_deck``), for standalone use."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "embedding_deck")


def cache_file_for(cache_dir: str, root: str) -> str:
    """The index cache file of one embeddings folder inside ``cache_dir``."""
    digest = hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(cache_dir, f"index-{digest[:16]}.json")


# Windows: DirEntry.stat() (fresh listings) leaves st_ino 0 while os.stat() (reused ones)
# fills it, so a stamp with the inode would differ between two scans of the same file.
_USE_INODE = os.name != "nt"


def _inode(st: os.stat_result) -> int:
    return st.st_ino if _USE_INODE else 0


def _stamp(st: os.stat_result) -> list[int]:
    # ctime too: a file deleted and copied again with its mtime kept (cp -p, rsync) can get
    # the freed inode back, and only the ctime then says that its birth time is new.
    return [st.st_size, st.st_mtime_ns, _inode(st), st.st_ctime_ns]


def _sidecar_stamp(folder: Folder, sidecars: list[tuple[str, str]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for suffix, name in sidecars:
        entry = folder.entries.get(name)
        try:
            st = (
                entry.stat()
                if entry is not None
                else folder.stats.get(name) or os.stat(folder.path + os.sep + name)
            )
        except OSError:
            continue
        out.append([suffix, name, st.st_size, st.st_mtime_ns])
    return out


class Library:
    """Entries of one folder by relative path, with an optional on-disk cache."""

    def __init__(self, root: str, cache_path: str | None = None, write_later: bool = False) -> None:
        """``write_later``: keep the cache write for ``write_pending_cache()`` (the CLI)
        instead of starting it on a thread at the end of each scan."""
        self.root = os.path.abspath(root)
        self.cache_path = cache_path
        self._write_later = write_later
        self._pending: tuple[dict[str, Any], dict[str, Any]] | None = None
        self.entries: dict[str, Entry] = {}
        self.folders: list[str] = []
        self.repeated_folders: list[str] = []
        self._parsed: dict[str, dict[str, Any]] = {}
        self._sidecars: dict[str, dict[str, Any]] = {}
        self._keys: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._walker = Walker(self.root)
        self._candidate_count = -1
        self._dirty = False
        self._deferred = 0  # inside deferred_saves(): the cache file is written once, after
        self._load_cache()

    # -- cache file ---------------------------------------------------------------
    def _load_cache(self) -> None:
        if not self.cache_path:
            return
        try:
            with open(self.cache_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return
        if data.get("version") != CACHE_VERSION or data.get("root") != self.root:
            return
        self._parsed = data.get("files", {})
        self._sidecars = data.get("sidecars", {})

    def save_cache(self) -> None:
        """Write the cache file in the background if anything changed since the last save.

        The entries are usable at once; ``flush()`` waits for the write (the CLI calls it
        before exiting).
        """
        if not self.cache_path or not self._dirty or self._deferred:
            return
        # Shallow snapshots only: the writer thread turns records into plain dicts itself.
        # Records are replaced, never changed in place, except record["parsed"] turning
        # from a list into a Parsed, which _plain accepts either way.
        files, sidecars = dict(self._parsed), dict(self._sidecars)
        self._dirty = False
        if self._write_later:
            self._pending = (files, sidecars)
            return
        self.flush()
        self._writer = threading.Thread(target=self._write_cache, args=(files, sidecars), daemon=True)
        self._writer.start()

    def _write_cache(self, files: dict[str, Any], sidecars: dict[str, Any]) -> None:
        data = {
            "version": CACHE_VERSION,
            "root": self.root,
            "files": {rel: _plain(record) for rel, record in files.items()},
            "sidecars": sidecars,
        }
        try:
            os.makedirs(os.path.dirname(self.cache_path), exist_ok=True)
            atomic_write_json(self.cache_path, data, indent=None, compact=True, durable=False)
        except OSError:
            self._dirty = True  # a read-only cache only costs speed; retry next scan

    def write_pending_cache(self) -> None:
        """Write the cache a ``write_later`` library kept back, now, on this thread."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._write_cache(*pending)

    @property
    def cache_pending(self) -> bool:
        """True when a ``write_later`` library has a cache write kept back."""
        return self._pending is not None

    def flush(self) -> None:
        """Wait until a pending cache write has finished."""
        writer = getattr(self, "_writer", None)
        if writer is not None:
            writer.join()
            self._writer = None

    # -- scanning -----------------------------------------------------------------
    def scan(self) -> list[Entry]:
        """Rescan the folder; return entries in walk order. Raises OSError for a bad root."""
        with self._lock, _no_gc():
            result = self._walker.walk()
            entries: dict[str, Entry] = {}
            old = self.entries
            same = True
            for cand in result.candidates:
                entry = self._entry_for(cand)
                if entry is not None:
                    entries[cand.rel] = entry
                    same = same and old.get(cand.rel) is entry
            same = same and len(entries) == len(old) and self._candidate_count == len(result.candidates)
            self._candidate_count = len(result.candidates)
            self.entries = entries
            self.folders = [f.rel for f in result.folders]
            self.repeated_folders = result.loops
            if not same:  # nothing re-read and nothing gone: collisions and cache still hold
                self._forget_missing({c.rel for c in result.candidates})
                mark_collisions(list(entries.values()))
                self.save_cache()
            return list(entries.values())

    def _forget_missing(self, live: set[str]) -> None:
        for store in (self._parsed, self._sidecars):
            for rel in [r for r in store if r not in live]:
                del store[rel]
                self._dirty = True
        for rel in [r for r in self._keys if r not in live]:
            del self._keys[rel]

    def _entry_for(self, cand: Candidate) -> Entry | None:
        if cand.is_dir:
            return error_entry(cand, "This is a folder named like an embedding file, not a file.")
        if cand.st is None or cand.stat_error is not None:
            return error_entry(cand, stat_sentence(cand.stat_error))
        stem, sidecars, preview_name = cand.folder.neighbours(cand.name)
        side_stamp = _sidecar_stamp(cand.folder, sidecars)
        if cand.name[-len(CORRUPTED) :].lower() == CORRUPTED:
            return self._renamed_by_webui(cand, side_stamp)
        st = cand.st
        key = (st.st_size, st.st_mtime_ns, _inode(st), st.st_ctime_ns, preview_name, side_stamp)
        cached = self.entries.get(cand.rel)
        if cached is not None and self._keys.get(cand.rel) == key:
            return cached
        parsed = self._parsed_for(cand)
        if parsed is None:
            return None
        entry = build_entry(cand, parsed, self._parsed[cand.rel], stem)
        self._attach_sidecars(entry, cand, side_stamp)
        if preview_name and (".preview." in preview_name.lower() or not parsed.is_image):
            entry.preview = join(cand.folder.rel, preview_name)
        elif parsed.is_image and parsed.error is None:
            entry.preview = cand.rel
        self._keys[cand.rel] = key
        return entry

    def _renamed_by_webui(self, cand: Candidate, side_stamp: list) -> Entry:
        inner = cand.name[: -len(CORRUPTED)]
        entry = renamed_entry(cand, read_file(cand.abs, cand.st.st_size, inner[inner.rfind(".") :].lower()))
        self._attach_sidecars(entry, cand, side_stamp)
        return entry

    def _parsed_for(self, cand: Candidate) -> Parsed | None:
        stamp = _stamp(cand.st)
        record = self._parsed.get(cand.rel)
        if record is None or record.get("stamp") != stamp:
            record = _read_record(cand, stamp)
            self._parsed[cand.rel] = record
            self._dirty = True
        if record.get("kind") == NOT_EMBEDDING:
            return None
        parsed = record["parsed"]
        if isinstance(parsed, list):  # loaded from the cache file: the fields in order
            parsed = record["parsed"] = Parsed(*parsed)
        return parsed

    def _attach_sidecars(self, entry: Entry, cand: Candidate, stamp: list) -> None:
        if not stamp:  # most files have no sidecar: nothing to read or to remember
            if self._sidecars.pop(cand.rel, None) is not None:
                self._dirty = True
            return
        record = self._sidecars.get(cand.rel)
        if record is None or record.get("stamp") != stamp:
            metadata, warnings = read_sidecars(cand.folder.path, {s[0]: s[1] for s in stamp})
            record = {"stamp": stamp, "metadata": metadata, "warnings": warnings}
            self._sidecars[cand.rel] = record
            self._dirty = True
        entry.metadata = dict(record["metadata"])
        entry.warnings = entry.warnings + list(record["warnings"])
        entry.sidecars = [join(cand.folder.rel, s[1]) for s in stamp]

    @contextlib.contextmanager
    def deferred_saves(self) -> Iterator[None]:
        """Many refresh_one() calls (a batch of file operations), one cache write after."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
            self.save_cache()

    def refresh_one(self, rel: str) -> Entry | None:
        """Re-read one entry (its file, sidecars and preview) without walking the folder."""
        with self._lock, _no_gc():
            folder_rel = rel.rpartition("/")[0]
            folder_abs = os.path.join(self.root, *folder_rel.split("/")) if folder_rel else self.root
            try:
                _folder, cands = self._walker.folder(folder_abs, folder_rel)
            except OSError:
                cands = []
            cand = next((c for c in cands if c.rel == rel), None)
            self._keys.pop(rel, None)
            old = self.entries.get(rel)
            entry = self._entry_for(cand) if cand is not None else None
            if entry is None:
                self.entries.pop(rel, None)
            else:
                self.entries[rel] = entry
            names = {e.name for e in (old, entry) if e is not None}
            mark_collisions_of(self.entries.values(), names, self._walk_key)
            self.save_cache()
            return entry

    def _walk_key(self, rel: str) -> tuple[tuple[int, int], ...]:
        """Where the walk meets ``rel``: in each folder its files come first (in listing
        order), then its sub-folders, depth first — the order the WebUI registers files in,
        so the last of a name's files is the one it keeps. (A file placed by refresh_one is
        last in the dict, not in that order.)"""
        key = []
        folder = self.root
        parts = rel.split("/")
        for depth, part in enumerate(parts):
            try:
                with os.scandir(folder) as it:
                    names = [e.name for e in it]
            except OSError:
                names = []
            last = depth == len(parts) - 1
            key.append((0 if last else 1, names.index(part) if part in names else len(names)))
            folder = os.path.join(folder, part)
        return tuple(key)

    def get(self, rel: str) -> Entry | None:
        """The entry at a relative path from the last scan."""
        return self.entries.get(rel)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    # A scan allocates tens of thousands of small objects that all live on. With the cyclic
    # GC on, young collections traverse them again and again while they are built; with it
    # off, the first collection afterwards traverses them all at once. freeze()+unfreeze()
    # moves every tracked object straight to the oldest generation in O(1), so neither
    # happens; a later full collection still sees them (nothing is made immortal).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _read_record(cand: Candidate, stamp: list[int]) -> dict[str, Any]:
    try:
        parsed = read_file(cand.abs, cand.st.st_size)
    except NotAnEmbedding:
        return {"stamp": stamp, "kind": NOT_EMBEDDING}
    created, clock = birth_time(cand.abs, cand.st)
    if parsed.error and parsed.is_image and _is_sibling_preview(cand):
        # A preview picture beside X.pt that merely looks encoded: the WebUI logs an error
        # and moves on; listing it as a broken embedding would only confuse.
        return {"stamp": stamp, "kind": NOT_EMBEDDING}
    return {"stamp": stamp, "parsed": parsed, "created": created, "clock": clock}


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    # Always a copy: the scan may swap record["parsed"] while the writer thread encodes.
    parsed = record.get("parsed")
    if isinstance(parsed, Parsed):
        return {**record, "parsed": list(_PARSED_FIELDS(parsed))}
    return dict(record)


_PARSED_FIELDS = operator.attrgetter(*Parsed.__slots__)


def _is_sibling_preview(cand: Candidate) -> bool:
    stem = stem_of(cand.name)
    return any(
        stem_of(name) == stem and name.lower().endswith((".pt", ".bin", ".safetensors"))
        for name in os.listdir(os.path.dirname(cand.abs))
    )
