"""The Deck: one Library bound to one Host, shaped into what the routes and the UI serve."""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

from embedding_deck import Library
from embedding_deck.entry import Entry
from embedding_deck.errors import NotFound, UnreadableFile
from embedding_deck.paths import resolve_inside
from embedding_deck.thumbs import thumbnail

from .host import Host

GRID_TEXT_LIMIT = 2000


def _cache_file(cache_dir: str, root: str) -> str:
    digest = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(cache_dir, f"index-{digest}.json")


class Deck:
    """Scans on demand, and answers grid, entry and thumbnail requests for one folder."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.library = Library(
            host.embeddings_dir, _cache_file(host.cache_dir, os.path.abspath(host.embeddings_dir))
        )
        self._scanned = False
        self._lock = threading.Lock()

    def folder_problem(self) -> str | None:
        """A sentence when the embeddings folder cannot be used, else None."""
        root = self.host.embeddings_dir
        if not os.path.exists(root):
            return f"The embeddings folder {root} does not exist. Create it, or point the WebUI at yours."
        if not os.path.isdir(root):
            return f"{root} is not a folder."
        if not os.access(root, os.R_OK | os.X_OK):
            return f"The embeddings folder {root} cannot be read (permission denied)."
        return None

    def scan(self) -> list[Entry]:
        """Rescan (cheap when nothing changed)."""
        with self._lock:
            self._scanned = True
            return self.library.scan()

    def entries(self) -> list[Entry]:
        """The current entries, scanning once on first use."""
        if not self._scanned:
            return self.scan()
        return list(self.library.entries.values())

    def grid(self) -> dict[str, Any]:
        """The compact payload the grid JavaScript renders."""
        problem = self.folder_problem()
        if problem:
            return {"error": problem, "entries": [], "folders": [], "family": self.host.model_family()}
        try:
            entries = self.entries()
        except OSError as err:
            return {
                "error": f"The embeddings folder cannot be listed ({err.strerror}).",
                "entries": [],
                "folders": [],
            }
        return {
            "error": None,
            "root": self.host.embeddings_dir,
            "family": self.host.model_family(),
            "folders": sorted(self.library.folders),
            "entries": [self._grid_row(e) for e in entries],
        }

    def _grid_row(self, e: Entry) -> dict[str, Any]:
        meta = e.metadata
        return {
            "name": e.name,
            "path": e.path,
            "folder": e.folder,
            "format": e.format,
            "arch": e.arch,
            "vectors": e.vectors,
            "size": e.size,
            "created": e.created,
            "modified": e.modified,
            "preview": e.preview,
            "preview_v": self._preview_version(e),
            "description": _text(meta.get("description")),
            "notes": _text(meta.get("notes")),
            "error": e.error,
            "warnings": e.warnings,
            "collides_with": e.collides_with,
            "winner": e.collision_winner,
            "hidden": e.hidden,
            "weight": _preferred_weight(meta),
            "target": "positive" if meta.get("default target") == "positive" else "negative",
        }

    def _preview_version(self, e: Entry) -> int | None:
        if not e.preview:
            return None
        try:
            return os.stat(os.path.join(self.library.root, e.preview)).st_mtime_ns
        except OSError:
            return None

    def entry(self, rel: str) -> Entry:
        """One entry by relative path; NotFound when it is not listed."""
        resolve_inside(self.host.embeddings_dir, rel)
        entry = self.library.get(rel) if self._scanned else None
        if entry is None:
            self.scan()
            entry = self.library.get(rel)
        if entry is None:
            raise NotFound("That embedding is no longer in the folder; the list was refreshed.")
        return entry

    def thumb(self, rel: str, width: int) -> tuple[bytes, str]:
        """Thumbnail bytes and ETag for a listed entry's preview (nothing else is served)."""
        entry = self.entry(rel)
        if not entry.preview:
            raise NotFound("This embedding has no preview.")
        path = resolve_inside(self.host.embeddings_dir, entry.preview)
        if not os.path.isfile(path):
            raise NotFound("The preview file is gone; refresh the list.")
        try:
            return thumbnail(path, width, os.path.join(self.host.cache_dir, "thumbs"))
        except OSError:
            raise UnreadableFile("The preview image cannot be read.") from None


def _preferred_weight(meta: dict[str, Any]) -> float:
    # A1111's editors store "preferred weight" with 0 meaning "not set".
    value = meta.get("preferred weight")
    try:
        weight = float(value)
    except (TypeError, ValueError):
        return 1.0
    return weight if weight > 0 else 1.0


def _text(value: Any) -> str:
    return value[:GRID_TEXT_LIMIT] if isinstance(value, str) else ""
