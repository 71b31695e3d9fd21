"""Saved searches (smart collections): a name, the search box's query, a sort and direction.

Kept in one JSON file in the extension's data folder, in the order they were saved;
saving a name again replaces it. Untrusted input is checked here: names and queries are
bounded, the sort key is one the grid knows, and the list holds at most ``MAX_SEARCHES``.
A missing or broken file means no saved searches.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .errors import DeckError
from .json_store import read_list, write_list
from .query import SORT_KEYS

FILE_NAME = "saved_searches.json"
MAX_SEARCHES = 100
MAX_NAME = 80
MAX_QUERY = 1000


class BadSearch(DeckError):
    """A saved search that cannot be kept; the sentence says why."""


class SavedSearches:
    """The saved searches of one deck."""

    def __init__(self, folder: str) -> None:
        self.file = os.path.join(folder, FILE_NAME)
        self._lock = threading.Lock()

    def list(self) -> list[dict[str, Any]]:
        out = []
        for row in read_list(self.file, "searches"):
            try:
                out.append(_checked(row))
            except BadSearch:
                continue  # one bad row (edited by hand) does not hide the others
        return out

    def save(self, raw: Any) -> list[dict[str, Any]]:
        """Add or replace (by name, ignoring case) a search; the list."""
        search = _checked(raw)
        with self._lock:
            rows = [r for r in self.list() if r["name"].lower() != search["name"].lower()]
            if len(rows) >= MAX_SEARCHES:
                raise BadSearch(f"At most {MAX_SEARCHES} searches can be saved; delete one first.")
            rows.append(search)
            self._write(rows)
        return rows

    def delete(self, name: Any) -> list[dict[str, Any]]:
        """Forget the search called ``name``; the list."""
        with self._lock:
            rows = [r for r in self.list() if not isinstance(name, str) or r["name"].lower() != name.lower()]
            self._write(rows)
        return rows

    def _write(self, rows: list[dict[str, Any]]) -> None:
        write_list(self.file, "searches", rows)


def _checked(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise BadSearch("A saved search is an object with a name and a query.")
    name, text = raw.get("name"), raw.get("text")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise BadSearch(f"Give the search a name (at most {MAX_NAME} characters).")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUERY:
        raise BadSearch(f"Only a search with a query can be saved (at most {MAX_QUERY} characters).")
    sort = raw.get("sort") if raw.get("sort") in SORT_KEYS else "path"
    return {"name": name.strip(), "text": text.strip(), "sort": sort, "desc": raw.get("desc") is True}
