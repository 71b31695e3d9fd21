"""Search, sort and folder tree over entries: pure functions, twin of ``edeck_12_query.js``.

Search: the query is split on whitespace; every term must occur (case-insensitive) in the
entry's name, path, description or notes. A folder filter keeps that folder and its
sub-folders. Sort keys: path, name, created, modified, size, vectors; ties break by path.
Paths, names and tree folders share one natural order: case-insensitive, "/" segment by
segment, digit runs by number ("SD2" before "SD15"), other text by code point.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .entry import Entry

SORT_KEYS = ("path", "name", "created", "modified", "size", "vectors")
_DIGIT_RUNS = re.compile(r"([0-9]+)")


def haystack(entry: Entry) -> str:
    """The lower-cased text a search looks in."""
    meta = entry.metadata
    parts = [entry.name, entry.path, _text(meta.get("description")), _text(meta.get("notes"))]
    return "\n".join(parts).lower()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def matches(entry: Entry, terms: list[str], folder: str = "") -> bool:
    """True when ``entry`` is inside ``folder`` and contains every term."""
    if folder and not (entry.folder == folder or entry.folder.startswith(folder + "/")):
        return False
    text = haystack(entry)
    return all(term in text for term in terms)


def split_terms(query: str) -> list[str]:
    """Whitespace-separated, lower-cased search terms."""
    return [t for t in query.lower().split() if t]


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

    def run(self, entries: list[Entry]) -> list[Entry]:
        """Filter then sort."""
        terms = split_terms(self.text)
        kept = [e for e in entries if matches(e, terms, self.folder)]
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
