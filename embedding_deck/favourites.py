"""Favourite embeddings, kept by the file's identity (SHA-256 and size), not by its path.

The store is one JSON file in the extension's data folder: a record per favourite with
its hash, size, last known path and when it was added. Listing trusts a record whose path
still holds a file of that size; a record whose path is gone (renamed or moved, by the
deck or by hand) is found again by hashing only the files of the same size, and its path
is updated — so a favourite survives renames and moves, and a file copied back in under
any name is a favourite again. Writes are atomic; readers of a broken file get no
favourites rather than an error.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .json_store import read_list, write_list

FILE_NAME = "favourites.json"


class Favourites:
    """The favourites of one library; ``hasher(rel)`` gives a file's SHA-256."""

    def __init__(self, folder: str, hasher: Callable[[str], str]) -> None:
        self.file = os.path.join(folder, FILE_NAME)
        self.hasher = hasher
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._version: tuple[int, int, int] | None = None

    def _load(self) -> list[dict[str, Any]]:
        # every grid request asks: the file is read again only when it changed (another
        # WebUI on the same data folder writes it too)
        try:
            st = os.stat(self.file)
            version = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            version = None
        if version is None or version != self._version:
            records = read_list(self.file, "favourites")
            self._records = [r for r in records if isinstance(r, dict) and isinstance(r.get("sha256"), str)]
            self._version = version
        return [dict(r) for r in self._records]

    def _save(self, records: list[dict[str, Any]]) -> None:
        write_list(self.file, "favourites", records)
        st = os.stat(self.file)
        self._records, self._version = [dict(r) for r in records], (st.st_mtime_ns, st.st_size, st.st_ino)

    def set(self, rel: str, size: int, on: bool) -> bool:
        """Make ``rel`` a favourite (or not); whether it is one now."""
        self.set_many([(rel, size, on)])
        return on

    def set_many(self, changes: list[tuple[str, int, bool]]) -> None:
        """Several (path, size, on) at once: one read and one write of the store."""
        hashed = [(self.hasher(rel), rel, size, on) for rel, size, on in changes]
        with self._lock:
            records = self._load()
            for sha, rel, size, on in hashed:
                records = [r for r in records if r["sha256"] != sha]
                if on:
                    records.append({"sha256": sha, "size": size, "path": rel, "added": time.time()})
            self._save(records)

    def paths(self, files: Iterable[tuple[str, int]]) -> set[str]:
        """Which of ``files`` ((path, size) pairs) are favourites; moved ones are found again."""
        sizes: dict[str, int] = dict(files)
        with self._lock:
            records = self._load()
            found: set[str] = set()
            moved = False
            for record in records:
                path = record.get("path")
                if isinstance(path, str) and sizes.get(path) == record.get("size"):
                    found.add(path)
                    continue
                again = self._find(record, sizes, found)
                if again is not None:
                    record["path"], moved = again, True
                    found.add(again)
            if moved:
                self._save(records)
        return found

    def _find(self, record: dict[str, Any], sizes: dict[str, int], taken: set[str]) -> str | None:
        """The file with this record's hash, looking only at files of its size."""
        for path, size in sizes.items():
            if size != record.get("size") or path in taken:
                continue
            try:
                if self.hasher(path) == record["sha256"]:
                    return path
            except Exception:  # noqa: BLE001 - an unreadable file is simply not this favourite
                continue
        return None
