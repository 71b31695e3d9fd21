"""Search, sort and folder tree over entries: pure functions, twin of ``edeck_12_query.js``.

Search: the search box's query syntax (``query_syntax``: words that must all occur in the
name, path, description or notes, phrases, NOT, OR, fields). A folder filter keeps that
folder and its sub-folders. Sort keys: path, name, created, modified, size, vectors; ties break by path.
Paths, names and tree folders share one natural order: case-insensitive, "/" segment by
segment, digit runs by number ("SD2" before "SD15"), other text by code point.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from . import query_syntax
from .entry import Entry, family_of

SORT_KEYS = ("path", "name", "created", "modified", "size", "vectors")
_DIGIT_RUNS = re.compile(r"([0-9]+)")


def search_row(entry: Entry, fav: bool = False, uses: int = 0) -> dict[str, Any]:
    """The fields a search looks at, as the grid row carries them."""
    meta = entry.metadata
    tags = meta.get("tags")
    return {
        "name": entry.name,
        "path": entry.path,
        "folder": entry.folder,
        "description": _text(meta.get("description")),
        "notes": _text(meta.get("notes")),
        "tags": tags if isinstance(tags, list) else [],
        "arch": family_of(entry),
        "vectors": entry.vectors,
        "fav": fav,
        "uses": uses,
    }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def in_folder(entry: Entry, folder: str) -> bool:
    """True when ``entry`` is in ``folder`` or below it ("" is everything)."""
    return not folder or entry.folder == folder or entry.folder.startswith(folder + "/")


def _run_key(run: str, is_digits: bool) -> Any:
    if not is_digits:
        return run
    # By value without int(): length without leading zeros, then digits, as the JS twin does.
    short = run.lstrip("0")
    return (len(short), short, run)


@functools.lru_cache(maxsize=1 << 16)
def _segment_key(segment: str) -> tuple[Any, ...]:
    # Folder names repeat across thousands of paths: each is split once.
    return tuple(_run_key(run, i % 2 == 1) for i, run in enumerate(_DIGIT_RUNS.split(segment)))


def natural_key(text: str) -> tuple[tuple[Any, ...], ...]:
    """The deck's one order for paths, names and tree folders ("SD2" before "SD15")."""
    return tuple(map(_segment_key, text.lower().split("/")))


def _sort_value(entry: Entry, key: str) -> Any:
    if key == "name":
        return natural_key(entry.name)
    if key == "path":
        return natural_key(entry.path)
    value = getattr(entry, key)
    return value if value is not None else -1


def ordered(entries: list[Entry], key: str = "path", descending: bool = False) -> list[Entry]:
    """Entries sorted by ``key`` (ties by path, always ascending)."""
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r}; use one of {', '.join(SORT_KEYS)}")
    by_path = sorted(entries, key=lambda e: natural_key(e.path), reverse=descending and key == "path")
    if key == "path":
        return by_path  # paths are unique: no ties to break
    return sorted(by_path, key=lambda e: _sort_value(e, key), reverse=descending)


@dataclass
class Query:
    """A full query: search text, folder filter, sort key and direction."""

    text: str = ""
    folder: str = ""
    sort: str = "path"
    descending: bool = False
    favourites: frozenset[str] = frozenset()
    uses: dict[str, int] = field(default_factory=dict)  # path -> times used (usage.py)

    def run(self, entries: list[Entry]) -> list[Entry]:
        """Filter then sort."""
        parsed = query_syntax.parse(self.text)
        favs, uses = self.favourites, self.uses
        kept = [
            e
            for e in entries
            if in_folder(e, self.folder)
            and query_syntax.test(parsed, search_row(e, e.path in favs, uses.get(e.path, 0)))
        ]
        return ordered(kept, self.sort, self.descending)


def folder_tree(entries: list[Entry], folders: list[str] | None = None) -> dict[str, int]:
    """Count of entries per folder, including everything below it ("" is the root)."""
    counts: dict[str, int] = {f: 0 for f in folders or []}
    counts.setdefault("", 0)
    for entry in entries:
        parts = entry.folder.split("/") if entry.folder else []
        counts[""] += 1
        for i in range(1, len(parts) + 1):
            key = "/".join(parts[:i])
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: natural_key(item[0])))
