"""Library operations for the routes: rename, move, delete, trash, convert, duplicates.

The file work is the core's (``fileops``, ``convert``, ``duplicates``); this module binds
it to one Deck: paths must be listed entries, one operation runs at a time, the index is
updated for the paths that changed, and every answer carries the grid rows to replace and
what undoes the operation (the routes then start the host's reload, as Refresh does).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from embedding_deck import convert, duplicates, fileops
from embedding_deck.errors import DeckError, UnreadableFile
from embedding_deck.paths import listed_path

from .deck import Deck

PREFIX = "/edeck/v1"


class LibraryOps:
    """File operations on one Deck's folder; each returns the JSON the page applies."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.trash_dir = deck.trash_dir
        self.hashes = duplicates.VectorHashes(
            duplicates.cache_file_for(deck.host.cache_dir, deck.library.root)
        )
        self._dupes_known = False
        self._batch = threading.local()

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One file operation at a time, across processes; what a crash left is repaired first."""
        if getattr(self._batch, "on", False):
            yield  # inside batch(): held and repaired already
            return
        with self.deck.lock.hold():
            self.deck.repair()
            yield

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Several operations under one hold of the lock: the repair and the index's cache
        file once for all, not once per file (bulk_ops)."""
        with self._lock(), self.deck.library.deferred_saves():
            self._batch.on = True
            try:
                yield
            finally:
                self._batch.on = False

    @property
    def root(self) -> str:
        return self.deck.library.root

    def _group(self, rel: Any) -> fileops.Group:
        if not isinstance(rel, str):
            raise UnreadableFile("The path must be text.")
        self.deck.entry(rel)  # a listed entry, or NotFound
        entries = self.deck.library.entries
        return fileops.group_of(self.root, rel, entries.__contains__)

    def _done(self, moved: fileops.Moved, undo: dict[str, Any] | None, notice: str | None = None) -> dict:
        """Update the index for the paths that changed; rows, undo and the host's reload."""
        lib = self.deck.library
        before = set()
        for rel in (moved.old, moved.new):
            entry = lib.get(rel) if rel else None
            if entry is not None:
                before.update(entry.collides_with)
        if moved.new and moved.new.rpartition("/")[0] not in lib.folders:
            self.deck.scan()  # a restored folder that was gone: the tree needs it again
        for rel in (moved.old, moved.new):
            if rel:
                lib.refresh_one(rel)
        if self._dupes_known:
            self._regroup()
        new = lib.get(moved.new) if moved.new else None
        if new is not None:
            before.update(new.collides_with)
        if moved.old in self.deck.favourite_paths:  # it stays a favourite under its new name
            self.deck.refresh_favourites()
        if moved.old and moved.new:
            self.deck.carry_hash(moved.old, moved.new)
        affected = [r for r in sorted(before) if r not in (moved.old, moved.new)]
        rows = [self.deck._grid_row(new)] if new is not None else []
        rows += [self.deck._grid_row(e) for e in (lib.get(r) for r in affected) if e is not None]
        removed = [moved.old] if moved.old and moved.old != moved.new else []
        return {
            "removed": removed,
            "rows": rows,
            "files": moved.files,
            "folders": sorted(lib.folders),
            "undo": undo,
            "moved": [moved.old, moved.new],
            "notice": " ".join(n for n in (notice, self.deck.take_repairs()) if n) or None,
        }

    # -- operations -----------------------------------------------------------------------
    def rename(self, rel: Any, name: Any, stamp: Any) -> dict[str, Any]:
        """Rename an embedding and its sidecars; the prompt name changes with it."""
        with self._lock():
            group = self._group(rel)
            entry = self.deck.entry(rel)
            new_stem = fileops.check_name(name)
            lib = self.deck.library
            # Another WebUI on the folder may have moved the file that clashes: look again.
            for other in [e.path for e in lib.entries.values() if e.name.lower() == new_stem.lower()]:
                if other != rel:
                    lib.refresh_one(other)
            names = (e.name for e in lib.entries.values() if e.path != rel)
            image = entry.format.startswith(("png", "webp", "avif", "jxl"))
            if not image:
                fileops.check_collision(new_stem, os.path.splitext(group.name)[0], names)
            self._know_hash(rel)
            moved = fileops.rename(self.root, group, new_stem, stamp, self.deck.journal)
            notice = None
            if image and entry.internal_name:
                notice = (
                    f"This image embedding still answers to {entry.internal_name} in prompts: that name "
                    "is stored inside the image, and renaming the file does not change it."
                )
            old_stem = os.path.splitext(group.name)[0]
            return self._done(moved, self._undo_rename(moved, old_stem), notice)

    def _know_hash(self, rel: str) -> None:
        """A used embedding's hash, before a rename or move: its counts follow it (usage)."""
        if rel in self.deck.usage_counts:
            try:
                self.deck.sha256(rel)
            except (DeckError, OSError):
                pass

    def _undo_rename(self, moved: fileops.Moved, old_stem: str) -> dict[str, Any]:
        stamp = self._stamp(moved.new)
        return {"route": f"{PREFIX}/rename", "body": {"path": moved.new, "name": old_stem, "stamp": stamp}}

    def move(self, rel: Any, folder: Any, stamp: Any) -> dict[str, Any]:
        """Move an embedding and its sidecars into another folder of the library."""
        with self._lock():
            group = self._group(rel)
            self._know_hash(rel)
            moved = fileops.move(
                self.root, group, folder, stamp, self.deck.library.folders, self.deck.journal
            )
            undo = {
                "route": f"{PREFIX}/move",
                "body": {"path": moved.new, "folder": group.folder, "stamp": self._stamp(moved.new)},
            }
            return self._done(moved, undo)

    def delete(self, rel: Any, stamp: Any) -> dict[str, Any]:
        """Move an embedding and its sidecars to the trash."""
        with self._lock():
            group = self._group(rel)
            moved = fileops.to_trash(self.root, self.trash_dir, group, stamp)
            undo = {"route": f"{PREFIX}/trash/restore", "body": {"id": moved.trash_id}}
            result = self._done(moved, undo)
            result["trash_id"] = moved.trash_id
            return result

    def restore_name(self, rel: Any, stamp: Any) -> dict[str, Any]:
        """Give a file the WebUI renamed to ``X.pt.corrupted`` its name back."""
        with self._lock():
            group = self._group(rel)
            moved = fileops.restore_name(self.root, group, stamp, self.deck.journal)
            notice = "The WebUI tries to load it again now; if it still cannot, it renames it again."
            return self._done(moved, None, notice)

    def convert(self, rel: Any, stamp: Any) -> dict[str, Any]:
        """Convert a .pt/.bin to .safetensors; the original goes to the trash."""
        with self._lock():
            group = self._group(rel)
            moved = convert.convert(self.root, self.trash_dir, group, stamp)
            undo = {
                "route": f"{PREFIX}/trash/restore",
                "body": {
                    "id": moved.trash_id,
                    "converted": moved.new,
                    "stamp": self._stamp(moved.new),
                },
            }
            result = self._done(moved, undo)
            result["trash_id"] = moved.trash_id
            return result

    def trash(self) -> dict[str, Any]:
        """The trash items of this folder, newest first, and where the trash is."""
        return {"items": fileops.list_trash(self.trash_dir, self.root), "folder": self.trash_dir}

    def restore(self, item_id: Any, converted: Any = None, stamp: Any = None) -> dict[str, Any]:
        """Put a trash item back; with ``converted``, undo a conversion (that file goes to
        the trash in the same step)."""
        with self._lock():
            if converted is None:
                moved = fileops.restore(self.root, self.trash_dir, item_id)
                return self._done(moved, None)
            if not isinstance(converted, str):
                raise UnreadableFile("The converted file's path must be text.")
            self.deck.entry(converted)
            moved = convert.undo(self.root, self.trash_dir, item_id, converted, stamp)
            result = self._done(moved, None)
            return result

    def empty(self, ids: Any = None) -> dict[str, Any]:
        """Delete trash items for good: the ones named, or all of this folder's."""
        if ids is not None and not isinstance(ids, list):
            raise UnreadableFile("The trash items must be a list of ids.")
        with self._lock():
            removed = fileops.empty_trash(self.trash_dir, self.root, ids)
        return {"emptied": removed, **self.trash()}

    def duplicates(self) -> dict[str, Any]:
        """Groups of entries with identical vectors (hashed once per file version)."""
        with self._lock():
            groups = self._regroup()
            self._dupes_known = True
            self.hashes.save()
        return duplicates.plain(groups)

    def _regroup(self) -> dict[str, list[str]]:
        entries = [e for e in self.deck.entries() if e.error is None]
        files = [(e.path, listed_path(self.root, e.path)) for e in entries]
        groups = self.hashes.groups(files)
        self.deck.same_vectors = groups
        return groups

    def _stamp(self, rel: str | None) -> str | None:
        if not rel:
            return None
        try:
            return fileops.stamp_of(listed_path(self.root, rel))
        except (OSError, DeckError):
            return None
